import { eq } from 'drizzle-orm';
import { type Actor, AuditedRepository } from './audit.js';

/** The chat platforms a staff member has a user id on. */
export type ChatChannel = 'slack' | 'teams';

const COLUMN = { slack: 'slackUserId', teams: 'teamsUserId' } as const;

/** Which chat user a staff member is, once found (by email, or by who wrote). */
export class ChatIdentityRepository extends AuditedRepository {
  /** Remembers a staff member's user id on a chat platform, audit-logged ('slack_match'). */
  async remember(staffId: string, channel: ChatChannel, userId: string, by: Actor): Promise<void> {
    const { staff } = this.t;
    const column = COLUMN[channel];
    const [row] = await this.db.select({ userId: staff[column] }).from(staff).where(eq(staff.id, staffId));
    if (!row || row.userId === userId) return;
    await this.db
      .update(staff)
      .set({ [column]: userId, updatedAt: by.at })
      .where(eq(staff.id, staffId));
    await this.audit.append({
      entity: 'staff',
      entityId: staffId,
      action: `${channel}_match`,
      before: { [column]: row.userId },
      after: { [column]: userId },
      ...by,
    });
  }
}
