#!/usr/bin/env node
// `npm start`: builds the admin and kiosk apps if they are missing or older than their sources, then runs the server.
// `npm run dev`: the same with the server restarting on change.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');

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

for (const app of ['admin', 'kiosk']) {
  if (!needsBuild(app)) continue;
  process.stdout.write(`Building the ${app} app...\n`);
  const result = spawnSync('npm', ['run', 'build', '--silent', '--workspace', `@atrium/${app}`], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) {
    process.stderr.write(`atrium: building the ${app} app failed (see above)\n`);
    process.exit(1);
  }
}

const main = path.join(root, 'apps', 'server', 'src', 'main.ts');
const args = dev ? ['--import', 'tsx', '--watch', main] : ['--import', 'tsx', main];
const child = spawn(process.execPath, args, { cwd: process.cwd(), stdio: 'inherit' });
// Ctrl-C reaches the child through the process group; a SIGTERM sent to us alone is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
