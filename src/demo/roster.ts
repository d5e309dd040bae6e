import { stringify } from 'csv-stringify/sync';
import { STAFF_COLUMNS, STUDENT_COLUMNS } from '../roster/columns.js';

/**
 * The demo district, written as the two roster CSV files an admin would import, so that seeding runs
 * the real importer. All names are fictional; phones are in the 555-0100..0199 range reserved for fiction.
 */

interface DemoSchool {
  id: string;
  name: string;
  timezone: string;
  /** The office line families are told to call; above the guardians' numbers so they never clash. */
  phone: string;
  areaCode: string;
  grades: string[];
}

export const DEMO_SCHOOLS: DemoSchool[] = [
  {
    id: 'sch-riverside',
    name: 'Riverside Middle School',
    timezone: 'America/Chicago',
    phone: '(312) 555-0190',
    areaCode: '312',
    grades: ['6', '7', '8'],
  },
  {
    id: 'sch-bayview',
    name: 'Bayview High School',
    timezone: 'America/Los_Angeles',
    phone: '(213) 555-0190',
    areaCode: '213',
    grades: ['9', '10', '11', '12'],
  },
];

/** [id, name, role, school index, language]; ids are stable so the simulator can list them. */
const STAFF: [string, string, string, number | null, string][] = [
  ['lead-1', 'Dana Whitfield', 'lead_navigator', 0, 'en'],
  ['counselor-1', 'Marcus Oyelaran', 'counselor', 0, 'en'],
  ['nav-1', 'Priya Castellanos', 'navigator', 0, 'es'],
  ['nav-2', 'Tom Brennan', 'navigator', 0, 'en'],
  ['lead-2', 'Grace Kimura', 'lead_navigator', 1, 'en'],
  ['counselor-2', 'Rafael Duarte', 'counselor', 1, 'es'],
  ['nav-3', 'Aisha Bello', 'navigator', 1, 'en'],
  ['nav-4', 'Sam Lindqvist', 'navigator', 1, 'en'],
  ['admin-1', 'Ruth Albrecht', 'admin', null, 'en'],
];

/** Navigators per school, in the order students are dealt to them. */
const NAVIGATORS = [
  ['nav-1', 'nav-2'],
  ['nav-3', 'nav-4'],
];

/**
 * A family: surname, guardians [first name, home language], children's first names.
 * 'shared' puts both guardians on one phone; 'unreachable' gives the family no phone at all.
 */
interface DemoFamily {
  surname: string;
  guardians: [string, string][];
  children: string[];
  phone?: 'shared' | 'unreachable';
}

