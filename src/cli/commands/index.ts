import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { registerDeliveryCommands } from './delivery.js';
import { registerEscalationCommands } from './escalations.js';
import { registerRosterCommands } from './roster.js';
import { registerScriptCommands } from './scripts.js';
import { registerSlackCommands } from './slack.js';

/** Each area adds its own command group here (roster, scripts, checkins, outbox, timers, ...). */
export function registerCommands(program: Command): void {
  program
    .command('version')
    .description('print the service version')
    .action(() => {
      console.log(packageVersion());
    });
  registerRosterCommands(program);
  registerDeliveryCommands(program);
  registerScriptCommands(program);
  registerSlackCommands(program);
  registerEscalationCommands(program);
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
