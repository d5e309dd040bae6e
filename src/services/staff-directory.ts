import type { AppContext } from '../context.js';
import { type ChatChannel, ChatIdentityRepository } from '../store/repositories/chat-identities.js';
import { RosterRepository, type StaffRow } from '../store/repositories/roster.js';

export type { ChatChannel } from '../store/repositories/chat-identities.js';

/** A staff member as the roster holds them (chat ids, language, time zone, out-of-office dates). */
export type StaffMember = StaffRow;

/**
 * Who a chat user is in the district roster. A chat adapter finds people by the platform's user id, else by
 * the email of their chat profile; the id found is remembered (audit-logged) so the next look-up is local.
 */
export class StaffDirectory {
  private readonly roster: RosterRepository;

  constructor(private readonly ctx: AppContext) {
    this.roster = new RosterRepository(ctx.db);
  }

  byId(staffId: string): Promise<StaffMember | undefined> {
    return this.roster.staffById(staffId);
  }

  /** The staff member already known by this chat user id. */
  byChatUser(channel: ChatChannel, userId: string): Promise<StaffMember | undefined> {
    return channel === 'slack' ? this.roster.staffBySlackId(userId) : this.roster.staffByTeamsId(userId);
  }

  /** Active staff of these roles, to match against the chat workspace. */
  async active(roles: StaffMember['role'][]): Promise<StaffMember[]> {
    return (await this.roster.staffList(roles)).filter((s) => s.active);
  }

  /**
   * The staff member whose roster email is a chat user's profile email, who thereby becomes that user
   * (remembered as `actor`). Refused when the roster row already belongs to another chat user: a shared or
   * reused email must not let one person act as another.
   */
  async claimByEmail(
    channel: ChatChannel,
    userId: string,
    email: string,
    actor: string,
  ): Promise<StaffMember | undefined> {
    const member = await this.roster.staffByEmail(email);
    const current = channel === 'slack' ? member?.slackUserId : member?.teamsUserId;
    if (!member || (current && current !== userId)) return undefined;
    await this.remember(member.id, channel, userId, actor);
    return this.roster.staffById(member.id);
  }

  /** Remembers a staff member's chat user id (found by email), audit-logged as `actor`. */
  async remember(staffId: string, channel: ChatChannel, userId: string, actor: string): Promise<void> {
    const by = { actor, at: this.ctx.clock() };
    await this.ctx.db.transaction((tx) =>
      new ChatIdentityRepository(tx).remember(staffId, channel, userId, by),
    );
  }
}
