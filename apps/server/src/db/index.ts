import type { Config } from '../config';
import { Database } from './database';
import { openPglite } from './pglite';
import { openPostgres } from './postgres';

export { type Backend, Database } from './database';
export type { Tx } from './kysely';

/** PostgreSQL when DATABASE_URL is set, otherwise embedded PGlite in DATA_DIR. */
export async function openDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>,
  options: { poolSize?: number } = {},
): Promise<Database> {
  const backend = config.DATABASE_URL
    ? await openPostgres(config.DATABASE_URL, { max: options.poolSize ?? 20 })
    : await openPglite({ dataDir: config.DATA_DIR });
  return new Database(backend);
}
