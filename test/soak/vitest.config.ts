import { defineConfig } from 'vitest/config';

// The proving suites: thousands of fuzzed cases, crashes and a simulated week. Too long for `npm test`;
// `npm run test:soak` runs them (and CI after the normal suite). Each prints its figures.
export default defineConfig({
  test: {
    include: ['test/soak/**/*.soak.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
});
