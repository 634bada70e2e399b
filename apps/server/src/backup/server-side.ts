import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Backend } from '../db/database';
import { writeBackup } from './archive';

/** A backup asked of the running server by `npm run backup`: a file in DATA_DIR, then SIGUSR2. */
export const BACKUP_REQUEST_PREFIX = 'backup-request-';
export interface BackupRequest {
  id: string;
  out: string;
}
export type BackupResult = { ok: true; bytes: number } | { ok: false; error: string };

// Raw SQL: schema_migrations is migration bookkeeping, read on the backend before any Database exists.
export async function appliedMigrations(backend: Backend): Promise<string[]> {
  const rows = await backend.transaction((tx) =>
    tx.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version'),
  );
  return rows.map((row) => `${String(row.version).padStart(4, '0')}_${row.name}`);
}

/** Serves backup requests on SIGUSR2 (embedded database only: PostgreSQL has pg_dump). Returns the unsubscribe. */
export function serveBackupRequests(
  backend: Backend & { dump(): Promise<Blob> },
  dataDir: string,
  logger: Logger,
): () => void {
  let busy: Promise<void> = Promise.resolve();
  const handle = () => {
    busy = busy.then(async () => {
      for (const name of fs.readdirSync(dataDir)) {
        if (!name.startsWith(BACKUP_REQUEST_PREFIX) || !name.endsWith('.json')) continue;
        const file = path.join(dataDir, name);
        let result: BackupResult;
        try {
          const request = JSON.parse(fs.readFileSync(file, 'utf8')) as BackupRequest;
          fs.rmSync(file);
          const started = Date.now();
          const { bytes } = await writeBackup({
            dump: () => backend.dump(),
            dataDir,
            out: request.out,
            migrations: await appliedMigrations(backend),
          });
          logger.info({ out: request.out, bytes, ms: Date.now() - started }, 'backup written');
          result = { ok: true, bytes };
        } catch (error) {
          logger.error({ err: error }, 'backup failed');
          result = { ok: false, error: (error as Error).message };
          fs.rmSync(file, { force: true });
        }
        fs.writeFileSync(`${file}.result`, JSON.stringify(result), { mode: 0o600 });
      }
    });
  };
  process.on('SIGUSR2', handle);
  return () => process.off('SIGUSR2', handle);
}
