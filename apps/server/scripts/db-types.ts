import fs from 'node:fs';
import { generateSchema, SCHEMA_FILE } from '../src/db/codegen';

// Writes apps/server/src/db/schema.ts from the migrated schema; with --check, only says whether it is current.
const generated = await generateSchema();
if (process.argv.includes('--check')) {
  const current = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, 'utf8') : '';
  if (current !== generated) {
    console.error('schema.ts is out of date: run npm run db:types');
    process.exit(1);
  }
} else {
  fs.writeFileSync(SCHEMA_FILE, generated);
}
