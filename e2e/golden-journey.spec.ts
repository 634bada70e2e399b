/**
 * The golden journey: the whole product as its users meet it, in one run per database. A receptionist signs in,
 * registers the site agent (which then runs from the downloaded bundle and the seed's env vars), pre-registers a
 * visitor and pairs a kiosk tablet by typing its code; the visitor scans the QR; the kiosk shows the WiFi voucher; the
 * WiFi controller (radclient) gets Access-Accept from the agent; the on-site list shows the visitor live; check-out
 * rejects the voucher and the controller receives a Disconnect-Request. Then the same with the kiosk offline.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Code, decode, radclient, verifyRequestAuthenticator } from '@atrium/agent/testing/radius';
import { type BrowserContext, chromium, expect, type Page, test } from '@playwright/test';
import { blankLuma, showQr, writeY4m } from './fixtures/camera';
import { CHROMIUM, CHROMIUM_ARGS, fakeCameraArgs } from './fixtures/kiosk';
import { RESULTS_DIR, root } from './fixtures/server';
import { type RunningAgent, type Stack, startAgent, startNas, startStack } from './fixtures/stack';

const IMAGES = path.join(root, 'docs', 'images');

for (const database of ['postgres', 'pglite'] as const) {
  test(`golden journey on ${database === 'postgres' ? 'PostgreSQL' : 'the embedded database (npm start)'}`, async () => {
    test.setTimeout(300_000);
    const started = performance.now();
    const timings: Record<string, number> = {};
    const cleanups: Array<() => Promise<unknown> | unknown> = [];
    try {
      const stack: Stack = await startStack(database);
      cleanups.push(() => stack.stop());
      timings.server_start_ms = Math.round(performance.now() - started);
      const nas = await startNas();
      cleanups.push(() => nas.close());
      const camera = path.join(stack.dir, 'camera.y4m');
      writeY4m(camera, blankLuma());

      const adminBrowser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      cleanups.push(() => adminBrowser.close());
      const adminContext = await adminBrowser.newContext({
        baseURL: stack.baseUrl,
        viewport: { width: 1280, height: 860 },
        acceptDownloads: true,
      });
      const admin = await adminContext.newPage();

      await test.step('the receptionist signs in with the printed login', async () => {
        await admin.goto('/');
        await admin.getByTestId('login-email').fill(stack.adminEmail);
        await admin.getByTestId('login-password').fill(stack.adminPassword);
        await admin.getByTestId('login-submit').click();
        await expect(admin.getByTestId('nav-visits')).toBeVisible();
      });

      let agent!: RunningAgent;
      await test.step('registers the site agent, downloads its bundle and starts it from the seed env vars', async () => {
        await admin.getByTestId('nav-agents').click();
        await admin.getByTestId('agent-name').fill('Lobby WiFi');
        await admin.getByTestId('agent-submit').click();
        await expect(admin.getByTestId('agent-bundle')).toBeVisible();
        const files: Record<string, string> = {};
        const names: string[] = [];
        for (const which of ['cert', 'key', 'ca']) {
          const [download] = await Promise.all([
            admin.waitForEvent('download'),
            admin.getByTestId(`agent-download-${which}`).click(),
          ]);
          files[which] = fs.readFileSync((await download.path())!, 'utf8');
          names.push(download.suggestedFilename());
        }
        // The names the agent looks for in the mounted /certs when no TLS_* variable is set.
        expect(names).toEqual(['agent.crt', 'agent.key', 'ca.crt']);
        const command = (await admin.getByTestId('agent-docker-run').textContent()) ?? '';
        const env = Object.fromEntries(
          [...command.matchAll(/-e (ATRIUM_\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!.replace(/^'|'$/g, '')]),
        );
        expect(Object.keys(env).sort()).toEqual(['ATRIUM_SERVER_URL', 'ATRIUM_SITE_ID', 'ATRIUM_TENANT_ID']);
        expect(files.key).toContain('PRIVATE KEY');
        agent = await startAgent({ env, cert: files.cert!, key: files.key!, ca: files.ca! }, stack.dir, nas.target);
        cleanups.unshift(() => agent.stop());
        nas.setSecret(agent.secret);
        await admin.getByTestId('agent-bundle-done').click();
        await expect(admin.getByTestId('agent-status').first()).toHaveAttribute('data-connected', 'true', {
          timeout: 20_000,
        });
      });

      const registerVisitor = async (name: string) => {
        await admin.getByTestId('nav-visits').click();
        await admin.getByTestId('visit-new').click();
        await admin.getByTestId('visit-name').fill(name);
        const [response] = await Promise.all([
          admin.waitForResponse((r) => r.url().endsWith('/api/v1/visits') && r.request().method() === 'POST'),
          admin.getByTestId('visit-submit').click(),
        ]);
        expect(response.status()).toBe(201);
        await expect(admin.getByTestId('visit-qr')).toBeVisible();
        return ((await response.json()) as { qrToken: string }).qrToken;
      };

      let firstToken = '';
      await test.step('pre-registers a visitor and sees the QR', async () => {
        firstToken = await registerVisitor('Ada Lovelace');
        showQr(camera, firstToken);
      });

      // The tablet: a persistent profile (its pairing and outbox live in it) whose camera plays the QR file.
      const kioskContext: BrowserContext = await chromium.launchPersistentContext(path.join(stack.dir, 'tablet'), {
        executablePath: CHROMIUM,
        args: [...CHROMIUM_ARGS, ...fakeCameraArgs(camera)],
        baseURL: stack.baseUrl,
        viewport: { width: 1024, height: 768 },
      });
      cleanups.unshift(() => kioskContext.close());
      const kiosk: Page = kioskContext.pages()[0] ?? (await kioskContext.newPage());

      await test.step('pairs the lobby tablet by typing the code it shows', async () => {
        await kiosk.goto('/kiosk/');
        const code = (await kiosk.getByTestId('pairing-code').textContent())?.replace(/\D/g, '') ?? '';
        expect(code).toMatch(/^\d{6}$/);
        await admin.getByTestId('nav-kiosks').click();
        await admin.getByTestId('pair-code').fill(code);
        await admin.getByTestId('pair-name').fill('Lobby tablet');
        await admin.screenshot({ path: path.join(IMAGES, 'admin-pairing.png') });
        await admin.getByTestId('pair-submit').click();
        await expect(admin.getByTestId('pair-success')).toBeVisible();
        await expect(kiosk.getByTestId('idle')).toBeVisible({ timeout: 20_000 });
      });

      await admin.getByTestId('nav-onsite').click();
      await expect(admin.getByTestId('onsite-table').or(admin.getByTestId('onsite-count'))).toBeVisible();

      let voucher = { username: '', password: '' };
      await test.step('the visitor scans the QR and the kiosk shows the WiFi voucher', async () => {
        const scanStarted = performance.now();
        await kiosk.getByTestId('start-scan').click();
        await expect(kiosk.getByTestId('voucher-password')).toBeVisible({ timeout: 20_000 });
        timings.scan_to_voucher_ms = Math.round(performance.now() - scanStarted);
        voucher = {
          username: ((await kiosk.getByTestId('voucher-username').textContent()) ?? '').trim(),
          password: ((await kiosk.getByTestId('voucher-password').textContent()) ?? '').trim(),
        };
        expect(voucher.username).not.toBe('');
      });

      const logon = (chap = false) =>
        radclient(
          agent.authPort,
          'auth',
          agent.secret,
          `User-Name = "${voucher.username}", ${chap ? 'CHAP-Password' : 'User-Password'} = "${voucher.password}", NAS-IP-Address = 127.0.0.1, Message-Authenticator = 0x00`,
        );

      // The voucher travels to the agent after the kiosk has it (outbox, then the agent's WebSocket): a phone joining
      // the WiFi a moment later may be told no once, and asks again, as phones do.
      const logonWhenReady = async () => {
        const started = performance.now();
        let answer = await logon();
        while (answer.reply?.code !== 'Access-Accept' && performance.now() - started < 10_000) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          answer = await logon();
        }
        return { answer, waitedMs: Math.round(performance.now() - started) };
      };

      await test.step('the WiFi controller gets Access-Accept from the agent, PAP and CHAP', async () => {
        const { answer: pap, waitedMs } = await logonWhenReady();
        timings.wifi_accept_after_kiosk_ms = waitedMs;
        expect(pap.reply?.code).toBe('Access-Accept');
        expect((await logon(true)).reply?.code).toBe('Access-Accept');
        const classValue = pap.reply!.attributes.find((a) => a.name === 'Class')!.value;
        const start = await radclient(
          agent.acctPort,
          'acct',
          agent.secret,
          `User-Name = "${voucher.username}", Acct-Status-Type = Start, Acct-Session-Id = "golden-1", NAS-IP-Address = 127.0.0.1, Class = ${classValue}, Calling-Station-Id = "02-00-00-00-00-01"`,
        );
        expect(start.reply?.code).toBe('Accounting-Response');
      });

      const row = admin.getByTestId('onsite-row').filter({ hasText: 'Ada Lovelace' });
      await test.step('the on-site list shows the visitor live', async () => {
        await expect(row).toBeVisible({ timeout: 10_000 });
        await admin.screenshot({ path: path.join(IMAGES, 'admin-onsite.png') });
      });

      await test.step('checking out rejects the voucher and the controller receives a Disconnect-Request', async () => {
        await row.getByTestId('checkout-button').click();
        // Sent once the few seconds to undo it have passed.
        await expect(row.getByTestId('checkout-undo')).toBeVisible();
        await expect(row).toHaveCount(0, { timeout: 20_000 });
        await expect.poll(() => nas.requests.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
        const request = nas.requests[0]!;
        expect(decode(request).code).toBe(Code.DisconnectRequest);
        expect(verifyRequestAuthenticator(request, agent.secret)).toBe(true);
        expect((await logon()).reply?.code).toBe('Access-Reject');
      });

      await test.step("the agent's status is visible in the admin app", async () => {
        await admin.getByTestId('nav-agents').click();
        const status = admin.getByTestId('agent-status').first();
        await expect(status).toHaveAttribute('data-connected', 'true');
        await expect(status.locator('dl')).toBeVisible();
        // The agent's own memory and CPU, as it reported them.
        await expect(status.getByTestId('agent-resources')).toHaveText(/\d+ MB memory, [\d.]+ s CPU since start/);
      });

      await test.step('renewing the certificate shows a new bundle like registration; the agent stays connected', async () => {
        await admin.getByTestId('agent-renew').first().click();
        const bundle = admin.getByTestId('agent-bundle');
        await expect(bundle.getByRole('heading', { level: 2 })).toHaveText('New certificate for “Lobby WiFi”');
        const [download] = await Promise.all([
          admin.waitForEvent('download'),
          admin.getByTestId('agent-download-cert').click(),
        ]);
        expect(download.suggestedFilename()).toBe('agent.crt');
        expect(fs.readFileSync((await download.path())!, 'utf8')).toContain('BEGIN CERTIFICATE');
        // Only the certificate was saved: closing asks once more, naming the files left behind (issue 21 item 15).
        await admin.getByTestId('agent-bundle-done').click();
        await expect(admin.getByTestId('agent-bundle-missing')).toContainText('agent.key, ca.crt');
        await admin.getByTestId('agent-bundle-done').click();
        await expect(admin.getByTestId('agent-pending-certificate')).toContainText('takes over');
        await expect(admin.getByTestId('agent-status').first()).toHaveAttribute('data-connected', 'true');
      });

      await test.step('offline: the kiosk accepts a scan with no network and delivers it once back online', async () => {
        const token = await registerVisitor('Grace Hopper');
        showQr(camera, token);
        await admin.getByTestId('nav-onsite').click();
        await kiosk.goto('/kiosk/');
        await expect(kiosk.getByTestId('idle')).toBeVisible();
        await kioskContext.setOffline(true);
        await kiosk.getByTestId('start-scan').click();
        await expect(kiosk.getByTestId('offline-welcome')).toBeVisible({ timeout: 20_000 });
        await expect(kiosk.getByTestId('queued-count')).toContainText('1');
        const offlineRow = admin.getByTestId('onsite-row').filter({ hasText: 'Grace Hopper' });
        await expect(offlineRow).toHaveCount(0);
        await kioskContext.setOffline(false);
        await expect(offlineRow).toBeVisible({ timeout: 20_000 });
        await expect(kiosk.getByTestId('voucher-password')).toBeVisible({ timeout: 20_000 });
        voucher = {
          username: ((await kiosk.getByTestId('voucher-username').textContent()) ?? '').trim(),
          password: ((await kiosk.getByTestId('voucher-password').textContent()) ?? '').trim(),
        };
        expect((await logonWhenReady()).answer.reply?.code).toBe('Access-Accept');
      });

      timings.total_ms = Math.round(performance.now() - started);
      fs.mkdirSync(RESULTS_DIR, { recursive: true });
      fs.writeFileSync(path.join(RESULTS_DIR, `golden-journey-${database}.json`), `${JSON.stringify(timings)}\n`);
      console.log(`golden journey on ${database}: ${JSON.stringify(timings)}`);
    } finally {
      for (const cleanup of cleanups) await Promise.resolve(cleanup()).catch(() => {});
    }
  });
}
