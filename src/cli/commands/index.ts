import type { Command } from 'commander';

/** Each area adds its own command group here (roster, scripts, checkins, outbox, timers, ...). */
export function registerCommands(program: Command): void {
  program
    .command('version')
    .description('print the service version')
    .action(() => {
      console.log(process.env.npm_package_version ?? 'unknown');
    });
}
