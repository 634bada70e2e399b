/**
 * What admins notice in the admin app (issue 21, items 9, 10, 15 and 8), in Debian's Chromium against the real server
 * on PostgreSQL: users that can be edited, re-enabled and deleted; retention that warns before it purges; agent setup
 * that says where the image comes from; times in the site's zone.
 */
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { type AdminSession, expectAccessible, openAdminSession } from './fixtures/admin-session';
import { startStack } from './fixtures/stack';

test.describe.configure({ mode: 'serial' });

let session: AdminSession;
let siteId: string;
const call = <T>(method: string, path: string, body?: unknown) => session.call<T>(method, path, body);
const signedIn = (...args: Parameters<AdminSession['signedIn']>) => session.signedIn(...args);

test.beforeAll(async () => {
  test.setTimeout(120_000);
  session = await openAdminSession();
  siteId = session.siteId;
});

test.afterAll(async () => {
  await session?.close();
});

test('item 9: a user is created with a chosen role, edited, disabled, re-enabled instead of re-created, and deleted', async () => {
  const page = await signedIn();
  await page.getByTestId('nav-users').click();
  const form = page.getByTestId('user-form');
  await page.getByTestId('user-name').fill('Grace Hopper');
  await page.getByTestId('user-email').fill('grace@example.test');
  await page.getByTestId('user-password').fill('initial password 1');
  // No role is implied: the form asks for one.
  await expect(page.getByTestId('user-role')).toHaveValue('');
  await page.getByTestId('user-submit').click();
  await expect(form.getByText('Choose the role this person gets.')).toBeVisible();
  await expect(page.getByTestId('user-role')).toBeFocused();
  await page.getByTestId('user-role').selectOption('receptionist');
  await page.getByTestId('user-submit').click();
  await expect(form.getByText('Grace Hopper can now sign in.')).toBeVisible();

  const row = page.getByTestId('user-row').filter({ hasText: 'Grace Hopper' });
  await expect(row).toContainText('Receptionist');
  await row.getByTestId('user-edit').click();
  const edit = page.getByTestId('user-edit-form');
  await expectAccessible(page, 'users with the edit form open');
  await edit.getByTestId('user-edit-name').fill('Grace B. Hopper');
  await edit.getByTestId('user-edit-email').fill('grace.hopper@example.test');
  await edit.getByTestId('user-edit-role').selectOption('member');
  await edit.getByTestId('user-edit-save').click();
  await expect(edit).toHaveCount(0);
  const edited = page.getByTestId('user-row').filter({ hasText: 'Grace B. Hopper' });
  await expect(edited).toContainText('grace.hopper@example.test');
  await expect(edited).toContainText('Host at');
  const [grace] = (await call<Array<{ id: string; email: string }>>('GET', '/users')).filter(
    (u) => u.email === 'grace.hopper@example.test',
  );

  // Disabled, then added again: the form says to re-enable, and re-enabling works.
  await edited.getByTestId('user-disable').click();
  await edited.getByTestId('user-disable-confirm').click();
  await expect(edited.getByTestId('user-enable')).toBeVisible();
  await page.getByTestId('user-name').fill('Grace Hopper');
  await page.getByTestId('user-email').fill('grace.hopper@example.test');
  await page.getByTestId('user-password').fill('initial password 1');
  await page.getByTestId('user-role').selectOption('member');
  await page.getByTestId('user-submit').click();
  await expect(page.getByTestId('user-disabled-namesake')).toContainText('Re-enable it in the list below');
  await edited.getByTestId('user-enable').click();
  await expect(edited.getByTestId('user-disable')).toBeVisible();

  // Deleted for good: gone from the list, the audit keeps the id only.
  await edited.getByTestId('user-delete').click();
  await expect(edited).toContainText('Their account and personal data are erased');
  await edited.getByTestId('user-delete-confirm').click();
  await expect(page.getByTestId('user-row').filter({ hasText: 'Grace' })).toHaveCount(0);
  const audit = await call<{ items: Array<{ action: string }> }>('GET', `/audit?targetId=${grace!.id}`);
  expect(audit.items.map((e) => e.action)).toContain('user.deleted');
  expect(JSON.stringify(audit.items)).not.toContain('grace');
  // Not one's own account: the own row has no delete button.
  await expect(
    page.getByTestId('user-row').filter({ hasText: session.stack.adminEmail }).getByTestId('user-delete'),
  ).toHaveCount(0);
  await expectAccessible(page, 'users');
});

