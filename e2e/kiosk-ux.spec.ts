/**
 * What a visitor in front of the kiosk notices (issue 21, items 1, 2, 5 and 19): staff details stay behind the site's
 * staff PIN, each refusal has its own title and the one action that helps, the scanning and offline screens read well,
 * and keyboard and screen-reader users are taken to each new screen's heading. Debian's Chromium with a fake camera
 * against the shared kiosk server.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { backdateVisit } from './fixtures/atrium';
import { decodePng, showQr } from './fixtures/camera';
import { KioskPage, TABLET_LANDSCAPE, TABLET_PORTRAIT } from './fixtures/kiosk';
import { expect, test } from './fixtures/test';

async function expectAccessible(page: Page, screen: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `axe on the ${screen} screen`).toEqual([]);
}

const focused = (page: Page) => page.locator(':focus');

/** WCAG contrast ratio of two computed CSS colours (rgb()/rgba(), alpha ignored). */
function contrast(first: string, second: string): number {
  const lum = (css: string) => {
    const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const [x, y] = [lum(first), lum(second)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/** Presses Tab until the element with `testId` has focus (keyboard only, as a switch or keyboard user would). */
async function tabTo(page: Page, testId: string): Promise<void> {
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
    if (at === testId) return;
  }
  throw new Error(`Tab never reached ${testId}`);
}

test('item 1: the refused-scans list is for staff only: behind the site PIN, without what visitors saw, cleared on re-pairing', async ({
  kioskBrowser,
  server,
  staff,
  cameraFile,
}) => {
  const site = await staff.createSite(`Staff PIN ${Date.now()}`);
  const first = await KioskPage.open(
    await kioskBrowser.newContext({ viewport: TABLET_LANDSCAPE, locale: 'en-GB' }),
    server.baseUrl,
    cameraFile,
  );
  const second = await KioskPage.open(
    await kioskBrowser.newContext({ viewport: TABLET_LANDSCAPE, locale: 'en-GB' }),
    server.baseUrl,
    cameraFile,
  );
  await first.pair(staff, 'PIN east', site.id);
  const secondId = await second.pair(staff, 'PIN west', site.id);
  const status = second.page.getByTestId('status-bar');
  // Nothing waits: visitors see no sync state at all.
  await expect(status.getByText('waiting to sync')).toBeHidden();

  // Both kiosks accept one code offline; the second is refused for good when it syncs.
  const twice = await staff.preRegister('Rita Replay', { siteId: site.id });
  await first.context.setOffline(true);
  await second.context.setOffline(true);
  for (const kiosk of [first, second]) {
    expect(await kiosk.scan(twice.qrToken)).toBe('welcome');
    await kiosk.done();
  }
  await expect(status.getByText('waiting to sync')).toBeVisible();
  await expect(status).toContainText('1 waiting to sync');
  await first.context.setOffline(false);
  await expect(first.page.getByTestId('status-bar').getByText('waiting to sync')).toBeHidden({ timeout: 20_000 });
  await second.context.setOffline(false);
  await expect(status.getByText('waiting to sync')).toBeHidden({ timeout: 20_000 });
  const staffButton = second.page.getByTestId('rejected-count');
  await expect(staffButton).toHaveText('Staff: 1 to follow up');
  await expect(status).not.toContainText('Rita');

  // A refusal the visitor reads on the screen is not added to the staff list.
  const seen = await staff.preRegister('Sam Seen', { siteId: site.id });
  expect(await first.scan(seen.qrToken)).toBe('welcome');
  await first.done();
  expect(await second.scan(seen.qrToken)).toBe('error');
  await second.expectError('already_used', /already been used/);
  await second.done();
  await expect(staffButton).toHaveText('Staff: 1 to follow up');

  // The list asks for the staff PIN first; none is set yet.
  await staffButton.click();
  const dialog = second.page.getByTestId('rejections');
  await expect(dialog.getByRole('heading', { name: 'Staff only' })).toBeVisible();
  await expect(second.page.getByTestId('staff-pin')).toBeFocused();
  await expect(dialog).not.toContainText('Rita');
  await second.page.getByTestId('staff-pin').fill('1234');
  await second.page.getByTestId('staff-unlock').click();
  await expect(second.page.getByTestId('staff-pin-error')).toHaveText(
    'No staff PIN is set for this site. An admin sets one in Atrium under Settings.',
  );
  await expectAccessible(second.page, 'staff unlock');

  await staff.updateSite(site.id, { staffPin: '2468' });
  await second.page.getByTestId('staff-pin').fill('1111');
  await second.page.getByTestId('staff-unlock').click();
  await expect(second.page.getByTestId('staff-pin-error')).toHaveText('That is not the staff PIN.');
  await expect(dialog).not.toContainText('Rita');
  await second.page.getByTestId('staff-pin').fill('2468');
  await second.page.keyboard.press('Enter');

  const list = second.page.getByTestId('rejection-list');
  await expect(list).toContainText('Rita R.');
  await expect(list).not.toContainText('Sam');
  // Opens on "Close", never on the button that throws the list away; both fit on a 1024×768 tablet.
  await expect(second.page.getByTestId('rejections-close')).toBeFocused();
  for (const button of ['rejections-close', 'rejections-clear']) {
    const box = (await second.page.getByTestId(button).boundingBox())!;
    expect(box.y + box.height, `${button} is on screen`).toBeLessThanOrEqual(TABLET_LANDSCAPE.height);
    expect(box.x + box.width).toBeLessThanOrEqual(TABLET_LANDSCAPE.width);
  }
  await expectAccessible(second.page, 'staff list');
  await second.page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  // Closed means locked again; in German the list reads German, not the server's English.
  await second.page.getByTestId('lang-de').click();
  await staffButton.click();
  await expect(dialog.getByRole('heading', { name: 'Nur für Personal' })).toBeVisible();
  await second.page.getByTestId('staff-pin').fill('2468');
  await second.page.keyboard.press('Enter');
  await expect(list).toContainText('Einchecken · Rita R.');
  await expect(list).toContainText('Mit diesem QR-Code wurde bereits eingecheckt.');
  await expect(list).not.toContainText(/already been|was already|has been/);
  await expectAccessible(second.page, 'staff list (de)');
  await second.page.getByTestId('rejections-close').click();

  // Revoked, then paired again: nothing of the old list is left.
  await staff.revokeKiosk(secondId);
  await second.page.reload();
  await expect(second.page.getByTestId('pairing')).toBeVisible({ timeout: 20_000 });
  await second.pair(staff, 'PIN west again', site.id);
  await expect(staffButton).toHaveCount(0);
  await first.context.close();
  await second.context.close();
});

test('item 2: each refusal has its own title and the one action that helps, and one way out', async ({
  kioskBrowser,
  server,
  staff,
  cameraFile,
}) => {
  const context = await kioskBrowser.newContext({ viewport: TABLET_LANDSCAPE, locale: 'en-GB' });
  const kiosk = await KioskPage.open(context, server.baseUrl, cameraFile);
  await kiosk.pair(staff, 'Lobby refusal titles');
  const page = kiosk.page;
  const error = page.getByTestId('error');

  // Already checked in: the title says so, and the one action checks out with the same code.
  const used = await staff.preRegister('Una Used');
  expect(await kiosk.scan(used.qrToken)).toBe('welcome');
  await kiosk.done();
  expect(await kiosk.scan(used.qrToken)).toBe('error');
  await expect(error.getByRole('heading', { level: 1 })).toHaveText('You are already checked in');
  await expect(error.getByRole('button')).toHaveText(['Check out instead', 'Done']);
  await expect(page.getByTestId('stay')).toHaveCount(0);
  await expectAccessible(page, 'already checked in');
  await page.getByTestId('retry').click();
  await expect(page.getByTestId('checked-out')).toHaveAttribute('data-state', 'accepted', { timeout: 15_000 });
  await kiosk.done();

  // Expired or not yet valid: nothing to try again, only reception helps.
  const late = await staff.preRegister('Lars Late');
  await backdateVisit(server, late.id);
  expect(await kiosk.scan(decodePng(await staff.qrPng(late.id)))).toBe('error');
  await expect(error.getByRole('heading', { level: 1 })).toHaveText('This code has expired');
  await expect(error.getByRole('button')).toHaveText(['Done']);
  await kiosk.done();

  // Too early: the title says from when the code works (an hour before the arrival, in the site's zone, UTC here).
  for (const hours of [3, 30]) {
    const arrival = new Date(Math.floor(Date.now() / 60_000) * 60_000 + hours * 3600_000);
    const early = await staff.preRegister(`Erin Early ${hours}`, { arrival });
    const opens = new Date(arrival.getTime() - 3600_000);
    const today = opens.toISOString().slice(0, 10) === new Date().toISOString().slice(0, 10);
    const time = new Intl.DateTimeFormat('en-GB', {
      ...(today ? {} : { dateStyle: 'medium' }),
      timeStyle: 'short',
      timeZone: 'UTC',
    }).format(opens);
    expect(await kiosk.scan(early.qrToken)).toBe('error');
    await expect(error.getByRole('heading', { level: 1 })).toHaveText(`You can check in from ${time}`);
    await expect(error.getByRole('button')).toHaveText(['Done']);
    await kiosk.done();
  }

  // Checking out without a check-in: in German, the action checks in instead.
  await page.getByTestId('lang-de').click();
  const fresh = await staff.preRegister('Nora Neu');
  expect(await kiosk.scan(fresh.qrToken, 'check_out')).toBe('error');
  await expect(error).toHaveAttribute('data-reason', 'not_checked_in');
  await expect(error.getByRole('heading', { level: 1 })).toHaveText('Sie sind nicht eingecheckt');
  await expect(error.getByRole('button')).toHaveText(['Stattdessen einchecken', 'Fertig']);
  await expectAccessible(page, 'not checked in (de)');
  await page.getByTestId('retry').click();
  await expect(page.getByTestId('welcome')).toHaveAttribute('data-state', 'accepted', { timeout: 15_000 });
  await context.close();
});

test('item 5: the scanning screen keeps its status inside the viewfinder, hints at distance, and wraps its heading evenly; the offline welcome promises nothing', async ({
  kioskBrowser,
  server,
  staff,
  cameraFile,
}) => {
  const context = await kioskBrowser.newContext({ viewport: TABLET_PORTRAIT, locale: 'de-DE' });
  const kiosk = await KioskPage.open(context, server.baseUrl, cameraFile, async (page) => {
    // A slow camera, so the "starting" state stays long enough to be measured.
    await page.addInitScript(() => {
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = (constraints) =>
        new Promise((resolve) => setTimeout(resolve, 2_000)).then(() => original(constraints));
    });
  });
  await kiosk.pair(staff, 'Lobby scan layout');
  const page = kiosk.page;

  for (const viewport of [TABLET_PORTRAIT, TABLET_LANDSCAPE]) {
    await page.setViewportSize(viewport);
    for (const [mode, button] of [
      ['check_in', 'start-scan'],
      ['check_out', 'start-checkout'],
    ] as const) {
      await page.getByTestId(button).click();
      const status = page.locator('.viewfinder-status');
      await expect(status).toBeVisible();
      await expect(status).toHaveText('Kamera wird gestartet …');
      // The spinner and the words, as drawn, stay within the viewfinder.
      const spill = await status.evaluate((element) => {
        const frame = element.parentElement!.getBoundingClientRect();
        const range = document.createRange();
        range.selectNodeContents(element);
        const drawn = range.getBoundingClientRect();
        return Math.max(
          frame.left - drawn.left,
          drawn.right - frame.right,
          frame.top - drawn.top,
          drawn.bottom - frame.bottom,
        );
      });
      expect(spill, `${mode}: status inside the viewfinder`).toBeLessThanOrEqual(0);
      await expect(page.getByTestId('scan-hint')).toHaveText(/20 cm/);
      // No heading line of a single word.
      const lastLineWords = await page.locator('#scan-title').evaluate((heading) => {
        const node = heading.firstChild!;
        const words: Array<{ top: number }> = [];
        const text = node.textContent ?? '';
        const range = document.createRange();
        for (const match of text.matchAll(/\S+/g)) {
          range.setStart(node, match.index!);
          range.setEnd(node, match.index! + match[0].length);
          words.push({ top: Math.round(range.getBoundingClientRect().top) });
        }
        const lastTop = Math.max(...words.map((w) => w.top));
        return words.filter((w) => w.top === lastTop).length;
      });
      expect(lastLineWords, `${mode} at ${viewport.width}×${viewport.height}`).toBeGreaterThan(1);
      await expectAccessible(page, `scanning ${mode}`);
      await page.getByTestId('cancel').click();
      await kiosk.expectIdle();
    }
  }

  // Offline: checked in, the WiFi details come from reception, and the check mark sits centred over the text.
  const visit = await staff.preRegister('Olga Offline');
  await context.setOffline(true);
  expect(await kiosk.scan(visit.qrToken)).toBe('welcome');
  const notice = page.getByTestId('offline-welcome');
  await expect(notice).toHaveText(/eingecheckt.*am Empfang/);
  await expect(notice).not.toContainText('hier');
  for (const viewport of [TABLET_LANDSCAPE, TABLET_PORTRAIT]) {
    await page.setViewportSize(viewport);
    const icon = (await page.locator('.welcome .hero-icon').boundingBox())!;
    const title = (await page.getByTestId('welcome-title').boundingBox())!;
    const text = (await notice.boundingBox())!;
    // Stacked and centred like the rest of the screen: the check mark over the title, the notice below it.
    expect(Math.abs(icon.x + icon.width / 2 - (title.x + title.width / 2))).toBeLessThan(4);
    expect(icon.y + icon.height).toBeLessThanOrEqual(title.y);
    expect(Math.abs(text.x + text.width / 2 - (title.x + title.width / 2))).toBeLessThan(4);
    await page.screenshot({ path: test.info().outputPath(`offline-welcome-${viewport.width}.png`) });
  }
  await expectAccessible(page, 'offline welcome');
  await context.close();
});

test('item 19: keyboard and screen-reader users land on each new screen’s heading and hear the welcome details', async ({
  kioskBrowser,
  server,
  staff,
  cameraFile,
}) => {
  const context = await kioskBrowser.newContext({ viewport: TABLET_LANDSCAPE, locale: 'en-GB' });
  const kiosk = await KioskPage.open(context, server.baseUrl, cameraFile);
  await kiosk.pair(staff, 'Lobby keyboard');
  const page = kiosk.page;
  await expect(focused(page)).toHaveAttribute('id', 'idle-title');

  const visit = await staff.preRegister('Kim Keys');
  showQr(kiosk.cameraFile, visit.qrToken);
  await tabTo(page, 'start-scan');
  // The focus ring stands out 3:1 from the page (WCAG 1.4.11).
  const ring = await page.evaluate(() => [
    getComputedStyle(document.activeElement!).outlineColor,
    getComputedStyle(document.documentElement).backgroundColor,
  ]);
  expect(contrast(ring[0]!, ring[1]!)).toBeGreaterThanOrEqual(3);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('welcome')).toHaveAttribute('data-state', 'accepted', { timeout: 15_000 });
  const welcome = page.getByTestId('welcome-title');
  await expect(welcome).toBeFocused();
  await expect(welcome).toHaveAccessibleName('Welcome, Kim K.!');
  const password = (await page.getByTestId('voucher-password').textContent())!;
  await expect(welcome).toHaveAccessibleDescription(new RegExp(`checked in.*Username.*Password ${password}`));

  await tabTo(page, 'done');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('idle')).toBeVisible();
  await expect(focused(page)).toHaveAttribute('id', 'idle-title');

  // A refusal: its heading takes focus and carries the reason as its description.
  await tabTo(page, 'start-scan');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('error')).toBeVisible({ timeout: 15_000 });
  const title = page.locator('#error-title');
  await expect(title).toBeFocused();
  await expect(title).toHaveAccessibleDescription(/already been used to check in/);

  // Check-out via the refusal's own action, all by keyboard; in German.
  await tabTo(page, 'retry');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('checked-out')).toHaveAttribute('data-state', 'accepted', { timeout: 15_000 });
  await expect(page.locator('#checkout-title')).toBeFocused();
  await expect(page.locator('#checkout-title')).toHaveAccessibleDescription(/checked out/);
  await tabTo(page, 'done');
  await page.keyboard.press('Enter');
  await tabTo(page, 'lang-de');
  await page.keyboard.press('Enter');
  await tabTo(page, 'start-checkout');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('error')).toBeVisible({ timeout: 15_000 });
  await expect(title).toBeFocused();
  await expect(title).toHaveAccessibleName('Sie sind nicht eingecheckt');
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expectAccessible(page, 'refusal (de)');
  await tabTo(page, 'done');
  await page.keyboard.press('Enter');

  // Back at the start (in the tablet's language again). Offline the heading describes the offline notice; when the WiFi details arrive it takes focus again with them.
  const later = await staff.preRegister('Lea Later');
  showQr(kiosk.cameraFile, later.qrToken);
  await context.setOffline(true);
  await tabTo(page, 'start-scan');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('offline-welcome')).toBeVisible({ timeout: 15_000 });
  await expect(welcome).toBeFocused();
  await expect(welcome).toHaveAccessibleDescription(/offline/);
  await context.setOffline(false);
  await expect(page.getByTestId('welcome')).toHaveAttribute('data-state', 'accepted', { timeout: 20_000 });
  await expect(welcome).toBeFocused();
  await expect(welcome).toHaveAccessibleDescription(/Username/);
  await context.close();
});

