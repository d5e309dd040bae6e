import { and, desc, inArray } from 'drizzle-orm';
import { Repository } from '../store.js';
import type { EscalationRow } from './needs.js';

/** Escalations not yet resolved, as a navigator sees them on their students. */
export class StudentEscalationRepository extends Repository {
  /** The open (not resolved) escalations about these students, newest first. */
  async openFor(studentIds: string[]): Promise<EscalationRow[]> {
    if (studentIds.length === 0) return [];
    const { escalations } = this.t;
    return await this.db
      .select()
      .from(escalations)
      .where(
        and(
          inArray(escalations.studentId, studentIds),
          inArray(escalations.status, ['open', 'claimed', 'acknowledged']),
        ),
      )
      .orderBy(desc(escalations.createdAt));
  }
}
