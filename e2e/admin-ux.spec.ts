/**
 * What reception notices in the admin app (issue 21, items 1 (the staff PIN), 13, 14, 16, 18 and 20), in Debian's
 * Chromium against the real server on PostgreSQL: the visits list of a day, check-out with undo, a wrong TOTP code in
 * one sentence, focus never hidden under the top bar, and the on-site list saying who came and went.
 */
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { type AdminSession, expectAccessible, openAdminSession } from './fixtures/admin-session';
import { totp } from './fixtures/totp';

test.describe.configure({ mode: 'serial' });

let session: AdminSession;
let siteId: string;
const call = <T>(method: string, path: string, body?: unknown) => session.call<T>(method, path, body);
const signedIn = (...args: Parameters<AdminSession['signedIn']>) => session.signedIn(...args);

/** The current minute, so visits made now and a few minutes apart land on today in the site's zone (UTC). */
const BASE = Math.floor(Date.now() / 60_000) * 60_000;
/** What the list shows for a time of day on "Today" in German: no date. */
const shown = (ms: number) =>
  new Intl.DateTimeFormat('de-DE', { timeStyle: 'short', timeZone: 'UTC' }).format(new Date(ms));

/** A visit arriving `minutes` after BASE, lasting two hours. */
function visitAt(name: string, minutes: number): Promise<{ id: string; expectedArrival: string }> {
  const arrival = new Date(BASE + minutes * 60_000);
  return call('POST', '/visits', {
    siteId,
    visitor: { name, company: 'Analytical Engines Ltd' },
    expectedArrival: arrival.toISOString(),
    expectedDeparture: new Date(arrival.getTime() + 2 * 3600_000).toISOString(),
  });
}

const checkIn = (id: string) => call('POST', `/visits/${id}/check-in`, { idempotencyKey: randomUUID() });
const checkOut = (id: string) => call('POST', `/visits/${id}/check-out`, { idempotencyKey: randomUUID() });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  session = await openAdminSession();
  siteId = session.siteId;
  // The site's day in UTC, whatever the machine's zone, so "today" is the same day for the test and the page.
  await call('PATCH', `/sites/${siteId}`, { timezone: 'UTC' });
});

test.afterAll(async () => {
  await session?.close();
});

