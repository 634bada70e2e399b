import fs from 'node:fs';
import path from 'node:path';

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite allows one process per data dir. The lock file holds the owner's pid; a lock left by a killed process
 * (pid no longer alive, or our own pid reused, as for pid 1 in a container) is taken over, so kill -9 never leaves
 * the directory unusable.
 */
const heldHere = new Set<string>();

export function acquireDataDirLock(dir: string): () => void {
  const file = path.join(dir, 'atrium.lock');
  if (heldHere.has(file)) throw new DataDirLockedError(`DATA_DIR ${dir} is already open in this process.`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      heldHere.add(file);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldHere.delete(file);
        fs.rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new DataDirLockedError(
          `DATA_DIR ${dir} is in use by another Atrium process (pid ${owner}); the embedded database allows one process per directory. Stop it, or set DATA_DIR or DATABASE_URL.`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new DataDirLockedError(`Could not take the lock on DATA_DIR ${dir}.`);
}

/** The pid of a live process holding DATA_DIR's lock, if any (this process does not count). */
export function lockOwner(dir: string): number | undefined {
  const file = path.join(dir, 'atrium.lock');
  let owner: number;
  try {
    owner = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
  } catch {
    return undefined;
  }
  return Number.isInteger(owner) && owner !== process.pid && isAlive(owner) ? owner : undefined;
}
