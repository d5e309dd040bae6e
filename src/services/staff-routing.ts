import type { Config } from '../config.js';
import type { StaffRow } from '../store/repositories/roster.js';
import type { Channel } from '../store/schema/index.js';

/** Where a staff member is reached, or null when no configured channel reaches them. */
export type StaffRoute = (staff: StaffRow) => { channel: Channel; address: string } | null;

/**
 * The one rule for reaching staff: Slack when configured and the staff member has a Slack id, then Teams,
 * else the simulator in local mode. Example: `defaultStaffRoute(ctx.config)(counselor)`.
 */
export function defaultStaffRoute(config: Pick<Config, 'slack' | 'teams' | 'localMode'>): StaffRoute {
  return (s) => {
    if (config.slack && s.slackUserId) return { channel: 'slack', address: s.slackUserId };
    if (config.teams && s.teamsConversation) return { channel: 'teams', address: s.teamsConversation };
    return config.localMode ? { channel: 'local', address: s.id } : null;
  };
}