test('item 13: today lists times only, in a stable order, with departure and check-in columns; buttons fit at 800 px in German; a double click checks in once', async () => {
  const ada = await visitAt('Ada Lovelace', 2);
  await visitAt('Bea Babbage', 2);
  const cy = await visitAt('Cy Curie', 1);
  await checkIn(cy.id);

  const page = await signedIn({ width: 800, height: 1000 }, 'de');
  const rows = page.getByTestId('visit-row');
  await expect(rows.first()).toBeVisible();
  const names = async () => (await rows.locator('.row-link').allTextContents()).map((n) => n.trim());
  // Earliest first; the two arriving together by name; the same after a reload.
  const order = await names();
  expect(order.indexOf('Cy Curie')).toBeLessThan(order.indexOf('Ada Lovelace'));
  expect(order.indexOf('Ada Lovelace')).toBe(order.indexOf('Bea Babbage') - 1);
  await page.reload();
  await expect(rows.first()).toBeVisible();
  expect(await names()).toEqual(order);

  const headers = page.getByTestId('visits-table').locator('thead th');
  await expect(headers).toContainText(['Besucher', 'Gastgeber', 'Ankunft', 'Abreise', 'Status', 'Eingecheckt']);
  const cyRow = rows.filter({ hasText: 'Cy Curie' });
  // Times only, and the check-in time; no date on a day's list.
  await expect(cyRow.locator('td.cell-time').nth(0)).toHaveText(shown(BASE + 60_000));
  await expect(cyRow.locator('td.cell-time').nth(1)).toHaveText(shown(BASE + 60_000 + 2 * 3600_000));
  await expect(cyRow.getByTestId('visit-checked-in')).toHaveText(/^\d{2}:\d{2}$/);
  await expect(rows.filter({ hasText: 'Ada Lovelace' }).getByTestId('visit-checked-in')).toHaveText('—');

  await page.screenshot({ path: test.info().outputPath('visits-de-800.png'), fullPage: true });
  // Every action button is fully visible without scrolling the table sideways.
  const wrap = page.locator('.table-wrap');
  expect(await wrap.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
  const wrapBox = (await wrap.boundingBox())!;
  for (const button of await page.locator('[data-testid="checkin-button"], [data-testid="checkout-button"]').all()) {
    const box = (await button.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(wrapBox.x + wrapBox.width);
    expect(box.height).toBeLessThan(48);
  }
  await expectAccessible(page, 'visits (de, 800 px)');

  // A double click checks in once, and says nothing is wrong.
  const adaRow = rows.filter({ hasText: 'Ada Lovelace' });
  await adaRow.getByTestId('checkin-button').dblclick();
  await expect(adaRow.getByTestId('checkout-button')).toBeVisible();
  await expect(adaRow.getByRole('alert')).toHaveCount(0);
  await expect(adaRow.getByTestId('visit-checked-in')).toHaveText(/^\d{2}:\d{2}$/);
  const audit = await call<{ items: unknown[] }>('GET', `/audit?action=visit.checked_in&targetId=${ada.id}`);
  expect(audit.items).toHaveLength(1);

  // The same on the visit's own page.
  await rows.filter({ hasText: 'Bea Babbage' }).locator('.row-link').click();
  await page.getByTestId('checkin-button').dblclick();
  await expect(page.getByTestId('checkout-button')).toBeVisible();
  await expect(page.locator('.notice-error')).toHaveCount(0);
  await page.context().close();
});

test('item 14: on-site "Check out" waits a few seconds with an undo before the WiFi ends', async () => {
  const dora = await visitAt('Dora Undo', 0);
  await checkIn(dora.id);
  const page = await signedIn();
  await page.getByTestId('nav-onsite').click();
  const row = page.getByTestId('onsite-row').filter({ hasText: 'Dora Undo' });
  await row.getByTestId('checkout-button').click();
  await expect(row.getByTestId('checkout-pending')).toHaveText(/Checking out in [1-5] s/);
  await expect(row.getByTestId('checkout-undo')).toBeFocused();
  await expectAccessible(page, 'on-site with an undo');
  await row.getByTestId('checkout-undo').click();
  await expect(row.getByTestId('checkout-button')).toBeFocused();
  // Undone: still on site well after the undo period.
  await page.waitForTimeout(6_000);
  const onSite = await call<Array<{ visitId: string }>>('GET', `/sites/${siteId}/on-site`);
  expect(onSite.map((e) => e.visitId)).toContain(dora.id);
  await expect(row).toBeVisible();

  await row.getByTestId('checkout-button').click();
  await expect(row).toHaveCount(0, { timeout: 15_000 });
  await expect(page.getByText('Dora Undo is checked out.')).toBeVisible();
  const after = await call<Array<{ visitId: string }>>('GET', `/sites/${siteId}/on-site`);
  expect(after.map((e) => e.visitId)).not.toContain(dora.id);
  await page.context().close();
});

test('item 20: the on-site list says who arrived and who left, not only the count', async () => {
  const page = await signedIn({ width: 1280, height: 860 }, 'de');
  await page.getByTestId('nav-onsite').click();
  await expect(page.getByTestId('onsite-count')).toBeVisible();
  const news = page.getByTestId('onsite-news');
  await expect(news).toHaveAttribute('role', 'status');
  await expect(news).toHaveText('');

  const eve = await visitAt('Eve Arrival', 0);
  await checkIn(eve.id);
  await expect(news).toContainText('Eve Arrival ist angekommen.');
  await expect(news).toContainText(/\d+ Person(en)? im Haus\./);
  await checkOut(eve.id);
  await expect(news).toContainText('Eve Arrival ist gegangen.');
  await expect(news).not.toContainText('angekommen');
  await expectAccessible(page, 'on-site (de)');
  await page.context().close();
});

test('item 16: a wrong TOTP code during set-up is one clear sentence, in English and German', async () => {
  const page = await signedIn();
  await page.getByTestId('nav-account').click();
  await page.getByTestId('totp-start').click();
  const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').trim();
  const wrong = (now: number) => (totp(secret, now) === '000000' ? '111111' : '000000');
  await page.getByTestId('totp-code').fill(wrong(Date.now()));
  await page.getByTestId('totp-confirm').click();
  const form = page.getByTestId('totp-form');
  await expect(form).toContainText(
    'That is not the current code: enter the newest 6-digit code your authenticator app shows.',
  );
  await expect(form).not.toContainText('Some fields need your attention');
  await expect(form).not.toContainText('is not the current code of your authenticator app');
  await expect(page.getByTestId('totp-code')).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page, 'account with a wrong code');

  await page.getByTestId('language').selectOption('de');
  await page.getByTestId('totp-code').fill(wrong(Date.now()));
  await page.getByTestId('totp-confirm').click();
  await expect(form).toContainText('Das ist nicht der aktuelle Code');
  await expect(form).not.toContainText('Bitte prüfen Sie die markierten Felder');
  await expect(form).not.toContainText('authenticator app');
  await page.context().close();
});

test('item 1 (admin): a site admin sets, changes and removes the kiosk staff PIN; it is never shown back', async () => {
  const page = await signedIn();
  await page.getByTestId('nav-settings').click();
  const form = page.getByTestId('staff-pin-form').first();
  await expect(form.getByTestId('staff-pin-state')).toContainText('No PIN is set');
  await form.getByTestId('staff-pin').fill('12');
  await form.getByRole('button', { name: 'Set PIN' }).click();
  await expect(form).toContainText('Enter 4 to 8 digits.');
  await form.getByTestId('staff-pin').fill('4711');
  await form.getByRole('button', { name: 'Set PIN' }).click();
  await expect(form).toContainText('The staff PIN is saved.');
  await expect(form.getByTestId('staff-pin-state')).toContainText('A PIN is set');
  await expect(form.getByTestId('staff-pin')).toHaveValue('');
  await expect(page.locator('body')).not.toContainText('4711');
  await expectAccessible(page, 'settings with a staff PIN');

  // Escape answers "no" to the in-place question, and focus returns to the button that asked it.
  await form.getByTestId('staff-pin-remove').click();
  await expect(form.getByText('Remove the staff PIN?')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(form.getByText('Remove the staff PIN?')).toHaveCount(0);
  await expect(form.getByTestId('staff-pin-remove')).toBeFocused();
  await form.getByTestId('staff-pin-remove').click();
  await form.getByTestId('staff-pin-remove-confirm').click();
  await expect(form).toContainText('The staff PIN is removed.');
  await expect(form.getByTestId('staff-pin-state')).toContainText('No PIN is set');
  await page.context().close();
});

test('item 18: keyboard focus is never hidden under the sticky top bar, and focus rings and input borders reach 3:1', async () => {
  // Enough rows that the page scrolls at tablet height.
  for (let i = 0; i < 14; i++) await visitAt(`Zed Scroll ${String(i).padStart(2, '0')}`, 3);
  const page = await signedIn({ width: 800, height: 600 });
  await expect(page.getByTestId('visit-row').first()).toBeVisible();
  /** The focused control when the top bar covers any of its top edge or centre, else null. */
  const hidden = async () =>
    page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body || el.closest('.topbar')) return null;
      const bar = document.querySelector('.topbar')!;
      const box = el.getBoundingClientRect();
      const x = box.left + box.width / 2;
      const points = [box.top + 1, box.top + box.height / 2];
      const covered = points.some((y) => {
        const hit = document.elementFromPoint(x, y);
        return hit !== null && bar.contains(hit);
      });
      return covered ? `${el.tagName} ${el.textContent?.slice(0, 30)}` : null;
    });

  // Back from the page's heading to the skip link, then on through the page and back with Shift+Tab.
  for (let i = 0; i < 20 && !(await page.locator('.skip-link').evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Shift+Tab');
  }
  await expect(page.locator('.skip-link')).toBeFocused();
  await page.keyboard.press('Enter');
  const covered: string[] = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const under = await hidden();
    if (under) covered.push(`Tab ${i}: ${under}`);
  }
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Shift+Tab');
    const under = await hidden();
    if (under) covered.push(`Shift+Tab ${i}: ${under}`);
  }
  expect(covered).toEqual([]);

  // Contrast of the focus ring and of input borders against the page and a white field.
  const contrast = await page.evaluate(() => {
    const rgb = (css: string) => (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
    const lum = (c: number[]) => {
      const [r, g, b] = c.map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const ratio = (a: string, b: string) => {
      const [x, y] = [lum(rgb(a)), lum(rgb(b))];
      return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
    };
    const search = document.querySelector<HTMLInputElement>('[data-testid="visits-search"]')!;
    search.focus();
    const style = getComputedStyle(search);
    const page = getComputedStyle(document.documentElement).backgroundColor;
    return {
      ring: Math.min(ratio(style.outlineColor, page), ratio(style.outlineColor, 'rgb(255, 255, 255)')),
      border: ratio(getComputedStyle(document.querySelector('select')!).borderTopColor, 'rgb(255, 255, 255)'),
    };
  });
  expect(contrast.ring).toBeGreaterThanOrEqual(3);
  expect(contrast.border).toBeGreaterThanOrEqual(3);
  await page.context().close();
});
