import type { AppContext } from '../context.js';
import { RosterRepository } from '../store/repositories/roster.js';
import { SimulatorRepository } from '../store/repositories/simulator.js';

/**
 * What the local simulator shows of the demo district: who can be played, each person's messages and the
 * week's records. Its routes in src/bots/local only turn these into JSON.
 */
export class SimulatorView {
  constructor(private readonly ctx: Pick<AppContext, 'db' | 'clock'>) {}

  /** Navigators with their school and caseload size, family phones with their children, and the staff. */
  async people() {
    const roster = new RosterRepository(this.ctx.db);
    const sizes = await roster.caseloadSizes();
    const schools = new Map((await roster.schools()).map((s) => [s.id, s.name]));
    const schoolOf = (schoolId: string | null) => (schoolId ? (schools.get(schoolId) ?? schoolId) : '');
    const navigators = (await roster.staffList(['navigator'])).map((s) => ({
      ...s,
      school: schoolOf(s.schoolId),
      students: sizes.get(s.id) ?? 0,
    }));
    const guardians = [];
    for (const g of await new SimulatorRepository(this.ctx.db).guardians()) {
      if (g.phone) guardians.push({ ...g, children: await roster.studentsOfGuardian(g.id) });
    }
    const staff = (await roster.staffList(['counselor', 'lead_navigator'])).map((s) => ({
      ...s,
      school: schoolOf(s.schoolId),
    }));
    return { navigators, guardians, staff };
  }

  /** Messages queued or sent to one person, oldest first. */
  messagesTo(personId: string) {
    return new SimulatorRepository(this.ctx.db).messagesTo(personId);
  }

  /** Makes the texts quiet hours hold due now (audit-logged by the relay); returns how many. */
  releaseHeld(): Promise<number> {
    return new SimulatorRepository(this.ctx.db).releaseHeld(this.ctx.clock());
  }

  /** The week's navigator check-ins by status, and the latest needs, escalations and answers. */
  async records(period: string) {
    const sim = new SimulatorRepository(this.ctx.db);
    return {
      checkins: await sim.checkinCounts(period),
      needs: await sim.latestNeeds(),
      escalations: await sim.latestEscalations(),
      answers: await sim.latestAnswers(),
    };
  }
}
