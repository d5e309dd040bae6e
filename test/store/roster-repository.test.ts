import { afterEach, describe, expect, it } from 'vitest';
import { type Db, engineOf } from '../../src/store/db.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { ConsentRepository } from '../../src/store/repositories/consents.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { describeEngines } from '../helpers/engines.js';
import { tablesOf } from '../helpers/tables.js';

const by = (at: number) => ({ actor: 'test', at });

describeEngines('roster store', (open) => {
  const opened: Db[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
  });

  async function seeded() {
    const db = await open();
    opened.push(db);
    const roster = new RosterRepository(db);
    await roster.upsertSchool({ id: 'sch-1', name: 'Lincoln', timezone: 'America/Chicago' }, by(1));
    for (const id of ['nav-1', 'nav-2'])
      await roster.upsertStaff(
        {
          id,
          schoolId: 'sch-1',
          name: id,
          email: `${id}@Example.org`,
          role: 'navigator',
          slackUserId: id === 'nav-1' ? 'U1' : null,
          teamsUserId: null,
          timezone: 'America/Chicago',
          locale: 'en',
        },
        by(1),
      );
    await roster.upsertStudent(
      { id: 'S1', schoolId: 'sch-1', firstName: 'Ana', lastName: 'Ruiz', grade: '5' },
      by(1),
    );
    await roster.upsertStudent(
      { id: 'S2', schoolId: 'sch-1', firstName: 'Ben', lastName: 'Ruiz', grade: '3' },
      by(1),
    );
    return { db, roster, audit: new AuditRepository(db) };
  }

  describe('RosterRepository', () => {
    it('reports created, unchanged and updated, and audits only real changes', async () => {
      const { roster, audit } = await seeded();
      const before = await audit.count();
      const same = await roster.upsertSchool(
        { id: 'sch-1', name: 'Lincoln', timezone: 'America/Chicago' },
        by(2),
      );
      expect(same.change).toBe('unchanged');
      expect(await audit.count()).toBe(before);
      const renamed = await roster.upsertSchool(
        { id: 'sch-1', name: 'Lincoln Elementary', timezone: 'America/Chicago' },
        by(3),
      );
      expect(renamed.change).toBe('updated');
      expect(renamed.row.updatedAt).toBe(3);
      const entries = await audit.listFor('school', 'sch-1');
      expect(entries.map((e) => e.action)).toEqual(['create', 'update']);
      expect(entries[1]).toMatchObject({
        actor: 'test',
        at: 3,
        before: { id: 'sch-1', name: 'Lincoln', timezone: 'America/Chicago' },
        after: { id: 'sch-1', name: 'Lincoln Elementary', timezone: 'America/Chicago' },
      });
    });

    it('finds staff by Slack id and by e-mail in any case', async () => {
      const { roster } = await seeded();
      expect((await roster.staffBySlackId('U1'))?.id).toBe('nav-1');
      expect((await roster.staffByEmail('NAV-2@example.ORG'))?.id).toBe('nav-2');
      expect(await roster.staffByTeamsId('nope')).toBeUndefined();
    });

    it('links guardians to several students and finds guardians sharing a phone', async () => {
      const { roster } = await seeded();
      const g = { name: 'Rosa', phone: '+13125550101', locale: 'es', timezone: 'America/Chicago' };
      await roster.upsertGuardian({ id: 'G1', ...g }, by(1));
      await roster.upsertGuardian({ id: 'G2', ...g, name: 'Luis' }, by(1));
      await roster.setGuardians(
        'S1',
        [
          { guardianId: 'G1', relationship: 'mother' },
          { guardianId: 'G2', relationship: null },
        ],
        by(1),
      );
      await roster.setGuardians('S2', [{ guardianId: 'G1', relationship: 'mother' }], by(1));
      expect((await roster.studentsOfGuardian('G1')).map((s) => s.id)).toEqual(['S1', 'S2']);
      expect((await roster.guardiansOf('S1')).map((x) => [x.id, x.relationship])).toEqual([
        ['G1', 'mother'],
        ['G2', null],
      ]);
      expect((await roster.guardiansByPhone('+13125550101')).map((x) => x.id)).toEqual(['G1', 'G2']);
      expect(await roster.setGuardians('S1', [{ guardianId: 'G1', relationship: 'mother' }], by(2))).toEqual({
        added: 0,
        removed: 1,
        updated: 0,
      });
    });

    it('keeps an opted-out guardian opted out when the phone changes, and marks a guardian without phone unreachable', async () => {
      const { db, roster } = await seeded();
      const g = { id: 'G1', name: 'Rosa', phone: null, locale: 'es', timezone: 'America/Chicago' };
      expect((await roster.upsertGuardian(g, by(1))).row.smsStatus).toBe('unreachable');
      expect((await roster.upsertGuardian({ ...g, phone: '+13125550101' }, by(2))).row.smsStatus).toBe(
        'active',
      );
      await engineOf(db).update(tablesOf(db).guardians).set({ smsStatus: 'opted_out' });
      expect((await roster.upsertGuardian({ ...g, phone: '+13125550102' }, by(3))).row.smsStatus).toBe(
        'opted_out',
      );
    });

    it('assigns, moves and unassigns a student, with before and after in the audit log', async () => {
      const { roster, audit } = await seeded();
      expect(await roster.assignNavigator('S1', 'nav-1', by(1))).toEqual({
        change: 'assigned',
        from: null,
        to: 'nav-1',
      });
      expect((await roster.assignNavigator('S1', 'nav-1', by(2))).change).toBe('unchanged');
      expect(await roster.assignNavigator('S1', 'nav-2', by(3))).toEqual({
        change: 'moved',
        from: 'nav-1',
        to: 'nav-2',
      });
      expect((await roster.caseloadOf('nav-2')).map((s) => s.id)).toEqual(['S1']);
      expect(await roster.caseloadSizes()).toEqual(new Map([['nav-2', 1]]));
      expect((await roster.assignNavigator('S1', null, by(4))).change).toBe('unassigned');
      expect(
        (await audit.listFor('assignment', 'S1')).map((e) => [e.action, e.before, e.after, e.at]),
      ).toEqual([
        ['assign', null, { navigatorId: 'nav-1' }, 1],
        ['move', { navigatorId: 'nav-1' }, { navigatorId: 'nav-2' }, 3],
        ['unassign', { navigatorId: 'nav-2' }, null, 4],
      ]);
    });
  });

  describe('ConsentRepository', () => {
    it('keeps the newest record in force and audits each record', async () => {
      const { db, roster, audit } = await seeded();
      await roster.upsertGuardian(
        { id: 'G1', name: 'Rosa', phone: null, locale: 'es', timezone: 'America/Chicago' },
        by(1),
      );
      const consents = new ConsentRepository(db);
      expect(await consents.current('G1')).toBe('none');
      await consents.record(
        { guardianId: 'G1', status: 'granted', source: 'roster_import', locale: 'es' },
        by(5),
      );
      await consents.record(
        { guardianId: 'G1', status: 'revoked', source: 'sms_keyword', locale: 'es' },
        by(6),
      );
      expect(await consents.current('G1')).toBe('revoked');
      expect((await consents.history('G1')).map((c) => c.source)).toEqual(['roster_import', 'sms_keyword']);
      expect((await audit.listFor('consent', 'G1')).map((e) => [e.action, e.before, e.actor])).toEqual([
        ['grant', null, 'test'],
        ['revoke', { status: 'granted', source: 'roster_import' }, 'test'],
      ]);
    });
  });
});
