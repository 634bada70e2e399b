#!/usr/bin/env node
// `npm test`: checks system prerequisites, runs every tier, and ends with one line `N passed, N failed`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePrerequisites } from './prereqs.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const postgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const extraArgs = process.argv.slice(2);

try {
  await ensurePrerequisites({ postgresUrl });
} catch (error) {
  process.stderr.write(`npm test: ${error.message}\n`);
  process.stdout.write('0 passed, 1 failed\n');
  process.exit(1);
}

function run(command, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const results = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-test-'));
const suites = [];

// Unit and both database tiers (PGlite and PostgreSQL) in one vitest run.
{
  const report = path.join(results, 'vitest.json');
  const code = await run(
    path.join(root, 'node_modules', '.bin', 'vitest'),
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extraArgs],
    { TEST_DATABASE_URL: postgresUrl },
  );
  let passed = 0;
  let failed = 0;
  if (fs.existsSync(report)) {
    const json = JSON.parse(fs.readFileSync(report, 'utf8'));
    passed = json.numPassedTests;
    failed =
      json.numFailedTests +
      (json.numTotalTestSuites > 0 && json.success === false && json.numFailedTests === 0 ? 1 : 0);
    if (json.numTotalTests === 0) failed += 1;
  } else {
    failed = 1;
  }
  if (code !== 0 && failed === 0) failed = 1;
  suites.push({ name: 'vitest (unit, db-pglite, db-postgres)', passed, failed });
}

// Browser end-to-end (Playwright, Debian Chromium, the real server on a fresh PostgreSQL database). Skipped when
// arguments were given: those filter vitest files and are meant for a quick partial run.
if (extraArgs.length === 0) {
  const report = path.join(results, 'playwright.json');
  const code = await run(
    path.join(root, 'node_modules', '.bin', 'playwright'),
    ['test', '--config', path.join(root, 'e2e', 'playwright.config.ts'), '--reporter=list,json'],
    { TEST_DATABASE_URL: postgresUrl, PLAYWRIGHT_JSON_OUTPUT_FILE: report },
  );
  let passed = 0;
  let failed = 0;
  if (fs.existsSync(report)) {
    const { stats, errors } = JSON.parse(fs.readFileSync(report, 'utf8'));
    passed = stats.expected;
    failed = stats.unexpected + stats.flaky;
    // A failed global setup runs no test at all; it still has to count.
    if (errors.length > 0 && failed === 0) failed = 1;
    if (stats.expected + stats.unexpected + stats.flaky === 0) failed += 1;
  } else {
    failed = 1;
  }
  if (code !== 0 && failed === 0) failed = 1;
  suites.push({ name: 'playwright (e2e)', passed, failed });
}

fs.rmSync(results, { recursive: true, force: true });
for (const suite of suites) process.stdout.write(`${suite.name}: ${suite.passed} passed, ${suite.failed} failed\n`);
const passed = suites.reduce((sum, s) => sum + s.passed, 0);
const failed = suites.reduce((sum, s) => sum + s.failed, 0);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
