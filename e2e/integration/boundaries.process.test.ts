import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The import boundaries live in biome.json (noRestrictedImports per folder). This runs the real biome with the repo's
// configuration over fixture files laid out like the repo, so a rule that stops matching fails here, not in review.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const biome = path.join(root, 'node_modules/.bin/biome');

const fixtures: Record<string, { source: string; refused: boolean }> = {
  'apps/server/src/agent-by-path.ts': { source: "from '../../agent/src/radius/server'", refused: true },
  'apps/server/src/agent-by-name.ts': { source: "from '@atrium/agent/testing'", refused: true },
  'apps/agent/src/server-by-path.ts': { source: "from '../../server/test/http'", refused: true },
  'apps/admin/src/kiosk-by-path.ts': { source: "from '../../../apps/kiosk/src/api'", refused: true },
  'packages/protocol/src/app-by-name.ts': { source: "from '@atrium/server/testing'", refused: true },
  'apps/server/src/own-module.ts': { source: "from './agents/hub'", refused: false },
  'apps/server/src/a-package.ts': { source: "from '@atrium/protocol'", refused: false },
  'e2e/integration/deep-path.ts': { source: "from '../../apps/server/test/http'", refused: true },
  'e2e/fixtures/deep-name.ts': { source: "from '@atrium/server/src/app'", refused: true },
  'bench/deep-agent.ts': { source: "from '../apps/agent/src/radius/packet'", refused: true },
  'bench/kiosk.ts': { source: "from '@atrium/kiosk'", refused: true },
  'e2e/server-testing.ts': { source: "from '@atrium/server/testing'", refused: false },
  'e2e/server-process.ts': { source: "from '@atrium/server/testing/process'", refused: false },
  'bench/agent-testing.ts': { source: "from '@atrium/agent/testing'", refused: false },
  'bench/agent-radius.ts': { source: "from '@atrium/agent/testing/radius'", refused: false },
};

let dir = '';
let refused = new Set<string>();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-boundaries-'));
  // The repo's own configuration; only its git integration is dropped (the fixture folder is no repository).
  const config = JSON.parse(fs.readFileSync(path.join(root, 'biome.json'), 'utf8'));
  delete config.vcs;
  delete config.$schema;
  fs.writeFileSync(path.join(dir, 'biome.json'), JSON.stringify(config));
  for (const [file, { source }] of Object.entries(fixtures)) {
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), `import { thing } ${source};\nexport const used = thing;\n`);
  }
  const output = await new Promise<string>((resolve) => {
    execFile(biome, ['lint', '--reporter=github', '--max-diagnostics=none', '.'], { cwd: dir }, (_error, stdout) =>
      resolve(stdout),
    );
  });
  refused = new Set(
    [...output.matchAll(/title=lint\/style\/noRestrictedImports,file=([^,]+),/g)].map((m) =>
      path.relative(dir, m[1] ?? ''),
    ),
  );
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('import boundaries (biome noRestrictedImports)', () => {
  const cases = Object.entries(fixtures).map(([file, { source, refused }]) => [file, source, refused] as const);
  it.each(cases)('%s: import … %s → refused %s', (file, _source, expected) => {
    expect(refused.has(file)).toBe(expected);
  });
});
