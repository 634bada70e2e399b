import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { CachedConfig, PairedDevice } from './device/types';
import type { OutboxEntry, OutboxRejection, UsedJti } from './outbox/types';

/** Everything the kiosk keeps across reloads and restarts lives in this one IndexedDB database. */
export interface KioskDbSchema extends DBSchema {
  device: { key: 'current'; value: PairedDevice };
  config: { key: 'current'; value: CachedConfig };
  outbox: { key: number; value: OutboxEntry };
  usedJtis: { key: string; value: UsedJti; indexes: { expiresAt: number } };
  rejections: { key: number; value: OutboxRejection };
}

export type KioskDb = IDBPDatabase<KioskDbSchema>;

const DB_NAME = 'atrium-kiosk';
const DB_VERSION = 1;

let opening: Promise<KioskDb> | undefined;

export function openKioskDb(): Promise<KioskDb> {
  opening ??= openDB<KioskDbSchema>(DB_NAME, DB_VERSION, {
    upgrade(db) {
      db.createObjectStore('device');
      db.createObjectStore('config');
      db.createObjectStore('outbox', { keyPath: 'id', autoIncrement: true });
      db.createObjectStore('usedJtis', { keyPath: 'jti' }).createIndex('expiresAt', 'expiresAt');
      db.createObjectStore('rejections', { keyPath: 'id', autoIncrement: true });
    },
  });
  return opening;
}
