import type { Actor } from '../store/repositories/audit.js';
import type { ConsentRepository } from '../store/repositories/consents.js';
import type { Change, RosterRepository } from '../store/repositories/roster.js';
import { guardianColumn } from './columns.js';
import type { PlannedGuardian, RosterPlan } from './plan.js';
import {
  type ChangeCounts,
  emptyChanges,
  type RosterEntity,
  type RosterMove,
  type RosterProblem,
} from './report.js';

/** What applying a plan did. */
export interface Applied {
  changes: Record<RosterEntity, ChangeCounts>;
  moves: RosterMove[];
  problems: RosterProblem[];
}

/** Consent from the roster never overrides a family's own choice made by text message. */
export const ROSTER_CONSENT_SOURCE = 'roster_import';

/**
 * Writes a plan through the repositories (which audit-log every change), in the caller's transaction.
 * Order matters: schools before staff and students, guardians before links, staff before assignments.
 */
export async function applyRosterPlan(
  plan: RosterPlan,
  roster: RosterRepository,
  consents: ConsentRepository,
  by: Actor,
  largeCaseload: number,
): Promise<Applied> {
  const changes = emptyChanges();
  const moves: RosterMove[] = [];
  const problems: RosterProblem[] = [];
  const count = (entity: RosterEntity, change: Change) => {
    changes[entity][change]++;
  };

  for (const s of plan.schools) count('schools', (await roster.upsertSchool(s, by)).change);
  for (const { file: _f, line: _l, ...s } of plan.staff)
    count('staff', (await roster.upsertStaff(s, by)).change);
  for (const g of plan.guardians) {
    const { file: _f, line: _l, slot: _s, smsConsent: _c, ...input } = g;
    count('guardians', (await roster.upsertGuardian(input, by)).change);
  }
  for (const s of plan.students) {
    count('students', (await roster.upsertStudent(s.input, by)).change);
    const links = await roster.setGuardians(s.input.id, s.links, by);
    changes.links.created += links.added;
    changes.links.updated += links.updated;
    changes.links.removed += links.removed;
    changes.links.unchanged += s.links.length - links.added - links.updated;
    const a = await roster.assignNavigator(s.input.id, s.navigatorId, by);
    if (a.change === 'assigned') changes.assignments.created++;
    else if (a.change === 'unassigned') changes.assignments.removed++;
    else if (a.change === 'unchanged') {
      if (s.navigatorId) changes.assignments.unchanged++;
    } else {
      changes.assignments.updated++;
      moves.push({ file: s.file, line: s.line, studentId: s.input.id, from: a.from!, to: a.to! });
    }
  }
  for (const g of plan.guardians) {
    const outcome = await applyConsent(g, consents, by);
    if (outcome === 'recorded') changes.consents.created++;
    else if (outcome === 'unchanged') changes.consents.unchanged++;
    else if (outcome === 'family_revoked')
      problems.push({
        file: g.file,
        line: g.line,
        column: guardianColumn(g.slot, 'sms_consent'),
        severity: 'warning',
        message: `guardian ${g.id} stopped texts themselves; the roster cannot grant consent again`,
      });
  }

  // Only navigators this import touched: warning about the whole district on every import would be noise.
  const sizes = await roster.caseloadSizes();
  const warned = new Set<string>();
  for (const s of plan.students) {
    const nav = s.navigatorId;
    if (!nav || warned.has(nav)) continue;
    const size = sizes.get(nav) ?? 0;
    if (size > largeCaseload) {
      warned.add(nav);
      problems.push({
        file: s.file,
        line: null,
        column: null,
        severity: 'warning',
        message: `navigator ${nav} has ${size} students (more than ${largeCaseload}); weekly check-ins may not get done`,
      });
    }
  }
  return { changes, moves, problems };
}

/**
 * yes: grants when nothing is recorded, or when the last 'no' came from the roster itself.
 * no: revokes unless already revoked (the district knows the family declined).
 * blank: records nothing.
 */
async function applyConsent(
  g: PlannedGuardian,
  consents: ConsentRepository,
  by: Actor,
): Promise<'recorded' | 'unchanged' | 'family_revoked' | 'not_stated'> {
  if (g.smsConsent === null) return 'not_stated';
  const latest = await consents.latest(g.id);
  const record = async (status: 'granted' | 'revoked') => {
    await consents.record({ guardianId: g.id, status, source: ROSTER_CONSENT_SOURCE, locale: g.locale }, by);
    return 'recorded' as const;
  };
  if (g.smsConsent) {
    if (!latest) return record('granted');
    if (latest.status === 'granted') return 'unchanged';
    return latest.source === ROSTER_CONSENT_SOURCE ? record('granted') : 'family_revoked';
  }
  return latest?.status === 'revoked' ? 'unchanged' : record('revoked');
}
