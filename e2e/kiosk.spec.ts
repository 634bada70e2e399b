/**
 * The lobby kiosk in Debian's Chromium with a fake camera, against the real server: pairing, scans with every refusal
 * a visitor can meet, the offline outbox (through a reload served by the service worker), cross-kiosk replay, the
 * screens at tablet sizes with axe, and the kiosk's speed and size budgets.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { build } from 'esbuild';
import { backdateVisit, checkInRows } from './fixtures/atrium';
import { decodePng } from './fixtures/camera';
import { KioskPage, launchKioskBrowser, TABLET_LANDSCAPE, TABLET_PORTRAIT } from './fixtures/kiosk';
import { RESULTS_DIR, root } from './fixtures/server';
import { expect, test } from './fixtures/test';

const IMAGES = path.join(root, 'docs', 'images');
const SCREENSHOTS = path.join(RESULTS_DIR, 'screenshots');

async function expectAccessible(page: Page, screen: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `axe on the ${screen} screen`).toEqual([]);
}

/** Both tablet orientations into the run's results; the landscape one also into docs/images when named. */
async function screenshots(page: Page, name: string, docsName?: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.setViewportSize(TABLET_PORTRAIT);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-portrait.png`) });
  await page.setViewportSize(TABLET_LANDSCAPE);
  const file = path.join(SCREENSHOTS, `${name}-landscape.png`);
  await page.screenshot({ path: file });
  if (docsName) fs.copyFileSync(file, path.join(IMAGES, docsName));
}

/** Waits until the service worker controls the page, so a reload can be served without the network. */
async function serviceWorkerInControl(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready);
  if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) {
    // The first load is not controlled (no clients.claim, so a running page is never taken over); a reload is.
    await page.reload();
  }
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
}

async function measures(page: Page, name: string): Promise<number[]> {
  return page.evaluate((n) => performance.getEntriesByName(n, 'measure').map((e) => e.duration), name);
}

/**
 * Times packages/qr-token's verifyVisitToken in the kiosk page itself, with the keys, issuer and site the kiosk cached
 * at its last sync, `runs` times one after another (the in-app measures above are one per scan and also hold whatever
 * React renders while the signature check is out on the crypto thread).
 */
async function verifyInPage(page: Page, token: string, runs: number): Promise<number[]> {
  const bundle = await build({
    entryPoints: [path.join(root, 'packages', 'qr-token', 'src', 'index.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'AtriumQrToken',
    // Playwright evaluates the text inside a function, so the global is set explicitly.
    footer: { js: 'globalThis.AtriumQrToken = AtriumQrToken;' },
    platform: 'browser',
    write: false,
  });
  // Evaluated over the DevTools protocol, which the page's CSP (script-src 'self') rightly does not cover.
  await page.evaluate(bundle.outputFiles[0]!.text);
  return page.evaluate(
    async ({ token, runs }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('atrium-kiosk');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const cached = await new Promise<{
        config: { jwks: object; issuer: string; site: { id: string } };
        serverOffsetMs: number;
      }>((resolve, reject) => {
        const get = db.transaction('config').objectStore('config').get('current');
        get.onsuccess = () => resolve(get.result);
        get.onerror = () => reject(get.error);
      });
      const lib = (window as unknown as { AtriumQrToken: typeof import('../packages/qr-token/src/index') })
        .AtriumQrToken;
      const options = {
        keys: cached.config.jwks as Parameters<typeof lib.verifyVisitToken>[1]['keys'],
        issuer: cached.config.issuer,
        siteId: cached.config.site.id,
        now: new Date(Date.now() + cached.serverOffsetMs),
      };
      const first = await lib.verifyVisitToken(token, options);
      if (!first.ok) throw new Error(`the bench token does not verify: ${first.reason}`);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await lib.verifyVisitToken(token, options);
        times.push(performance.now() - started);
      }
      return times;
    },
    { token, runs },
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

test('pairs through the API; a visitor scans in, gets the voucher, and checks out with the same code', async ({
  kioskBrowser,
  server,
  staff,
  cameraFile,
}) => {
  const context = await kioskBrowser.newContext({ viewport: TABLET_LANDSCAPE, locale: 'en-GB' });
  const kiosk = await KioskPage.open(context, server.baseUrl, cameraFile);

  await expect(kiosk.page.getByTestId('pairing-code')).toHaveText(/^\d{6}$/);
  await expectAccessible(kiosk.page, 'pairing');
  await screenshots(kiosk.page, 'kiosk-pairing', 'kiosk-pairing.png');
  const kioskId = await kiosk.pair(staff, 'Lobby north');
  await expect(kiosk.page.getByText('Kiosk “Lobby north”')).toBeVisible();
  await expect(kiosk.connectivity()).toHaveText('Online');
  await expectAccessible(kiosk.page, 'idle');
  await screenshots(kiosk.page, 'kiosk-idle', 'kiosk-idle.png');

  // Nobody holds a code up yet: the camera runs, the visitor can cancel.
  await kiosk.page.getByTestId('start-scan').click();
  await expect(kiosk.page.getByTestId('scanning')).toBeVisible();
  await expect
    .poll(() => kiosk.page.getByTestId('camera').evaluate((video: HTMLVideoElement) => video.videoWidth))
    .toBe(640);
  await expectAccessible(kiosk.page, 'scanning');
  await screenshots(kiosk.page, 'kiosk-scanning');
  await kiosk.page.getByTestId('cancel').click();
  await kiosk.expectIdle();

  const ada = await staff.preRegister('Ada Lovelace');
  expect(await kiosk.scan(ada.qrToken)).toBe('welcome');
  await expect(kiosk.page.getByRole('heading', { name: 'Welcome, Ada L.!' })).toBeVisible();
  const password = kiosk.page.getByTestId('voucher-password');
  await expect(password).toHaveText(/\S{6,}/);
  await expect(kiosk.page.getByTestId('voucher-username')).toHaveText(/\S{4,}/);
  await expect(kiosk.page.getByTestId('voucher-ssid')).not.toBeEmpty();
  await expectAccessible(kiosk.page, 'welcome');
  await screenshots(kiosk.page, 'kiosk-welcome', 'kiosk-welcome.png');

  const [entry] = (await staff.onSite()).filter((e) => e.visitId === ada.id);
  expect(entry).toMatchObject({ name: 'Ada Lovelace', offline: false });
  expect(await checkInRows(server, ada.id)).toEqual([{ kind: 'check_in', kiosk_id: kioskId, offline: false }]);
  await kiosk.done();

  // The camera file is read again each time the camera opens: the next visitor needs no new browser.
  const grace = await staff.preRegister('Grace Hopper');
  expect(await kiosk.scan(grace.qrToken)).toBe('welcome');
  await expect(kiosk.page.getByRole('heading', { name: 'Welcome, Grace H.!' })).toBeVisible();
  await kiosk.done();

  expect(await kiosk.scan(ada.qrToken, 'check_out')).toBe('welcome');
  await expect(kiosk.page.getByTestId('checked-out')).toHaveAttribute('data-state', 'accepted');
  await expectAccessible(kiosk.page, 'checked out');
  expect((await staff.onSite()).map((e) => e.visitId)).not.toContain(ada.id);
  await context.close();
});

test('the pairing code is replaced when it expires, and the new one pairs', async ({
  kioskBrowser,
  server,
  staff,
  cameraFile,
}) => {
  const context = await kioskBrowser.newContext({ viewport: TABLET_PORTRAIT, locale: 'de-DE' });
  const kiosk = await KioskPage.open(context, server.baseUrl, cameraFile, (page) => page.clock.install());
  const code = kiosk.page.getByTestId('pairing-code');
  await expect(code).toHaveText(/^\d{6}$/);
  await expect(kiosk.page.getByRole('heading', { name: 'Diesen Kiosk koppeln' })).toBeVisible();
  const first = await code.textContent();
  // Codes live ten minutes.
  await kiosk.page.clock.fastForward(10 * 60_000 + 1_000);
  await expect(code).not.toHaveText(first!);
  await expect(code).toHaveText(/^\d{6}$/);
  await kiosk.pair(staff, 'Lobby rotated');
  await context.close();
});

test('refuses replayed, expired, not yet valid, wrong-site and cancelled codes with the right message', async ({
  kioskBrowser,
  server,
  staff,
  cameraFile,
}) => {
  const context = await kioskBrowser.newContext({ viewport: TABLET_LANDSCAPE, locale: 'en-GB' });
  const kiosk = await KioskPage.open(context, server.baseUrl, cameraFile);
  await kiosk.pair(staff, 'Lobby refusals');

  const used = await staff.preRegister('Used Twice');
  expect(await kiosk.scan(used.qrToken)).toBe('welcome');
  await expect(kiosk.page.getByTestId('voucher-password')).toBeVisible();
  await kiosk.done();
  expect(await kiosk.scan(used.qrToken)).toBe('error');
  await kiosk.expectError(
    'already_used',
    'This QR code has already been used to check in. If you are leaving, check out instead.',
  );
  await expectAccessible(kiosk.page, 'error');
  await screenshots(kiosk.page, 'kiosk-error');
  await kiosk.done();

  // Used at another kiosk: this one has no local record, so the server's 409 is what the visitor reads.
  const elsewhere = await staff.preRegister('Used Elsewhere');
  const other = await KioskPage.open(await kioskBrowser.newContext(), server.baseUrl, cameraFile);
  await other.pair(staff, 'Lobby other');
  expect(await other.scan(elsewhere.qrToken)).toBe('welcome');
  await other.context.close();
  expect(await kiosk.scan(elsewhere.qrToken)).toBe('error');
  await kiosk.expectError('already_used', /already been used/);
  await kiosk.done();

  const late = await staff.preRegister('Late Visitor');
  await backdateVisit(server, late.id);
  // The badge staff would print now carries the past departure as its expiry.
  const expiredToken = decodePng(await staff.qrPng(late.id));
  expect(await kiosk.scan(expiredToken)).toBe('error');
  await kiosk.expectError('token_expired', 'This QR code has expired. Please ask at reception.');
  await kiosk.done();

  const tomorrow = new Date(Date.now() + 24 * 3600_000);
  const early = await staff.preRegister('Early Visitor', { arrival: tomorrow });
  expect(await kiosk.scan(early.qrToken)).toBe('error');
  await kiosk.expectError('token_not_yet_valid', /not valid yet/);
  await kiosk.done();

  const branch = await staff.createSite(`Branch ${Date.now()}`);
  const misrouted = await staff.preRegister('Wrong Building', { siteId: branch.id });
  expect(await kiosk.scan(misrouted.qrToken)).toBe('error');
  await kiosk.expectError('wrong_site', /for a different location/);
  await kiosk.done();

  // Cancelled after this kiosk's last config sync: the server says so when the check-in is sent.
  const cancelled = await staff.preRegister('Cancelled Visitor');
  await staff.cancel(cancelled.id);
  await kiosk.page.getByTestId('lang-de').click();
  expect(await kiosk.scan(cancelled.qrToken)).toBe('error');
  await kiosk.expectError('visit_cancelled', 'Dieser Besuch wurde abgesagt. Bitte fragen Sie am Empfang.');
  await expect(kiosk.page.locator('html')).toHaveAttribute('lang', 'de');
  await expectAccessible(kiosk.page, 'error (de)');
  await kiosk.done();
  await expect(kiosk.page.locator('html')).toHaveAttribute('lang', 'en');

  expect(await checkInRows(server, cancelled.id)).toEqual([]);
  await context.close();
});

test('offline: a scan is queued, survives a reload served by the service worker, and syncs exactly once', async ({
  kioskBrowser,
  server,
  staff,
  cameraFile,
}) => {
  // Cancelled before the kiosk first syncs: its revocation list carries the code, so it is refused offline too.
  const cancelled = await staff.preRegister('Cancelled Offline');
  await staff.cancel(cancelled.id);
  const context = await kioskBrowser.newContext({ viewport: TABLET_LANDSCAPE, locale: 'en-GB' });
  const kiosk = await KioskPage.open(context, server.baseUrl, cameraFile);
  const kioskId = await kiosk.pair(staff, 'Lobby offline');
  await serviceWorkerInControl(kiosk.page);
  await kiosk.expectIdle();

  const visit = await staff.preRegister('Offline Visitor');
  await context.setOffline(true);
  await expect(kiosk.connectivity()).toHaveText('Offline');

  expect(await kiosk.scan(cancelled.qrToken)).toBe('error');
  await kiosk.expectError('visit_cancelled', /has been cancelled/);
  await kiosk.done();

  expect(await kiosk.scan(visit.qrToken)).toBe('welcome');
  await expect(kiosk.page.getByTestId('offline-welcome')).toContainText('Reception can give them to you');
  await expect(kiosk.page.getByTestId('voucher-password')).toHaveCount(0);
  await expect(kiosk.queuedCount()).toHaveText('1');
  await expectAccessible(kiosk.page, 'offline welcome');
  await screenshots(kiosk.page, 'kiosk-welcome-offline');
  await kiosk.done();

  // No same-kiosk replay while offline.
  expect(await kiosk.scan(visit.qrToken)).toBe('error');
  await kiosk.expectError('already_used', /already been used/);
  await kiosk.done();

  const reloaded = await kiosk.page.reload();
  expect(reloaded?.fromServiceWorker(), 'the app shell came from the service worker').toBe(true);
  await kiosk.expectIdle();
  await expect(kiosk.connectivity()).toHaveText('Offline');
  await expect(kiosk.queuedCount()).toHaveText('1');
  expect(await checkInRows(server, visit.id)).toEqual([]);

  // Back within the minute: the kiosk itself says the scan was accepted offline, and the server files it so.
  await context.setOffline(false);
  await expect(kiosk.queuedCount()).toHaveText('0', { timeout: 20_000 });
  await expect(kiosk.connectivity()).toHaveText('Online');

  expect(await checkInRows(server, visit.id)).toEqual([{ kind: 'check_in', kiosk_id: kioskId, offline: true }]);
  const [entry] = (await staff.onSite()).filter((e) => e.visitId === visit.id);
  expect(entry).toMatchObject({ name: 'Offline Visitor', offline: true });
  // Another reload and flush send nothing again.
  await kiosk.page.reload();
  await kiosk.expectIdle();
  await expect(kiosk.queuedCount()).toHaveText('0');
  expect(await checkInRows(server, visit.id)).toHaveLength(1);
  await context.close();
});

test('staff see a kiosk go offline and come back, with its queue, from its heartbeat', async ({
  kioskBrowser,
  server,
  staff,
  cameraFile,
}) => {
  const context = await kioskBrowser.newContext({ viewport: TABLET_LANDSCAPE, locale: 'en-GB' });
  const kiosk = await KioskPage.open(context, server.baseUrl, cameraFile);
  await kiosk.pair(staff, 'Lobby heartbeat');
  await kiosk.expectIdle();

  const adminContext = await kioskBrowser.newContext({ baseURL: server.baseUrl, locale: 'en-GB' });
  const admin = await adminContext.newPage();
  await admin.goto('/');
  await admin.getByTestId('login-email').fill(server.adminEmail);
  await admin.getByTestId('login-password').fill(server.adminPassword);
  await admin.getByTestId('login-submit').click();
  await admin.getByTestId('nav-kiosks').click();
  const row = admin.getByTestId('kiosk-row').filter({ hasText: 'Lobby heartbeat' });
  const status = row.getByTestId('kiosk-status');
  await expect(status).toHaveAttribute('data-online', 'true');
  await expect(status).toContainText('nothing waiting');

  // Offline: the beats stop, and the Kiosks page (refreshing every 15 s) says so well within two minutes.
  await context.setOffline(true);
  const wentOffline = Date.now();
  await expect(status).toHaveAttribute('data-online', 'false', { timeout: 60_000 });
  await expect(status).toContainText('Offline');
  const offlineAfterMs = Date.now() - wentOffline;
  // A scan taken offline waits in the queue; once back, the first beat reports it or its delivery.
  const visit = await staff.preRegister('Heartbeat Visitor');
  expect(await kiosk.scan(visit.qrToken)).toBe('welcome');
  await kiosk.done();
  await context.setOffline(false);
  await expect(status).toHaveAttribute('data-online', 'true', { timeout: 60_000 });
  await expect(status).toContainText('nothing waiting', { timeout: 30_000 });
  console.info(`kiosk heartbeat: staff saw the kiosk offline ${Math.round(offlineAfterMs / 1000)} s after it went`);
  await adminContext.close();
  await context.close();
});

test('a visitor still on screen gets the voucher when the queued check-in syncs', async ({
  kioskBrowser,
  server,
  staff,
  cameraFile,
}) => {
  const context = await kioskBrowser.newContext({ viewport: TABLET_LANDSCAPE, locale: 'en-GB' });
  const kiosk = await KioskPage.open(context, server.baseUrl, cameraFile);
  await kiosk.pair(staff, 'Lobby flaky');
  const visit = await staff.preRegister('Patient Visitor');
  await context.setOffline(true);
  expect(await kiosk.scan(visit.qrToken)).toBe('welcome');
  await expect(kiosk.page.getByTestId('offline-welcome')).toBeVisible();
  await context.setOffline(false);
  await expect(kiosk.page.getByTestId('welcome')).toHaveAttribute('data-state', 'accepted');
  await expect(kiosk.page.getByTestId('voucher-password')).toHaveText(/\S{6,}/);
  await expect(kiosk.page.getByTestId('offline-welcome')).toHaveCount(0);
  await expect(kiosk.queuedCount()).toHaveText('0');
  expect(await checkInRows(server, visit.id)).toHaveLength(1);
  await context.close();
});

test('two kiosks offline accept the same code; after sync the server holds one check-in and one conflict', async ({
  kioskBrowser,
  server,
  staff,
  cameraFile,
}) => {
  const first = await KioskPage.open(
    await kioskBrowser.newContext({ viewport: TABLET_LANDSCAPE }),
    server.baseUrl,
    cameraFile,
  );
  const second = await KioskPage.open(
    await kioskBrowser.newContext({ viewport: TABLET_LANDSCAPE }),
    server.baseUrl,
    cameraFile,
  );
  const firstId = await first.pair(staff, 'Lobby east');
  const secondId = await second.pair(staff, 'Lobby west');
  const visit = await staff.preRegister('Double Scan');

  await first.context.setOffline(true);
  await second.context.setOffline(true);
  expect(await first.scan(visit.qrToken)).toBe('welcome');
  expect(await second.scan(visit.qrToken)).toBe('welcome');
  for (const kiosk of [first, second]) {
    await expect(kiosk.page.getByTestId('offline-welcome')).toBeVisible();
    await kiosk.done();
    await expect(kiosk.queuedCount()).toHaveText('1');
  }

  await first.context.setOffline(false);
  await expect(first.queuedCount()).toHaveText('0', { timeout: 20_000 });
  await second.context.setOffline(false);
  await expect(second.queuedCount()).toHaveText('0', { timeout: 20_000 });
  // The second kiosk keeps the refusal for staff to follow up.
  await expect(second.page.getByTestId('rejected-count')).toHaveText('Staff: 1 to follow up');

  expect(await checkInRows(server, visit.id)).toEqual([{ kind: 'check_in', kiosk_id: firstId, offline: true }]);
  const conflicts = await staff.audit('visit.replay_conflict', visit.id);
  expect(conflicts).toHaveLength(1);
  expect(conflicts[0]).toMatchObject({ actorId: secondId, details: { firstKioskId: firstId } });
  await first.context.close();
  await second.context.close();
});

test('a tablet clock 5 min fast: staff are warned, codes are judged at server time, old keys are refused', async ({
  kioskBrowser,
  server,
  staff,
  cameraFile,
}) => {
  const context = await kioskBrowser.newContext({ viewport: TABLET_LANDSCAPE, locale: 'en-GB' });
  const kiosk = await KioskPage.open(context, server.baseUrl, cameraFile, (page) =>
    page.clock.install({ time: new Date(Date.now() + 5 * 60_000) }),
  );
  await kiosk.pair(staff, 'Lobby fast clock');
  await expect(kiosk.page.getByTestId('staff-warning-clock')).toContainText('5 min off');
  await expectAccessible(kiosk.page, 'idle with staff warnings');

  // Still valid for two minutes by the server's clock, already expired by the tablet's.
  const visit = await staff.preRegister('Clockwise Visitor', {
    arrival: new Date(Date.now() - 3600_000),
    departure: new Date(Date.now() + 2 * 60_000),
  });
  expect(await kiosk.scan(visit.qrToken)).toBe('welcome');
  await expect(kiosk.page.getByTestId('voucher-password')).toBeVisible();
  await kiosk.done();

  // A week and a day without contact: the cached keys are past the site's maximum age.
  await context.setOffline(true);
  await kiosk.page.clock.fastForward(8 * 24 * 3600_000);
  await expect(kiosk.page.getByTestId('staff-warning-stale')).toBeVisible();
  const late = await staff.preRegister('Stale Keys Visitor');
  expect(await kiosk.scan(late.qrToken)).toBe('error');
  await kiosk.expectError('kiosk_must_reconnect', /must reconnect to the server/);
  // Nobody touches the screen: it goes back to the start by itself for the next visitor.
  await kiosk.page.clock.fastForward(21_000);
  await kiosk.expectIdle();
  expect(await checkInRows(server, late.id)).toEqual([]);
  await context.close();
});

test('a visitor without a QR code signs in with the walk-in form where the site allows it', async ({
  kioskBrowser,
  server,
  staff,
  cameraFile,
}) => {
  const annex = await staff.createSite(`Annex ${Date.now()}`);
  await staff.updateSite(annex.id, { walkInsAllowed: true });
  const context = await kioskBrowser.newContext({ viewport: TABLET_PORTRAIT, locale: 'en-GB' });
  const kiosk = await KioskPage.open(context, server.baseUrl, cameraFile);
  await kiosk.pair(staff, 'Annex lobby', annex.id);
  await kiosk.page.getByTestId('start-walkin').click();
  await expect(kiosk.page.getByTestId('walk-in')).toBeVisible();
  await kiosk.page.getByTestId('walkin-submit').click();
  await expect(kiosk.page.getByText('Please enter your name.')).toBeVisible();
  await expectAccessible(kiosk.page, 'walk-in form');
  await kiosk.page.getByTestId('walkin-name').fill('Walter Walker');
  await expect(kiosk.page.getByText('Please enter your name.')).toHaveCount(0);
  await kiosk.page.getByTestId('walkin-email').fill('walter@example.com');
  await screenshots(kiosk.page, 'kiosk-walk-in');
  await kiosk.page.getByTestId('walkin-submit').click();
  await expect(kiosk.page.getByTestId('welcome')).toHaveAttribute('data-state', 'accepted');
  await expect(kiosk.page.getByRole('heading', { name: 'Welcome, Walter W.!' })).toBeVisible();
  await expect(kiosk.page.getByTestId('voucher-password')).toHaveText(/\S{6,}/);
  await context.close();
});

test('says plainly when the camera is blocked', async ({ server, staff, cameraFile }) => {
  const browser = await launchKioskBrowser(cameraFile, { allowCamera: false });
  try {
    const context = await browser.newContext({ viewport: TABLET_LANDSCAPE, locale: 'en-GB' });
    const kiosk = await KioskPage.open(context, server.baseUrl, cameraFile);
    await kiosk.pair(staff, 'Lobby no camera');
    await kiosk.page.getByTestId('start-scan').click();
    await kiosk.expectError('camera_denied', /camera is blocked/);
    await expectAccessible(kiosk.page, 'camera blocked');
  } finally {
    await browser.close();
  }
});

test('speed: local verification and scan-to-result medians, measured in the browser', async ({
  kioskBrowser,
  server,
  staff,
  cameraFile,
}) => {
  const context = await kioskBrowser.newContext({ viewport: TABLET_LANDSCAPE });
  const kiosk = await KioskPage.open(context, server.baseUrl, cameraFile);
  await kiosk.pair(staff, 'Lobby bench');
  const scans = 9;
  let lastToken = '';
  for (let i = 0; i < scans; i++) {
    const visit = await staff.preRegister(`Bench Visitor ${i}`);
    lastToken = visit.qrToken;
    expect(await kiosk.scan(visit.qrToken)).toBe('welcome');
    await expect(kiosk.page.getByTestId('voucher-password')).toBeVisible();
    await kiosk.done();
  }
  const verify = await measures(kiosk.page, 'atrium:verify');
  const library = await verifyInPage(kiosk.page, lastToken, 300);
  const scanToResult = await measures(kiosk.page, 'atrium:scan-to-result');
  expect(verify).toHaveLength(scans);
  expect(scanToResult).toHaveLength(scans);
  const result = {
    at: new Date().toISOString(),
    browser: `chromium ${kioskBrowser.version()}`,
    scans,
    verifyMedianMs: Number(median(library).toFixed(3)),
    verifyGoalMs: 0.5,
    verifyMeanMs: Number((library.reduce((a, b) => a + b, 0) / library.length).toFixed(4)),
    verifyRuns: library.length,
    verifyInScanPathMedianMs: Number(median(verify).toFixed(3)),
    scanToResultMedianMs: Number(median(scanToResult).toFixed(1)),
    scanToResultGoalMs: 300,
    scanToResultGoalMet: median(scanToResult) < 300,
    verifyInScanPathMs: verify.map((v) => Number(v.toFixed(3))),
    scanToResultMs: scanToResult.map((v) => Number(v.toFixed(1))),
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'kiosk-bench.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `kiosk bench: local verify median ${result.verifyMedianMs} ms over ${library.length} runs (goal < 0.5 ms; ` +
      `${result.verifyInScanPathMedianMs} ms inside the scan path), ` +
      `scan-to-result median ${result.scanToResultMedianMs} ms (goal < 300 ms) over ${scans} scans`,
  );
  expect(result.verifyMedianMs).toBeLessThan(0.5);
  // The 300 ms goal is reported, not enforced: on a shared two-core machine other work moves it (80–120 ms quiet,
  // near 300 ms under load). A second or more would mean something is broken, not busy.
  expect(result.scanToResultMedianMs).toBeLessThan(1000);
  await context.close();
});

test('served at /kiosk/: the app shell is revalidated on every load, hashed assets are cached for good', async ({
  server,
}) => {
  const shell = await fetch(`${server.baseUrl}/kiosk/`);
  expect(shell.status).toBe(200);
  expect(shell.headers.get('cache-control')).toBe('no-cache');
  const html = await shell.text();
  const entry = html.match(/<script[^>]+src="(\/kiosk\/assets\/[^"]+\.js)"/)?.[1];
  expect(entry).toBeDefined();
  const asset = await fetch(`${server.baseUrl}${entry}`);
  expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  for (const file of ['sw.js', 'manifest.webmanifest']) {
    const res = await fetch(`${server.baseUrl}/kiosk/${file}`);
    expect(res.status, file).toBe(200);
    expect(res.headers.get('cache-control'), file).toBe('no-cache');
  }
  // A deep link is a navigation the app handles itself; a missing asset stays a 404.
  expect((await fetch(`${server.baseUrl}/kiosk/anything`, { headers: { accept: 'text/html' } })).status).toBe(200);
  expect((await fetch(`${server.baseUrl}/kiosk/assets/missing.js`)).status).toBe(404);
});

test('size: the first load stays under 200 KB of gzipped JS and the QR decoder loads lazily', async () => {
  const dist = path.join(root, 'apps', 'kiosk', 'dist');
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const initial = [
    ...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
  ].map((m) => m[1]!.replace(/^\/kiosk\//, ''));
  expect(initial.length).toBeGreaterThan(0);
  const gzipped = initial.reduce((sum, file) => sum + gzipSync(fs.readFileSync(path.join(dist, file))).length, 0);
  const kb = gzipped / 1024;
  const manifest = JSON.parse(fs.readFileSync(path.join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    { file: string; imports?: string[]; dynamicImports?: string[]; isEntry?: boolean }
  >;
  const decoder = manifest['src/scan/decoder.ts'];
  expect(decoder, 'the decoder is a chunk of its own').toBeDefined();
  expect(initial).not.toContain(decoder!.file);
  expect(manifest['index.html']?.dynamicImports).toContain('src/scan/decoder.ts');
  const decoderKb = gzipSync(fs.readFileSync(path.join(dist, decoder!.file))).length / 1024;
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(
    path.join(RESULTS_DIR, 'kiosk-size.json'),
    `${JSON.stringify({ initialJsGzipKb: Number(kb.toFixed(1)), initialFiles: initial, decoderGzipKb: Number(decoderKb.toFixed(1)), budgetKb: 200 }, null, 2)}\n`,
  );
  console.log(
    `kiosk size: initial JS ${kb.toFixed(1)} KB gzipped (budget 200 KB), decoder chunk ${decoderKb.toFixed(1)} KB`,
  );
  expect(kb).toBeLessThanOrEqual(200);
});
