import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSchema, SCHEMA_FILE } from './codegen';

describe('generated database types', () => {
  it('match the migrated schema (run npm run db:types after adding a migration)', async () => {
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8'), 'schema.ts is out of date: run npm run db:types').toBe(
      await generateSchema(),
    );
  });
});
