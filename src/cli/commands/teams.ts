import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { createTeamsApp } from '../../bots/teams/app.js';
import { appPackage } from '../../bots/teams/app-package.js';
import type { TeamsDirectory, UnmatchedStaff } from '../../bots/teams/directory.js';
import type { AppContext } from '../../context.js';
import { createTexts } from '../../i18n/index.js';
import { CheckinService } from '../../services/checkins.js';
import type { ContextFactory } from '../context.js';
import { listUnreached, matchAndReport, type ReachWords } from '../staff-reach.js';

const WORDS: ReachWords<UnmatchedStaff['reason']> = {
  platform: 'Teams',
  reasons: {
    no_teams_id: 'has not written to the bot, and the roster has no teams_user_id',
    not_installed: 'the app is not installed for them (or was removed or blocked)',
  },
  notReached: 'not reachable in Teams',
  notReachedLabel: 'Not reachable',
  moreFound: 'more can be matched now; run `teams match` to remember them.',
  fix:
    'Install the app for them (Teams admin center → Manage apps → the app → Add to users, or they add it ' +
    'themselves); they are found by their Microsoft 365 email when the app says hello. Then run `teams match`.',
};

/** `teams unmatched`: who cannot be reached in Teams yet, saving nothing. */
export function listUnmatched(directory: TeamsDirectory): Promise<string> {
  return listUnreached(directory, WORDS);
}

/** `teams match`: links staff to the chats the bot already has with their Teams user (audit-logged). */
export function matchNow(directory: TeamsDirectory): Promise<string> {
  return matchAndReport(directory, WORDS);
}

/** Where `teams package` writes the zip: beside the database, outside version control. */
const DEFAULT_PACKAGE = 'data/teams-app.zip';

/** Builds the app package from the repository's `teams/` folder and the configured app id. */
export function writePackage(ctx: AppContext, out: string): void {
  const zipped = appPackage(new URL('../../../teams/', import.meta.url), ctx.config);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, zipped);
}

/** Registers the `teams` command group: `teams unmatched`, `teams match`, `teams package`. */
export function registerTeamsCommands(program: Command, makeContext: ContextFactory): void {
  const run = async (fn: (directory: TeamsDirectory) => Promise<string>) => {
    const ctx = await makeContext();
    try {
      if (!ctx.config.teams) {
        console.error('Teams is not configured: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD in .env.');
        process.exitCode = 1;
        return;
      }
      const texts = createTexts({ defaultLocale: ctx.config.defaultLocale, logger: ctx.logger });
      const teams = createTeamsApp({ ctx, texts, checkins: new CheckinService(ctx, texts) });
      console.log(await fn(teams.directory));
    } finally {
      await ctx.db.close();
    }
  };
  const teams = program.command('teams').description('Microsoft Teams: who is who');
  teams
    .command('unmatched')
    .description('list staff the bot cannot reach in Teams yet, with the reason (saves nothing)')
    .action(() => run(listUnmatched));
  teams
    .command('package')
    .description("build the Teams app package (manifest with this bot's app id, and icons) to upload")
    .option('--out <file>', 'where to write the zip', DEFAULT_PACKAGE)
    .action(async (options: { out: string }) => {
      const ctx = await makeContext();
      try {
        writePackage(ctx, options.out);
        console.log(`Wrote ${options.out}. Upload it in Teams: Apps → Manage your apps → Upload an app.`);
      } catch (err) {
        console.error(err instanceof Error ? err.message : String(err));
        process.exitCode = 1;
      } finally {
        void ctx.db.close();
      }
    });
  teams
    .command('match')
    .description('link staff to the Teams chats the bot already has with them, and remember it')
    .action(() => run(matchNow));
}
