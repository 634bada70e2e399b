import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What a backup holds besides the database, so a restore can say what it is restoring. */
export interface BackupManifest {
  format: 1;
  product: 'atrium';
  createdAt: string;
  backend: 'pglite';
  /** Applied migrations (version order): a newer server migrates further at start; an older one refuses. */
  migrations: string[];
  /** Whether DATA_DIR/secret.key is in the archive; without it, ATRIUM_SECRET_KEY must be kept with the backup. */
  secretKey: 'included' | 'from_environment';
}

export class BackupError extends Error {
  override name = 'BackupError';
}

/**
 * Writes a backup of the embedded database: one .tar.gz with the PGlite data directory (a dump taken while no query
 * runs, so it is consistent), DATA_DIR/secret.key (which seals the private keys stored in the database) and a
 * manifest. It is written next to `out` and renamed into place, so a failed backup never leaves a partial file.
 */
export async function writeBackup(options: {
  dump: () => Promise<Blob>;
  dataDir: string;
  out: string;
  migrations: string[];
  now?: Date;
}): Promise<{ bytes: number; manifest: BackupManifest }> {
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-backup-'));
  const partial = `${options.out}.partial`;
  try {
    const dump = await options.dump();
    fs.writeFileSync(path.join(staging, 'pgdata.tar'), Buffer.from(await dump.arrayBuffer()));
    const keyFile = path.join(options.dataDir, 'secret.key');
    const hasKey = fs.existsSync(keyFile);
    if (hasKey) fs.copyFileSync(keyFile, path.join(staging, 'secret.key'));
    const manifest: BackupManifest = {
      format: 1,
      product: 'atrium',
      createdAt: (options.now ?? new Date()).toISOString(),
      backend: 'pglite',
      migrations: options.migrations,
      secretKey: hasKey ? 'included' : 'from_environment',
    };
    fs.writeFileSync(path.join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
    const files = ['manifest.json', 'pgdata.tar', ...(hasKey ? ['secret.key'] : [])];
    await run('tar', ['-czf', partial, '-C', staging, ...files]);
    // The archive holds the key that unseals every private key: readable by its owner only.
    fs.chmodSync(partial, 0o600);
    fs.renameSync(partial, options.out);
    return { bytes: fs.statSync(options.out).size, manifest };
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Unpacks and checks a backup; the caller loads `pgdata` into a fresh data directory. */
export async function readBackup(file: string): Promise<{
  manifest: BackupManifest;
  pgdata: Blob;
  secretKey: string | undefined;
  cleanup(): void;
}> {
  if (!fs.existsSync(file)) throw new BackupError(`${file} does not exist`);
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-restore-'));
  const cleanup = () => fs.rmSync(staging, { recursive: true, force: true });
  try {
    await run('tar', ['-xzf', file, '-C', staging, '--no-same-owner', 'manifest.json', 'pgdata.tar']).catch(() => {
      throw new BackupError(`${file} is not an Atrium backup (a .tar.gz with manifest.json and pgdata.tar)`);
    });
    // The key is optional: a backup made with ATRIUM_SECRET_KEY set carries none.
    await run('tar', ['-xzf', file, '-C', staging, '--no-same-owner', 'secret.key']).catch(() => {});
    let manifest: BackupManifest;
    try {
      manifest = JSON.parse(fs.readFileSync(path.join(staging, 'manifest.json'), 'utf8'));
    } catch {
      throw new BackupError(`${file} has an unreadable manifest.json`);
    }
    if (manifest.product !== 'atrium' || manifest.format !== 1 || manifest.backend !== 'pglite') {
      throw new BackupError(
        `${file} is not an embedded-database backup of this Atrium version (format ${manifest.format})`,
      );
    }
    const keyFile = path.join(staging, 'secret.key');
    return {
      manifest,
      pgdata: new Blob([fs.readFileSync(path.join(staging, 'pgdata.tar'))]),
      secretKey: fs.existsSync(keyFile) ? fs.readFileSync(keyFile, 'utf8') : undefined,
      cleanup,
    };
  } catch (error) {
    cleanup();
    throw error;
  }
}
