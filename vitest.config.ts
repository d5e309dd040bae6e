import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 20_000,
    // With TEST_DATABASE_URL set, makes the migrated template PostgreSQL test databases are copied from.
    globalSetup: ['test/setup/postgres-template.ts'],
  },
});
