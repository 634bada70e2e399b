import { defineConfig } from '@playwright/test';

/**
 * The browser end-to-end run, Debian's Chromium against the real server. The kiosk specs share one server on a fresh
 * PostgreSQL database (started in the global setup) and pair a kiosk each, so they run in parallel; the admin spec and
 * the golden journey start their own stacks (server, agent, and `npm start` on the embedded database). Two workers fit
 * the two-core machines this runs on.
 */
export default defineConfig({
  testDir: '.',
  testMatch: [
    'kiosk.spec.ts',
    'kiosk-ux.spec.ts',
    'admin.spec.ts',
    'admin-ux.spec.ts',
    'admin-ux2.spec.ts',
    'golden-journey.spec.ts',
    'sso.spec.ts',
  ],
  globalSetup: './global-setup.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 10_000 },
  forbidOnly: true,
  outputDir: 'test-results',
  reporter: [['list']],
  use: { trace: 'retain-on-failure' },
});
