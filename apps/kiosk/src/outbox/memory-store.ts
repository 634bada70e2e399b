import {
  JtiAlreadyUsedError,
  type NewOutboxEntry,
  type OutboxEntry,
  type OutboxRejection,
  type OutboxStore,
  type UsedJti,
} from './types';

/** The outbox store in memory: for tests, and the reference for what the IndexedDB store must do. */
export class MemoryOutboxStore implements OutboxStore {
  private nextId = 1;
  private nextRejectionId = 1;
  private readonly entries = new Map<number, OutboxEntry>();
  private readonly used = new Map<string, UsedJti>();
  private readonly refused: OutboxRejection[] = [];

  async add({ jtiExpiresAt, ...entry }: NewOutboxEntry): Promise<OutboxEntry> {
    if (entry.jti !== null && this.used.has(entry.jti)) throw new JtiAlreadyUsedError(entry.jti);
    const stored = structuredClone({ ...entry, id: this.nextId++ }) as OutboxEntry;
    this.entries.set(stored.id, stored);
    if (entry.jti !== null) {
      this.used.set(entry.jti, {
        jti: entry.jti,
        expiresAt: jtiExpiresAt ?? Number.MAX_SAFE_INTEGER,
        usedAt: entry.createdAt,
      });
    }
    return structuredClone(stored);
  }

  async list(): Promise<OutboxEntry[]> {
    return [...this.entries.values()].sort((a, b) => a.id - b.id).map((e) => structuredClone(e));
  }

  async count(): Promise<number> {
    return this.entries.size;
  }

  async update(entry: OutboxEntry): Promise<void> {
    if (this.entries.has(entry.id)) this.entries.set(entry.id, structuredClone(entry));
  }

  async remove(id: number): Promise<void> {
    this.entries.delete(id);
  }

  async reject(entry: OutboxEntry, rejection: Omit<OutboxRejection, 'id'>, freeJti: boolean): Promise<void> {
    this.entries.delete(entry.id);
    this.refused.push({ ...rejection, id: this.nextRejectionId++ });
    if (freeJti && entry.jti !== null) this.used.delete(entry.jti);
  }

  async rejections(): Promise<OutboxRejection[]> {
    return this.refused.map((r) => ({ ...r }));
  }

  async clearRejections(): Promise<void> {
    this.refused.length = 0;
  }

  async removeRejection(entryId: number): Promise<void> {
    const kept = this.refused.filter((r) => r.entryId !== entryId);
    this.refused.length = 0;
    this.refused.push(...kept);
  }

  async isJtiUsed(jti: string): Promise<boolean> {
    return this.used.has(jti);
  }

  async pruneJtis(before: number): Promise<void> {
    for (const [jti, record] of this.used) if (record.expiresAt < before) this.used.delete(jti);
  }
}
