import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Test files run in parallel across forks; each file gets its own database
    // (a PGlite instance or a PostgreSQL schema), so they never share state.
    pool: 'forks',
    maxWorkers: 2,
    // Tests run the local sandbox setup (APP_ENV=local: sandbox defaults, loopback only);
    // the production refusals are tested with explicit env objects.
    env: { APP_ENV: 'local' },
    projects: [
      // Pure unit tests beside the code: no database, so no template to build
      // (`npx vitest run src/domain` takes about a second).
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts', 'test/architecture.test.ts'] } },
      // Everything that talks to a database, a sandbox or a browser.
      {
        extends: true,
        test: {
          name: 'database',
          include: ['test/**/*.test.ts'],
          exclude: ['test/architecture.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
        },
      },
    ],
  },
});
