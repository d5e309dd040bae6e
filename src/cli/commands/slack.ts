import type { Command } from 'commander';
import { createSlackApp, type SlackApp } from '../../bots/slack/app.js';
import { slackErrorCode } from '../../bots/slack/errors.js';
import type { SlackDirectory, UnmatchedStaff } from '../../bots/slack/staff.js';
import type { AppContext } from '../../context.js';
import { createTexts } from '../../i18n/index.js';
import { CheckinService } from '../../services/checkins.js';
import type { ContextFactory } from '../context.js';
import { listUnreached, matchAndReport, type ReachWords } from '../staff-reach.js';

const WORDS: ReachWords<UnmatchedStaff['reason']> = {
  platform: 'Slack',
  reasons: {
    not_found: 'no Slack user with this email',
    inactive: 'Slack account deactivated',
    error: 'Slack did not answer; try again',
  },
  notReached: 'not found in Slack',
  notReachedLabel: 'Not found',
  moreFound: 'more found in Slack by email; run `slack match` to remember them.',
  fix: 'Fix the email in the roster (or fill slack_user_id), import it again, then run `slack match`.',
};

/** `slack unmatched`: looks every unmatched staff member up in Slack without saving anything; lists who is missing. */
export function listUnmatched(directory: SlackDirectory): Promise<string> {
  return listUnreached(directory, WORDS);
}

/** `slack match`: matches staff to Slack users now (ids remembered, audit-logged) and prints the counts. */
export function matchNow(directory: SlackDirectory): Promise<string> {
  return matchAndReport(directory, WORDS);
}

/** The Slack adapter for a CLI command (nothing listens), or null when Slack is not configured. */
export function openSlack(ctx: AppContext): SlackApp | null {
  if (!ctx.config.slack) return null;
  const texts = createTexts({ defaultLocale: ctx.config.defaultLocale, logger: ctx.logger });
  return createSlackApp({ ctx, texts, checkins: new CheckinService(ctx, texts), verifyToken: false });
}

/** Registers the `slack` command group: `slack unmatched`, `slack match`. */
export function registerSlackCommands(program: Command, makeContext: ContextFactory): void {
  const run = async (fn: (directory: SlackDirectory) => Promise<string>) => {
    const ctx = await makeContext();
    const fail = (message: string) => {
      console.error(message);
      process.exitCode = 1;
    };
    try {
      const slack = openSlack(ctx);
      if (!slack)
        return fail('Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET in .env.');
      try {
        await slack.client.auth.test();
      } catch (err) {
        return fail(`Slack did not accept the bot token (${slackErrorCode(err) ?? 'no answer'}).`);
      }
      console.log(await fn(slack.directory));
    } finally {
      await ctx.db.close();
    }
  };
  const slack = program.command('slack').description('Slack workspace: who is who');
  slack
    .command('unmatched')
    .description('list staff the bot cannot find in Slack, with the reason (looks up, saves nothing)')
    .action(() => run(listUnmatched));
  slack
    .command('match')
    .description('match staff to Slack users by roster email now and remember the ids')
    .action(() => run(matchNow));
}
