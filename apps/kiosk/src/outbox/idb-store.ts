import type { KioskDb } from '../db';
import {
  JtiAlreadyUsedError,
  type NewOutboxEntry,
  type OutboxEntry,
  type OutboxRejection,
  type OutboxStore,
} from './types';

/** The outbox store on IndexedDB: survives reloads, tab kills and device restarts. */
export class IdbOutboxStore implements OutboxStore {
  constructor(private readonly db: KioskDb) {}

  async add({ jtiExpiresAt, ...entry }: NewOutboxEntry): Promise<OutboxEntry> {
    const tx = this.db.transaction(['outbox', 'usedJtis'], 'readwrite');
    const { jti } = entry;
    if (jti !== null) {
      if (await tx.objectStore('usedJtis').get(jti)) {
        tx.abort();
        await tx.done.catch(() => undefined);
        throw new JtiAlreadyUsedError(jti);
      }
      await tx
        .objectStore('usedJtis')
        .put({ jti, expiresAt: jtiExpiresAt ?? Number.MAX_SAFE_INTEGER, usedAt: entry.createdAt });
    }
    // The key path fills in `id`; the record without one is what IndexedDB expects for an auto-increment store.
    const id = await tx.objectStore('outbox').add(entry as OutboxEntry);
    await tx.done;
    return { ...entry, id } as OutboxEntry;
  }

  async list(): Promise<OutboxEntry[]> {
    return this.db.getAll('outbox');
  }

  count(): Promise<number> {
    return this.db.count('outbox');
  }

  async update(entry: OutboxEntry): Promise<void> {
    const tx = this.db.transaction('outbox', 'readwrite');
    if (await tx.store.get(entry.id)) await tx.store.put(entry);
    await tx.done;
  }

  remove(id: number): Promise<void> {
    return this.db.delete('outbox', id);
  }

  async reject(entry: OutboxEntry, rejection: Omit<OutboxRejection, 'id'>, freeJti: boolean): Promise<void> {
    const tx = this.db.transaction(['outbox', 'rejections', 'usedJtis'], 'readwrite');
    await tx.objectStore('outbox').delete(entry.id);
    await tx.objectStore('rejections').add(rejection as OutboxRejection);
    if (freeJti && entry.jti !== null) await tx.objectStore('usedJtis').delete(entry.jti);
    await tx.done;
  }

  rejections(): Promise<OutboxRejection[]> {
    return this.db.getAll('rejections');
  }

  clearRejections(): Promise<void> {
    return this.db.clear('rejections');
  }

  async removeRejection(entryId: number): Promise<void> {
    const tx = this.db.transaction('rejections', 'readwrite');
    for (const rejection of await tx.store.getAll()) {
      if (rejection.entryId === entryId) await tx.store.delete(rejection.id);
    }
    await tx.done;
  }

  async isJtiUsed(jti: string): Promise<boolean> {
    return (await this.db.getKey('usedJtis', jti)) !== undefined;
  }

  async pruneJtis(before: number): Promise<void> {
    const tx = this.db.transaction('usedJtis', 'readwrite');
    let cursor = await tx.store.index('expiresAt').openCursor(IDBKeyRange.upperBound(before, true));
    while (cursor) {
      await cursor.delete();
      cursor = await cursor.continue();
    }
    await tx.done;
  }
}
