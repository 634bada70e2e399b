#!/usr/bin/env node
// `npm start`: builds the admin and kiosk apps if they are missing or older than their sources, then runs the server.
// `npm run dev`: the same with the server restarting on change.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAppsIfStale } from './build-apps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');

if (!buildAppsIfStale()) process.exit(1);

const main = path.join(root, 'apps', 'server', 'src', 'main.ts');
const args = dev ? ['--import', 'tsx', '--watch', main] : ['--import', 'tsx', main];
const child = spawn(process.execPath, args, { cwd: process.cwd(), stdio: 'inherit' });
// Ctrl-C reaches the child through the process group; a SIGTERM sent to us alone is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
