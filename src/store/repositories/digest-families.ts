import { and, count, eq, gte, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { SmsStatus } from '../schema/index.js';
import { DigestRepository, type InSchool, inSchools, none, num, type Schools } from './digest.js';

/** A guardian of a school's active student, without name or phone. */
export interface FamilyFact {
  guardianId: string;
  locale: string;
  hasPhone: boolean;
  smsStatus: SmsStatus;
  /** The consent in force: the newest record's status, or 'none'. */
  consent: 'granted' | 'revoked' | 'none';
  /** The phone is on the opted-out list (a STOP from the number, whoever it belongs to). */
  phoneOptedOut: boolean;
  createdAt: number;
}

/** Something a guardian did at a moment: wrote back, or revoked consent. */
export interface GuardianEvent {
  guardianId: string;
  at: number;
}

/** A text to a guardian handed to the SMS provider, with its outbox status. */
export interface FamilyTextFact {
  guardianId: string;
  status: string;
  sentAt: number;
}

/**
 * What the digest reads of families: who they are (no name, no phone), the texts handed to the provider, their
 * replies and opt-outs, for a set of schools at once (the schools' guardians as the digest's other reads find them).
 */
export class DigestFamilyRepository extends DigestRepository {
  /**
   * Guardians of the schools' active students, with their school; a guardian of two students of a school comes
   * once per student (sorting and de-duplicating 60,000 rows costs the database more than the caller).
   */
  async families(schools: Schools): Promise<InSchool<FamilyFact>[]> {
    if (none(schools)) return [];
    const { consents, guardians, smsOptOuts, studentGuardians, students } = this.t;
    const fields = {
      schoolId: students.schoolId,
      guardianId: guardians.id,
      locale: guardians.locale,
      hasPhone: sql<boolean>`${guardians.phone} is not null`.mapWith(Boolean),
      smsStatus: guardians.smsStatus,
      consent: sql<FamilyFact['consent']>`coalesce((select ${consents.status} from ${consents}
        where ${consents.guardianId} = ${guardians.id} and ${consents.channel} = 'sms'
        order by ${consents.recordedAt} desc, ${consents.id} desc limit 1), 'none')`,
      phoneOptedOut:
        sql<boolean>`exists (select 1 from ${smsOptOuts} where ${smsOptOuts.phone} = ${guardians.phone})`.mapWith(
          Boolean,
        ),
      createdAt: guardians.createdAt,
    };
    return this.dialect.plainRows(
      this.db
        .select(fields)
        .from(guardians)
        .innerJoin(studentGuardians, eq(studentGuardians.guardianId, guardians.id))
        .innerJoin(students, eq(students.id, studentGuardians.studentId))
        .where(and(inSchools(students.schoolId, schools), eq(students.active, true))),
      (
        // Plain rows skip the field mapping: SQLite gives 0 or 1, PostgreSQL a boolean.
        v: [
          string,
          string,
          string,
          boolean | number,
          SmsStatus,
          FamilyFact['consent'],
          boolean | number,
          number,
        ],
      ): InSchool<FamilyFact> => ({
        schoolId: v[0],
        guardianId: v[1],
        locale: v[2],
        hasPhone: Boolean(v[3]),
        smsStatus: v[4],
        consent: v[5],
        phoneOptedOut: Boolean(v[6]),
        createdAt: num(v[7]),
      }),
    );
  }

  /** Texts to the schools' families handed to the SMS provider in [from, to), with their outbox status. */
  async familyTexts(schools: Schools, from: number, to: number): Promise<FamilyTextFact[]> {
    if (none(schools)) return [];
    const { outbox } = this.t;
    const fields = { guardianId: outbox.recipientId, status: outbox.status, sentAt: outbox.sentAt };
    return this.dialect.plainRows(
      this.db
        .select(fields)
        .from(outbox)
        .where(
          and(
            eq(outbox.channel, 'sms'),
            eq(outbox.recipientKind, 'guardian'),
            isNotNull(outbox.sentAt),
            gte(outbox.sentAt, from),
            lt(outbox.sentAt, to),
            inArray(outbox.recipientId, this.guardiansOf(schools)),
          ),
        ),
      (v: [string, string, number]): FamilyTextFact => ({
        guardianId: v[0],
        status: v[1],
        sentAt: num(v[2]),
      }),
    );
  }

  /** Texts received in [from, to) from numbers no guardian on the roster has: the district's to read. */
  async unknownNumberTexts(from: number, to: number): Promise<number> {
    const { familyTexts } = this.t;
    const rows = await this.db
      .select({ n: count() })
      .from(familyTexts)
      .where(
        and(
          isNull(familyTexts.guardianId),
          gte(familyTexts.receivedAt, from),
          lt(familyTexts.receivedAt, to),
        ),
      );
    return rows[0]?.n ?? 0;
  }

  /** When the schools' families wrote back in [from, to): an answer in their check-in, or any text they sent. */
  async familyReplies(schools: Schools, from: number, to: number): Promise<GuardianEvent[]> {
    if (none(schools)) return [];
    const { answers, familyTexts } = this.t;
    // Answers name their author as 'guardian:<id>'.
    const family = this.guardiansOf(schools).as('family');
    const answerFields = {
      guardianId: sql<string>`substr(${answers.answeredBy}, ${'guardian:'.length + 1})`,
      at: answers.answeredAt,
    };
    const answered = await this.dialect.plainRows(
      this.db
        .select(answerFields)
        .from(answers)
        .where(
          and(
            inArray(
              answers.answeredBy,
              this.db.select({ by: sql<string>`'guardian:' || ${family.id}` }).from(family),
            ),
            gte(answers.answeredAt, from),
            lt(answers.answeredAt, to),
          ),
        ),
      (v: [string, number]): GuardianEvent => ({ guardianId: v[0], at: num(v[1]) }),
    );
    // Every text a family sends is kept in family_texts, whatever it meant (an answer, a note, STOP).
    const textFields = { guardianId: familyTexts.guardianId, at: familyTexts.receivedAt };
    const wrote = await this.dialect.plainRows(
      this.db
        .select(textFields)
        .from(familyTexts)
        .where(
          and(
            inArray(familyTexts.guardianId, this.guardiansOf(schools)),
            gte(familyTexts.receivedAt, from),
            lt(familyTexts.receivedAt, to),
          ),
        ),
      (v: [string, number]): GuardianEvent => ({ guardianId: v[0], at: num(v[1]) }),
    );
    return [...answered, ...wrote];
  }

  /** The schools' guardians' consents to be texted revoked (an opt-out) in [from, to). */
  async optOuts(schools: Schools, from: number, to: number): Promise<GuardianEvent[]> {
    if (none(schools)) return [];
    const { consents } = this.t;
    return await this.db
      .select({ guardianId: consents.guardianId, at: consents.recordedAt })
      .from(consents)
      .where(
        and(
          eq(consents.status, 'revoked'),
          gte(consents.recordedAt, from),
          lt(consents.recordedAt, to),
          inArray(consents.guardianId, this.guardiansOf(schools)),
        ),
      );
  }
}
