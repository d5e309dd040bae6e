import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ContextFactory } from '../context.js';
import { registerDbCommands } from './db.js';
import { registerDeliveryCommands } from './delivery.js';
import { registerDigestCommands } from './digest.js';
import { registerEscalationCommands } from './escalations.js';
import { registerReferralCommands } from './referrals.js';
import { registerRetentionCommands } from './retention.js';
import { registerRosterCommands } from './roster.js';
import { registerScriptCommands } from './scripts.js';
import { registerServiceCommands } from './services.js';
import { registerSlackCommands } from './slack.js';
import { registerTaskCommands } from './tasks.js';
import { registerTeamsCommands } from './teams.js';

/**
 * Each area adds its own command group here (roster, scripts, checkins, outbox, timers, ...). `makeContext`
 * opens a fresh context per command; the entry point builds it from the environment.
 */
export function registerCommands(program: Command, makeContext: ContextFactory): void {
  program
    .command('version')
    .description('print the service version')
    .action(() => {
      console.log(packageVersion());
    });
  registerRosterCommands(program, makeContext);
  registerDeliveryCommands(program, makeContext);
  registerScriptCommands(program);
  registerSlackCommands(program, makeContext);
  registerTeamsCommands(program, makeContext);
  registerEscalationCommands(program, makeContext);
  registerDigestCommands(program, makeContext);
  registerDbCommands(program, makeContext);
  registerRetentionCommands(program, makeContext);
  registerServiceCommands(program, makeContext);
  registerReferralCommands(program, makeContext);
  registerTaskCommands(program, makeContext);
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
