import type { TurnContext } from '@microsoft/agents-hosting';
import type { AppContext } from '../../context.js';
import type { StaffDirectory, StaffMember } from '../../services/staff-directory.js';
import type { TeamsConversations } from '../../services/teams-conversations.js';
import { teamsStatus } from './errors.js';

/**
 * A staff member the bot cannot reach in Teams, for the admin (`teams unmatched`); the email is for the
 * admin's screen, never logged. not_installed: no personal chat with the bot yet (they have not installed
 * the app, or it was removed); no_teams_id: the roster has no Teams user and they have not written yet.
 */
export interface UnmatchedStaff {
  staffId: string;
  name: string;
  role: StaffMember['role'];
  email: string;
  reason: 'not_installed' | 'no_teams_id';
}

export interface MatchReport {
  alreadyMatched: number;
  matched: number;
  unmatched: UnmatchedStaff[];
}

/** The member profile the Bot Connector returns (TeamsChannelAccount): AAD id, email and UPN. */
interface TeamsMember {
  email?: string;
  userPrincipalName?: string;
}

/**
 * Who is who in Teams: staff are matched by their AAD object id (the roster's teams_user_id, or remembered)
 * or, failing that, by the email or UPN of their Teams profile; the id found is remembered with an audit
 * entry. Teams gives no look-up by email without Graph permissions, so a person is found when they install
 * the app or write to the bot.
 */
export class TeamsDirectory {
  constructor(
    private readonly ctx: AppContext,
    private readonly staff: StaffDirectory,
    private readonly conversations: TeamsConversations,
  ) {}

  /** The staff member behind whoever sent this activity: by AAD id, else by their profile's email. */
  async staffFor(context: TurnContext): Promise<StaffMember | undefined> {
    const aadId = context.activity.from?.aadObjectId;
    if (!aadId) return undefined;
    const known = await this.staff.byChatUser('teams', aadId);
    if (known) return known;
    const email = await this.profileEmail(context);
    return email ? this.staff.claimByEmail('teams', aadId, email, 'teams:profile_email') : undefined;
  }

  /**
   * Matches active staff to the personal chats the bot already has: for staff whose roster row names a
   * Teams user, that user's chat becomes theirs. With `remember: false` only reports.
   */
  async matchAll(options: { remember?: boolean } = {}): Promise<MatchReport> {
    const report: MatchReport = { alreadyMatched: 0, matched: 0, unmatched: [] };
    for (const member of await this.staff.active(['navigator', 'lead_navigator', 'counselor'])) {
      if (member.teamsConversation) {
        report.alreadyMatched += 1;
        continue;
      }
      const miss = (reason: UnmatchedStaff['reason']) =>
        report.unmatched.push({
          staffId: member.id,
          name: member.name,
          role: member.role,
          email: member.email,
          reason,
        });
      if (!member.teamsUserId) {
        miss('no_teams_id');
        continue;
      }
      const chat =
        options.remember === false
          ? await this.conversations.hasPersonalChat(member.teamsUserId)
          : await this.conversations.linkPersonalChat(member.id, member.teamsUserId, 'cli:teams_match');
      if (chat) report.matched += 1;
      else miss('not_installed');
    }
    report.unmatched.sort((a, b) => a.staffId.localeCompare(b.staffId));
    return report;
  }

  private async profileEmail(context: TurnContext): Promise<string | undefined> {
    const { from, conversation } = context.activity;
    const client = context.turnState.get(context.adapter.ConnectorClientKey) as
      | { getConversationMember(userId: string, conversationId: string): Promise<TeamsMember> }
      | undefined;
    if (!client || !from?.id || !conversation?.id) return undefined;
    try {
      const member = await client.getConversationMember(from.id, conversation.id);
      return member.email || member.userPrincipalName || undefined;
    } catch (err) {
      this.ctx.logger.warn({ status: teamsStatus(err) ?? 'network' }, 'teams: could not look a user up');
      return undefined;
    }
  }
}
