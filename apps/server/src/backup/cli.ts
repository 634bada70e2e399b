/**
 * `npm run backup [-- --out FILE]` and `npm run restore -- FILE [--force]` for the embedded database.
 *
 * Backup works while the server runs: the server owns the data directory (one process per PGlite directory), so the
 * command leaves a request in DATA_DIR and signals the server (SIGUSR2), which writes the archive between queries.
 * With no server running, the command opens the directory itself. Restore needs the server stopped and never deletes
 * anything: a database already in DATA_DIR is moved aside. PostgreSQL installs use pg_dump / pg_restore.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { lockOwner } from '../db/lock';
import { openPglite } from '../db/pglite';
import { BackupError, readBackup, writeBackup } from './archive';
import { appliedMigrations, BACKUP_REQUEST_PREFIX, type BackupRequest, type BackupResult } from './server-side';

const say = (line: string) => process.stdout.write(`${line}\n`);
function fail(message: string): never {
  process.stderr.write(`atrium: ${message}\n`);
  process.exit(1);
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');

async function backup(args: string[]) {
  const config = loadConfig();
  const outIndex = args.indexOf('--out');
  const out = path.resolve(
    outIndex >= 0 && args[outIndex + 1] ? args[outIndex + 1]! : `atrium-backup-${stamp()}.tar.gz`,
  );
  if (config.DATABASE_URL) return postgresBackup(config.DATABASE_URL, out.replace(/\.tar\.gz$/, '.dump'));
  const owner = lockOwner(config.DATA_DIR);
  if (owner !== undefined) {
    say(`The server (pid ${owner}) has the embedded database open; asking it to write the backup…`);
    const result = await askServer(config.DATA_DIR, owner, out);
    if (!result.ok) fail(`the server could not write the backup: ${result.error}`);
    return done(out, result.bytes);
  }
  if (!fs.existsSync(path.join(config.DATA_DIR, 'pgdata')))
    fail(`there is no embedded database in DATA_DIR ${config.DATA_DIR}`);
  const backend = await openPglite({ dataDir: config.DATA_DIR });
  try {
    const { bytes } = await writeBackup({
      dump: backend.dump,
      dataDir: config.DATA_DIR,
      out,
      migrations: await appliedMigrations(backend),
    });
    done(out, bytes);
  } finally {
    await backend.close();
  }
}

function done(out: string, bytes: number) {
  say(`Backup written: ${out} (${(bytes / 1_048_576).toFixed(1)} MB).`);
  say('It holds the database and DATA_DIR/secret.key: keep it as safe as the server itself.');
}

async function askServer(dataDir: string, pid: number, out: string): Promise<BackupResult> {
  const id = randomUUID();
  const requestFile = path.join(dataDir, `${BACKUP_REQUEST_PREFIX}${id}.json`);
  const resultFile = `${requestFile}.result`;
  const request: BackupRequest = { id, out };
  fs.writeFileSync(requestFile, JSON.stringify(request), { mode: 0o600 });
  try {
    process.kill(pid, 'SIGUSR2');
  } catch (error) {
    fs.rmSync(requestFile, { force: true });
    fail(`cannot signal the server (pid ${pid}): ${(error as Error).message}`);
  }
  const deadline = Date.now() + 10 * 60_000;
  let dots = 0;
  while (!fs.existsSync(resultFile)) {
    if (Date.now() > deadline) {
      fs.rmSync(requestFile, { force: true });
      fail('the server did not answer within 10 minutes; is it an Atrium server of this version?');
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (++dots % 8 === 0) process.stdout.write('.');
  }
  if (dots >= 8) process.stdout.write('\n');
  const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as BackupResult;
  fs.rmSync(resultFile, { force: true });
  return result;
}

function postgresBackup(databaseUrl: string, out: string) {
  if (spawnSync('pg_dump', ['--version']).status !== 0) {
    fail(
      'DATABASE_URL is set, so Atrium is on PostgreSQL: back it up with pg_dump (not found on PATH here), e.g.\n' +
        '  pg_dump --format=custom --file=atrium.dump "$DATABASE_URL"\n' +
        'and keep ATRIUM_SECRET_KEY (or DATA_DIR/secret.key) with it.',
    );
  }
  execFileSync('pg_dump', ['--format=custom', '--no-owner', `--file=${out}`, databaseUrl], { stdio: 'inherit' });
  fs.chmodSync(out, 0o600);
  say(`Backup written: ${out} (pg_dump custom format; restore with pg_restore --clean --no-owner).`);
  say('Keep ATRIUM_SECRET_KEY (or DATA_DIR/secret.key) with it: it seals the private keys stored in the database.');
}

async function restore(args: string[]) {
  const config = loadConfig();
  const file = args.find((arg) => !arg.startsWith('--'));
  if (!file) fail('usage: npm run restore -- <backup file> [--force]');
  if (config.DATABASE_URL) {
    fail(
      'DATABASE_URL is set, so Atrium is on PostgreSQL: restore a pg_dump archive with\n' +
        '  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" atrium.dump\n' +
        'with the servers stopped, and the same ATRIUM_SECRET_KEY as when it was made.',
    );
  }
  const owner = lockOwner(config.DATA_DIR);
  if (owner !== undefined) fail(`the server (pid ${owner}) is running on DATA_DIR ${config.DATA_DIR}; stop it first`);
  const archive = await readBackup(path.resolve(file)).catch((error: Error) => {
    if (error instanceof BackupError) fail(error.message);
    throw error;
  });
  try {
    const pgdata = path.join(config.DATA_DIR, 'pgdata');
    const aside = `.before-restore-${stamp()}`;
    if (fs.existsSync(pgdata) && fs.readdirSync(pgdata).length > 0) {
      if (!args.includes('--force')) {
        fail(
          `DATA_DIR ${config.DATA_DIR} already holds a database. Run again with --force to move it aside (to pgdata${aside}) and restore.`,
        );
      }
      fs.renameSync(pgdata, `${pgdata}${aside}`);
      say(`Moved the current database aside to ${pgdata}${aside}.`);
    }
    const backend = await openPglite({ dataDir: config.DATA_DIR, loadDataDir: archive.pgdata });
    const migrations = await appliedMigrations(backend);
    await backend.close();
    const keyFile = path.join(config.DATA_DIR, 'secret.key');
    if (archive.secretKey !== undefined) {
      if (fs.existsSync(keyFile) && fs.readFileSync(keyFile, 'utf8') !== archive.secretKey) {
        fs.renameSync(keyFile, `${keyFile}${aside}`);
        say(`Moved the current secret.key aside to ${keyFile}${aside}.`);
      }
      fs.writeFileSync(keyFile, archive.secretKey, { mode: 0o600 });
    } else {
      say('This backup has no secret.key: start the server with the ATRIUM_SECRET_KEY it was made with.');
    }
    say(
      `Restored the backup of ${archive.manifest.createdAt} into ${config.DATA_DIR} (${migrations.length} migrations). ` +
        'Start the server (npm start); it applies any newer migrations.',
    );
  } finally {
    archive.cleanup();
  }
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === 'backup') await backup(rest);
  else if (command === 'restore') await restore(rest);
  else fail('usage: backup [--out FILE] | restore FILE [--force]');
} catch (error) {
  if (error instanceof ConfigError) fail(`configuration: ${error.message}`);
  throw error;
}
