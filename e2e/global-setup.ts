/**
 * Once per kiosk e2e run: build the web apps if their sources changed, start the real server on a fresh PostgreSQL
 * database, and prove the fake-camera fixture (a real visit's QR token in a Y4M file) decodes before any spec relies
 * on it. Returns the teardown.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Staff } from './fixtures/atrium';
import { decodeY4m, showQr } from './fixtures/camera';
import { publishServerInfo, RESULTS_DIR, root, startServer } from './fixtures/server';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-apps.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('building the kiosk and admin apps failed (see above)');

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const server = await startServer();
  try {
    publishServerInfo(server);
    const staff = await Staff.signIn(server);
    const visit = await staff.preRegister('Fixture Visitor');
    const fixture = path.join(server.dir, 'camera-fixture.y4m');
    showQr(fixture, visit.qrToken);
    const read = decodeY4m(fixture);
    if (read !== visit.qrToken)
      throw new Error('the fake camera fixture does not decode to the token it was made from');
  } catch (error) {
    await server.stop();
    throw error;
  }
  return () => server.stop();
}
