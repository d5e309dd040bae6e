import type { Command } from 'commander';
import { smsSegments } from '../../dialogs/sms.js';
import { loadLocaleResources } from '../../i18n/index.js';
import {
  checkScripts,
  FAMILY_LOCALES,
  formatProblem,
  renderText,
  WORST_CASE_PARAMS,
} from '../../scripts/check.js';
import { allScripts, SCRIPT_SOURCES } from '../../scripts/index.js';

/** `scripts check | list | sms <key>`: validate and inspect the check-in scripts and their texts. */
export function registerScriptCommands(program: Command): void {
  const scripts = program.command('scripts').description('check-in scripts: validate and inspect');

  scripts
    .command('check')
    .description('validate every script: schema, reachability, timeouts, texts in every language, SMS length')
    .action(() => {
      const problems = checkScripts(SCRIPT_SOURCES, loadLocaleResources());
      for (const p of problems) console.log(formatProblem(p));
      if (problems.length > 0) {
        console.log(`${problems.length} problem(s)`);
        process.exitCode = 1;
      } else console.log(`${SCRIPT_SOURCES.length} scripts OK`);
    });

  scripts
    .command('list')
    .description('list scripts with their version, kind and steps')
    .action(() => {
      for (const s of allScripts()) {
        const steps = [...s.sections.intro, ...s.sections.student, ...s.sections.outro].map((x) => x.id);
        console.log(
          `${s.id} v${s.version} (${s.kind}): ${s.title}\n  levels: ${s.levels.map((l) => `${l.id} from week ${l.fromWeek}`).join(', ')}\n  steps: ${steps.join(', ')}`,
        );
      }
    });

  scripts
    .command('sms')
    .argument('<key>', "a family text key, e.g. 'family.how'")
    .description('show a family text in every language with its SMS cost (worst-case parameters)')
    .action((key: string) => {
      const resources = loadLocaleResources();
      for (const locale of FAMILY_LOCALES) {
        const text = renderText(resources, locale, key, WORST_CASE_PARAMS[1]!);
        const cost = smsSegments(text);
        console.log(
          `[${locale}] ${cost.segments} segment(s), ${cost.encoding}, ${cost.units} units\n${text}\n`,
        );
      }
    });
}