/** Visits that came and went `days` ago: made through the API, then moved back in the database. */
async function pastVisits(names: string[], days: number): Promise<void> {
  const ids: string[] = [];
  for (const name of names) {
    const arrival = new Date(Date.now() + 60_000);
    const visit = await call<{ id: string }>('POST', '/visits', {
      siteId,
      visitor: { name },
      expectedArrival: arrival.toISOString(),
      expectedDeparture: new Date(arrival.getTime() + 3600_000).toISOString(),
    });
    await call('POST', `/visits/${visit.id}/check-in`, { idempotencyKey: randomUUID() });
    await call('POST', `/visits/${visit.id}/check-out`, { idempotencyKey: randomUUID() });
    ids.push(visit.id);
  }
  const client = new pg.Client({ connectionString: session.stack.databaseUrl });
  await client.connect();
  try {
    await client.query(
      `UPDATE visits SET expected_arrival = expected_arrival - make_interval(days => $2),
              expected_departure = expected_departure - make_interval(days => $2),
              checked_in_at = checked_in_at - make_interval(days => $2),
              checked_out_at = checked_out_at - make_interval(days => $2)
        WHERE id = ANY($1::uuid[])`,
      [ids, days],
    );
  } finally {
    await client.end();
  }
}

test('item 10: shortening retention says how many visits the purge would delete, and saves only when confirmed', async () => {
  await pastVisits(['Old One', 'Old Two', 'Old Three'], 5);
  const page = await signedIn();
  await page.getByTestId('nav-settings').click();
  const days = page.getByTestId('settings-retention');
  await expect(days).toHaveValue('30');

  // Kept: the question names the count; Escape keeps the old value.
  await days.fill('2');
  await page.getByTestId('settings-retention-save').click();
  const question = page.getByTestId('retention-confirm');
  await expect(question).toContainText('Keep visitor data for 2 days only? Within the hour, 3 visits');
  await expectAccessible(page, 'settings with the retention question');
  await page.keyboard.press('Escape');
  await expect(question).toHaveCount(0);
  expect((await call<{ retentionDays: number }>('GET', '/settings')).retentionDays).toBe(30);

  // Longer needs no question; shorter is saved once confirmed.
  await days.fill('40');
  await page.getByTestId('settings-retention-save').click();
  await expect(page.getByText('Saved.', { exact: true })).toBeVisible();
  await days.fill('2');
  await page.getByTestId('settings-retention-save').click();
  await page.getByTestId('retention-confirm-yes').click();
  await expect(page.getByText('Saved.', { exact: true })).toBeVisible();
  expect((await call<{ retentionDays: number }>('GET', '/settings')).retentionDays).toBe(2);
});

