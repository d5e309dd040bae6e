import 'dotenv/config';
import { Command } from 'commander';
import { ConfigError } from '../config.js';
import { registerCommands } from './commands/index.js';
import { cliContext } from './context.js';

const program = new Command();
program
  .name('npm run cli --')
  .description('Admin commands for the navigator check-in service. Run a command with --help for details.')
  .showHelpAfterError()
  .exitOverride((err) => {
    process.exit(err.exitCode);
  });

registerCommands(program, () => cliContext(process.env));

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
