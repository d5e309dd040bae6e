import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { runGolden } from './golden-runner.js';

const dir = join(import.meta.dirname, 'golden');

describe('golden transcripts', () => {
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort())
    it(file.replace(/\.txt$/, ''), () => runGolden(join(dir, file)));
});
