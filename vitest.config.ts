import { defineConfig } from 'vitest/config';

// Unit tests run once; database tests (*.db.test.ts) run once per backend so both stay on one code path.
const dbTests = ['apps/**/*.db.test.ts', 'packages/**/*.db.test.ts', 'e2e/integration/**/*.db.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['apps/*/src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'e2e/integration/**/*.process.test.ts'],
          exclude: [...dbTests, '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'db-pglite',
          include: dbTests,
          // TZ: the first site takes the server's zone, and the tests expect UTC wherever they run.
          env: { ATRIUM_TEST_BACKEND: 'pglite', TZ: 'UTC' },
          globalSetup: ['apps/server/test/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'db-postgres',
          include: dbTests,
          env: { ATRIUM_TEST_BACKEND: 'postgres', TZ: 'UTC' },
          globalSetup: ['apps/server/test/global-setup.ts'],
        },
      },
    ],
  },
});
