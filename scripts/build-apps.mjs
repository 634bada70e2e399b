#!/usr/bin/env node
// Builds the admin and kiosk apps if they are missing or older than their sources (theirs or a shared package's).
// Used by `npm start`, by `npm test` before the suites that serve the apps, and runnable on its own.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function needsBuild(app) {
  const index = path.join(root, 'apps', app, 'dist', 'index.html');
  if (!fs.existsSync(index)) return true;
  const built = fs.statSync(index).mtimeMs;
  const sources = [path.join(root, 'apps', app), path.join(root, 'packages')];
  return sources.some((dir) => newestMtime(dir) > built);
}

/** Builds what is stale; returns false (after printing why) if a build failed. */
export function buildAppsIfStale(apps = ['admin', 'kiosk']) {
  for (const app of apps) {
    if (!needsBuild(app)) continue;
    process.stdout.write(`Building the ${app} app...\n`);
    const result = spawnSync('npm', ['run', 'build', '--silent', '--workspace', `@atrium/${app}`], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      // Called from inside vitest too, where NODE_ENV=test: Vite would then build React's development bundle and
      // leave import.meta.env.PROD false, so the kiosk would ship without its service worker.
      env: { ...process.env, NODE_ENV: 'production' },
    });
    if (result.status !== 0) {
      process.stderr.write(`atrium: building the ${app} app failed (see above)\n`);
      return false;
    }
  }
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exit(buildAppsIfStale() ? 0 : 1);
}
