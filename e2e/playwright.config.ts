import { defineConfig } from '@playwright/test';

/**
 * The kiosk end-to-end run: Debian's Chromium with a fake camera against the real server (started once in the global
 * setup on a fresh PostgreSQL database). Each test pairs its own kiosk in its own browser, so tests run in parallel;
 * two workers fit the two-core machines this runs on.
 */
export default defineConfig({
  testDir: '.',
  testMatch: ['kiosk.spec.ts'],
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
