/** Prints a soak figure on one line, so `npm run test:soak` ends with what was proven. */
export function figure(suite: string, values: Record<string, string | number>): void {
  const parts = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  console.log(`[soak] ${suite}: ${parts.join(' ')}`);
}

/** fast-check settings: a fixed seed unless SOAK_SEED is set, so a failure can be replayed. */
export function fuzzSettings(numRuns: number) {
  const seed = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : Date.now() % 2_147_483_647;
  return { numRuns, seed, verbose: 1 as const, endOnFailure: true };
}
