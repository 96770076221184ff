import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Test files run in parallel across forks; each file gets its own database
    // (a PGlite instance or a PostgreSQL schema), so they never share state.
    pool: 'forks',
    maxWorkers: 2,
    // Tests run the local sandbox setup (APP_ENV=local: sandbox defaults, loopback only);
    // the production refusals are tested with explicit env objects.
    env: { APP_ENV: 'local' },
  },
});
