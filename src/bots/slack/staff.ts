import type { webApi } from '@slack/bolt';
import type { AppContext } from '../../context.js';
import type { StaffDirectory, StaffMember } from '../../services/staff-directory.js';
import { slackErrorCode } from './errors.js';

/**
 * A staff member the adapter could not find in the Slack workspace: reported to the admin, never skipped
 * silently. The email is for the admin's screen (`slack unmatched`) so they can fix the roster; never logged.
 */
export interface UnmatchedStaff {
  staffId: string;
  name: string;
  role: StaffMember['role'];
  email: string;
  /** not_found: no Slack user with the roster email; inactive: deactivated; error: Slack did not answer. */
  reason: 'not_found' | 'inactive' | 'error';
}

/** What a matching run did. `matched`: found in Slack now (remembered unless it was a dry run). */
export interface MatchReport {
  alreadyMatched: number;
  matched: number;
  unmatched: UnmatchedStaff[];
}

/** Which staff to match, and whether to remember the ids found (false: a dry run that only reports). */
export interface MatchOptions {
  roles?: StaffMember['role'][];
  remember?: boolean;
}

/**
 * Who is who: staff are matched to Slack users by the Slack id in the roster or, failing that, by email
 * (users.lookupByEmail), and the id found is remembered in the roster with an audit entry.
 */
export class SlackDirectory {
  private lastUnmatched = new Map<string, UnmatchedStaff>();

  constructor(
    private readonly ctx: AppContext,
    private readonly staff: StaffDirectory,
    private readonly client: webApi.WebClient,
  ) {}

  /** Staff not found in the last matching run (and since), for the admin: CLI output or the start-up log. */
  unmatched(): UnmatchedStaff[] {
    return [...this.lastUnmatched.values()].sort((a, b) => a.staffId.localeCompare(b.staffId));
  }

  /** Finds a staff member's Slack id, looking it up by email when the roster has none. */
  async match(member: StaffMember, options: { remember?: boolean } = {}): Promise<string | null> {
    if (member.slackUserId) return member.slackUserId;
    let user: { id?: string; deleted?: boolean } | undefined;
    try {
      user = (await this.client.users.lookupByEmail({ email: member.email })).user;
    } catch (err) {
      const code = slackErrorCode(err);
      return this.miss(
        member,
        code === 'users_not_found' ? 'not_found' : code === 'account_inactive' ? 'inactive' : 'error',
      );
    }
    if (!user?.id || user.deleted) return this.miss(member, user?.deleted ? 'inactive' : 'not_found');
    // Outside the try: a failed write is the database's fault, not "Slack did not answer".
    if (options.remember !== false)
      await this.staff.remember(member.id, 'slack', user.id, 'slack:lookup_by_email');
    this.lastUnmatched.delete(member.id);
    return user.id;
  }

  /** Matches every active navigator, lead navigator and counselor (by default); reports those not found. */
  async matchAll(options: MatchOptions = {}): Promise<MatchReport> {
    const roles = options.roles ?? ['navigator', 'lead_navigator', 'counselor'];
    const report: MatchReport = { alreadyMatched: 0, matched: 0, unmatched: [] };
    this.lastUnmatched.clear();
    // One at a time: users.lookupByEmail is a Tier 3 method (about 50 calls a minute).
    for (const member of await this.staff.active(roles)) {
      if (member.slackUserId) {
        report.alreadyMatched += 1;
        continue;
      }
      if (await this.match(member, { remember: options.remember !== false })) report.matched += 1;
    }
    report.unmatched = this.unmatched();
    return report;
  }

  /** The staff member already matched to a Slack user, from the roster alone (no Slack call: safe before an ack). */
  known(slackUserId: string): Promise<StaffMember | undefined> {
    return this.staff.byChatUser('slack', slackUserId);
  }

  /** The staff member behind a Slack user who wrote or clicked: by remembered id, else by the profile email. */
  async staffFor(slackUserId: string): Promise<StaffMember | undefined> {
    const known = await this.known(slackUserId);
    if (known) return known;
    let email: string | undefined;
    try {
      const info = await this.client.users.info({ user: slackUserId });
      email = info.user?.profile?.email;
    } catch (err) {
      this.ctx.logger.warn({ code: slackErrorCode(err) ?? 'error' }, 'slack: could not look a user up');
      return undefined;
    }
    return email ? this.staff.claimByEmail('slack', slackUserId, email, 'slack:profile_email') : undefined;
  }

  private miss(member: StaffMember, reason: UnmatchedStaff['reason']): null {
    this.lastUnmatched.set(member.id, {
      staffId: member.id,
      name: member.name,
      role: member.role,
      email: member.email,
      reason,
    });
    // The email stays out of the log: the staff id is enough for the admin to find the roster row.
    this.ctx.logger.warn(
      { staffId: member.id, role: member.role, reason },
      'slack: staff member not found in Slack',
    );
    return null;
  }
}
