import { asc, eq } from 'drizzle-orm';
import type { escalationNotes } from '../schema/index.js';
import { Repository } from '../store.js';

export type EscalationNoteRow = typeof escalationNotes.$inferSelect;

/** What staff wrote on an escalation, oldest first; shown only in the private view. */
export class EscalationNoteRepository extends Repository {
  async add(row: EscalationNoteRow): Promise<EscalationNoteRow> {
    await this.db.insert(this.t.escalationNotes).values(row);
    return row;
  }

  async notesOf(escalationId: string): Promise<EscalationNoteRow[]> {
    const { escalationNotes } = this.t;
    return await this.db
      .select()
      .from(escalationNotes)
      .where(eq(escalationNotes.escalationId, escalationId))
      .orderBy(asc(escalationNotes.createdAt), asc(escalationNotes.id));
  }
}