test('item 18 (kiosk): walk-in fields have borders and focus rings of at least 3:1', async ({
  kioskBrowser,
  server,
  staff,
  cameraFile,
}) => {
  const site = await staff.createSite(`Walk-in ${Date.now()}`);
  await staff.updateSite(site.id, { walkInsAllowed: true });
  const context = await kioskBrowser.newContext({ viewport: TABLET_PORTRAIT, locale: 'en-GB' });
  const kiosk = await KioskPage.open(context, server.baseUrl, cameraFile);
  await kiosk.pair(staff, 'Lobby walk-in contrast', site.id);
  const page = kiosk.page;
  await tabTo(page, 'start-walkin');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Sign in without a QR code' })).toBeFocused();
  await tabTo(page, 'walkin-name');
  const colours = await page.getByTestId('walkin-name').evaluate((input) => {
    const style = getComputedStyle(input);
    return {
      border: style.borderTopColor,
      ring: style.outlineColor,
      field: style.backgroundColor,
      page: getComputedStyle(document.documentElement).backgroundColor,
    };
  });
  // The resting border against the white field and the page; the focus ring against the page.
  const idle = await page.getByTestId('walkin-email').evaluate((input) => getComputedStyle(input).borderTopColor);
  expect(contrast(idle, colours.field)).toBeGreaterThanOrEqual(3);
  expect(contrast(idle, colours.page)).toBeGreaterThanOrEqual(3);
  expect(contrast(colours.ring, colours.page)).toBeGreaterThanOrEqual(3);
  await expectAccessible(page, 'walk-in');
  await context.close();
});