test('item 15: the bundle says which image to pull and how to start it, and does not close before the files are saved', async () => {
  const page = await signedIn();
  await page.getByTestId('nav-agents').click();
  await expect(page.getByText('registering one shows the image to pull')).toBeVisible();
  await page.getByTestId('agent-name').fill('Server room');
  await page.getByTestId('agent-submit').click();
  const bundle = page.getByTestId('agent-bundle');
  await expect(bundle).toBeVisible();
  // The image named by the registration, pulled and used by both ways to start it.
  const image = (await page.getByTestId('agent-image').locator('code').textContent())!;
  expect(image).toMatch(/^[a-z0-9.:/-]+\/atrium-agent:\S+$/);
  await expect(page.getByTestId('agent-docker-pull')).toHaveText(`docker pull ${image}`);
  await expect(page.getByTestId('agent-docker-run')).toContainText(image);
  await page.getByTestId('agent-compose').locator('summary').click();
  await expect(page.getByTestId('agent-compose')).toContainText(`image: "${image}"`);
  await expectAccessible(page, 'the agent bundle');

  // Nothing saved: the first click only asks, naming every file.
  await page.getByTestId('agent-bundle-done').click();
  await expect(bundle).toBeVisible();
  await expect(page.getByTestId('agent-bundle-missing')).toContainText('agent.crt, agent.key, ca.crt');
  await expect(page.getByTestId('agent-bundle-done')).toHaveText('Close without them');
  // Saving the files one by one shortens the list; with all three saved, the screen closes at once.
  for (const which of ['cert', 'key', 'ca']) {
    await Promise.all([page.waitForEvent('download'), page.getByTestId(`agent-download-${which}`).click()]);
  }
  await expect(page.getByTestId('agent-bundle-missing')).toHaveCount(0);
  await expect(page.getByTestId('agent-bundle-done')).toHaveText('I have saved the files');
  await page.getByTestId('agent-bundle-done').click();
  await expect(bundle).toHaveCount(0);

  // Renewed, one file saved: closing takes a second, deliberate click.
  await page.getByTestId('agent-renew').first().click();
  await Promise.all([page.waitForEvent('download'), page.getByTestId('agent-download-cert').click()]);
  await page.getByTestId('agent-bundle-done').click();
  await expect(page.getByTestId('agent-bundle-missing')).toContainText('agent.key, ca.crt');
  await page.getByTestId('agent-bundle-done').click();
  await expect(bundle).toHaveCount(0);
});

const shownIn = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));

test('item 8: the first site takes the server’s zone; audit and agent times are shown in the site’s zone, named once zones differ', async () => {
  // A server started with TZ=Europe/Berlin makes its first site a Berlin one.
  const berlin = await startStack('postgres', { env: { TZ: 'Europe/Berlin' } });
  try {
    const login = await fetch(`${berlin.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: berlin.adminEmail, password: berlin.adminPassword }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const sites = await fetch(`${berlin.baseUrl}/api/v1/sites`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(((await sites.json()) as Array<{ timezone: string }>).map((s) => s.timezone)).toEqual(['Europe/Berlin']);
  } finally {
    await berlin.stop();
  }

  // This stack's site moves to Tokyo: the audit log and the agents page follow it, not the browser (UTC here).
  await call('PATCH', `/sites/${siteId}`, { timezone: 'Asia/Tokyo' });
  const page = await signedIn();
  await page.getByTestId('nav-audit').click();
  const latest = (await call<{ items: Array<{ occurredAt: string }> }>('GET', '/audit')).items[0]!;
  await expect(page.getByTestId('audit-time').first()).toHaveText(shownIn(latest.occurredAt, 'Asia/Tokyo'));
  await page.getByTestId('nav-agents').click();
  const [agent] = await call<Array<{ certificateExpires: string }>>('GET', '/agents');
  await expect(page.getByTestId('agent-certificate').first()).toContainText(
    shownIn(agent!.certificateExpires, 'Asia/Tokyo'),
  );
  await expectAccessible(page, 'agents in the site’s zone');

  // A second site elsewhere: from now on every time names its zone.
  await call('POST', '/sites', { name: 'Zweigstelle', timezone: 'UTC' });
  await page.reload();
  await expect(page.getByTestId('agent-certificate').first()).toContainText(
    `${shownIn(agent!.certificateExpires, 'Asia/Tokyo')} (Asia/Tokyo)`,
  );
  await page.getByTestId('nav-audit').click();
  await expect(page.getByTestId('audit-time').first()).toHaveText(/\((UTC|Asia\/Tokyo)\)$/);
  await expectAccessible(page, 'audit with sites in two zones');
});
