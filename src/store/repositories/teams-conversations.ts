import { and, desc, eq, isNull } from 'drizzle-orm';
import type { teamsConversations } from '../schema/index.js';
import { type Actor, AuditedRepository } from './audit.js';

export type TeamsConversationRow = typeof teamsConversations.$inferSelect;

/** A conversation reference as an activity carried it, to remember. */
export type TeamsConversationInput = Omit<TeamsConversationRow, 'unreachableAt' | 'updatedAt'>;

/** Teams conversation references, and which one is a staff member's personal chat with the bot. */
export class TeamsConversationRepository extends AuditedRepository {
  /** Saves or refreshes a reference (the service URL may move); reachable again, since they just wrote. */
  async save(input: TeamsConversationInput, at: number): Promise<void> {
    const { teamsConversations } = this.t;
    await this.db
      .insert(teamsConversations)
      .values({ ...input, unreachableAt: null, updatedAt: at })
      .onConflictDoUpdate({
        target: teamsConversations.id,
        set: { ...input, unreachableAt: null, updatedAt: at },
      });
  }

  async byId(id: string): Promise<TeamsConversationRow | undefined> {
    const { teamsConversations } = this.t;
    return (await this.db.select().from(teamsConversations).where(eq(teamsConversations.id, id)))[0];
  }

  /** The newest personal chat of a Teams user (AAD object id) the bot may still write to. */
  async personalChatOf(userAadId: string): Promise<TeamsConversationRow | undefined> {
    const { teamsConversations } = this.t;
    return (
      await this.db
        .select()
        .from(teamsConversations)
        .where(
          and(
            eq(teamsConversations.userAadId, userAadId),
            eq(teamsConversations.kind, 'personal'),
            isNull(teamsConversations.unreachableAt),
          ),
        )
        .orderBy(desc(teamsConversations.updatedAt))
        .limit(1)
    )[0];
  }

  /**
   * Names (or, with null, forgets) a staff member's personal chat with the bot, audit-logged
   * ('teams_conversation'). Nothing is written when it is already so.
   */
  async linkStaff(staffId: string, conversationId: string | null, by: Actor): Promise<void> {
    const { staff } = this.t;
    const row = (
      await this.db.select({ conversation: staff.teamsConversation }).from(staff).where(eq(staff.id, staffId))
    )[0];
    if (!row || row.conversation === conversationId) return;
    await this.db
      .update(staff)
      .set({ teamsConversation: conversationId, updatedAt: by.at })
      .where(eq(staff.id, staffId));
    await this.audit.append({
      entity: 'staff',
      entityId: staffId,
      action: 'teams_conversation',
      before: { teamsConversation: row.conversation },
      after: { teamsConversation: conversationId },
      ...by,
    });
  }

  /** Forgets a staff member's personal chat, when it is still this one. */
  async unlinkStaff(staffId: string, conversationId: string, by: Actor): Promise<void> {
    const { staff } = this.t;
    const row = (
      await this.db.select({ c: staff.teamsConversation }).from(staff).where(eq(staff.id, staffId))
    )[0];
    if (row?.c === conversationId) await this.linkStaff(staffId, null, by);
  }

  /** Marks a conversation the bot may no longer write to (Teams answered 403). */
  async markUnreachable(id: string, at: number): Promise<void> {
    const { teamsConversations } = this.t;
    await this.db
      .update(teamsConversations)
      .set({ unreachableAt: at, updatedAt: at })
      .where(eq(teamsConversations.id, id));
  }
}