const FAMILIES: DemoFamily[][] = [
  [
    { surname: 'García', guardians: [['María', 'es']], children: ['Diego', 'Elena'] },
    { surname: 'Nguyen', guardians: [['Lan', 'vi']], children: ['Bao'] },
    {
      surname: 'Haddad',
      guardians: [
        ['Samira', 'ar'],
        ['Omar', 'ar'],
      ],
      children: ['Yusuf', 'Noor'],
      phone: 'shared',
    },
    { surname: 'Chen', guardians: [['Mei', 'zh']], children: ['Kevin', 'Annie'] },
    { surname: 'Johnson', guardians: [['Angela', 'en']], children: ['Tyler'] },
    {
      surname: 'Hernández',
      guardians: [
        ['Rosa', 'es'],
        ['Luis', 'es'],
      ],
      children: ['Camila', 'Mateo', 'Sofía'],
    },
    { surname: 'Tran', guardians: [['Hoa', 'vi']], children: ['Linh'] },
    { surname: 'Oliveira', guardians: [['Ana', 'pt']], children: ['Gabriel'] },
    { surname: 'Jean-Baptiste', guardians: [['Marie', 'ht']], children: ['Wesley'] },
    { surname: 'Warsame', guardians: [['Hodan', 'so']], children: ['Abdi', 'Ifrah'] },
    { surname: 'Miller', guardians: [['Karen', 'en']], children: ['Owen'] },
    { surname: 'Wang', guardians: [['Jun', 'zh']], children: ['Lily'] },
    { surname: 'Ramírez', guardians: [['Carmen', 'es']], children: ['Javier'] },
    { surname: 'Petrov', guardians: [['Olga', 'ru']], children: ['Nikita'] },
    { surname: 'Mansour', guardians: [['Rania', 'ar']], children: ['Karim'] },
    { surname: 'Brooks', guardians: [['Denise', 'en']], children: ['Jada'], phone: 'unreachable' },
    { surname: 'López', guardians: [['Gloria', 'es']], children: ['Andrés'] },
    { surname: 'Pham', guardians: [['Duc', 'vi']], children: ['Vy'] },
  ],
  [
    {
      surname: 'Flores',
      guardians: [
        ['Patricia', 'es'],
        ['Miguel', 'es'],
      ],
      children: ['Valeria', 'Santiago'],
    },
    { surname: 'Le', guardians: [['Thanh', 'vi']], children: ['Khoa', 'Mai'] },
    { surname: 'Saleh', guardians: [['Huda', 'ar']], children: ['Amira', 'Zaid'] },
    { surname: 'Liu', guardians: [['Xiu', 'zh']], children: ['Eric'] },
    { surname: 'Williams', guardians: [['Tanya', 'en']], children: ['Marcus', 'Destiny'] },
    { surname: 'Morales', guardians: [['Lucía', 'es']], children: ['Isabella'] },
    { surname: 'Huang', guardians: [['Ping', 'zh']], children: ['Grace', 'Daniel'] },
    { surname: 'Santos', guardians: [['João', 'pt']], children: ['Beatriz'] },
    { surname: 'Pierre', guardians: [['Nadège', 'ht']], children: ['Jean'] },
    { surname: 'Ahmed', guardians: [['Fadumo', 'so']], children: ['Hamza'] },
    { surname: 'Ivanova', guardians: [['Svetlana', 'ru']], children: ['Anya'] },
    { surname: 'Davis', guardians: [['Michelle', 'en']], children: ['Jordan'] },
    { surname: 'Castillo', guardians: [['Verónica', 'es']], children: ['Emilio'] },
    { surname: 'Vo', guardians: [['Minh', 'vi']], children: ['Tuan'] },
    { surname: 'Khalil', guardians: [['Layla', 'ar']], children: ['Sami'] },
    { surname: 'Zhou', guardians: [['Hui', 'zh']], children: ['Amy'] },
    { surname: 'Reyes', guardians: [['Adriana', 'es']], children: ['Diego'] },
    { surname: 'Thompson', guardians: [['Lisa', 'en']], children: ['Ethan'] },
    { surname: 'Mendoza', guardians: [['Elena', 'es']], children: ['Lucas'] },
  ],
];

/** The demo roster as CSV texts: `importRoster(ctx, [{ name: 'demo-staff.csv', text: staff }, ...])`. */
export function demoRosterCsv(): { staff: string; students: string } {
  const staffRows = STAFF.map(([id, name, role, school, language]) => {
    const s = school === null ? undefined : DEMO_SCHOOLS[school]!;
    const email = `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@demo-district.example.org`;
    const slack = `U0DEMO${id.replace(/[^a-z0-9]/gi, '').toUpperCase()}`;
    const schoolCells = s ? [s.id, s.name, s.timezone, s.phone] : ['', '', '', ''];
    return [id, name, email, role, ...schoolCells, '', language, slack, ''];
  });

  const studentRows: string[][] = [];
  let student = 1000;
  let guardian = 2000;
  DEMO_SCHOOLS.forEach((school, schoolIndex) => {
    let phone = 100 + schoolIndex * 50;
    let dealt = 0;
    for (const family of FAMILIES[schoolIndex]!) {
      const shared = `(${school.areaCode}) 555-0${phone++}`;
      const guardians = family.guardians.map(([first, language], i) => {
        const number =
          family.phone === 'unreachable'
            ? ''
            : family.phone === 'shared'
              ? shared
              : i === 0
                ? shared
                : `(${school.areaCode}) 555-0${phone++}`;
        return [
          `G${++guardian}`,
          `${first} ${family.surname}`,
          number,
          language,
          '',
          family.guardians.length === 1 ? 'parent' : i === 0 ? 'mother' : 'father',
          number ? 'yes' : '',
        ];
      });
      for (const [c, first] of family.children.entries()) {
        const grade = school.grades[(student + c) % school.grades.length]!;
        const navigator = NAVIGATORS[schoolIndex]![dealt++ % 2]!;
        const cells = guardians.flat();
        while (cells.length < 14) cells.push('');
        studentRows.push([
          `S${++student}`,
          first,
          family.surname,
          grade,
          school.id,
          school.name,
          school.timezone,
          school.phone,
          navigator,
          ...cells,
        ]);
      }
    }
  });
  return {
    staff: stringify([[...STAFF_COLUMNS], ...staffRows]),
    students: stringify([[...STUDENT_COLUMNS], ...studentRows]),
  };
}
