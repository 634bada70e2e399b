/**
 * Single sign-on in the browser: a receptionist clicks "Sign in with single sign-on", signs in on a real OpenID
 * Provider's own login and consent pages (oidc-provider on loopback), and lands in the admin app with the role their
 * groups claim maps to. The server runs with OIDC_* set, on a stack of its own.
 */

import { startTestIdp, type TestIdp } from '@atrium/server/testing/oidc';
import { freePort } from '@atrium/server/testing/process';
import { type Browser, chromium, expect, test } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './fixtures/kiosk';
import { type Stack, startStack } from './fixtures/stack';

// One IdP and one server for the file.
test.describe.configure({ mode: 'serial' });

let idp: TestIdp;
let stack: Stack;
let browser: Browser;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const port = await freePort();
  const publicUrl = `http://localhost:${port}`;
  idp = await startTestIdp({ redirectUris: [`${publicUrl}/api/v1/auth/oidc/callback`] });
  idp.accounts.set('rita', { email: 'rita@example.com', name: 'Rita Reception', groups: ['atrium-lobby'] });
  stack = await startStack('postgres', {
    port,
    env: {
      PUBLIC_URL: publicUrl,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      OIDC_SCOPES: 'openid email profile groups',
      OIDC_ROLE_MAP: JSON.stringify({ 'atrium-lobby': 'receptionist@Main office' }),
    },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

test.afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await idp?.stop();
});

test('a receptionist signs in through the IdP and gets the role from the groups claim', async () => {
  const context = await browser.newContext({ baseURL: stack.baseUrl });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByTestId('login-sso').click();

  // The provider's own pages: its login form, then its consent screen.
  await expect(page).toHaveURL(new RegExp(`^${idp.issuer}/interaction/`));
  await page.locator('input[name="login"]').fill('rita');
  await page.locator('input[name="password"]').fill('anything at the IdP');
  await page.locator('button[type="submit"]').click();
  await expect(page.locator('input[name="prompt"][value="consent"]')).toBeAttached();
  await page.locator('button[type="submit"]').click();

  // Back in the admin app, signed in, with the receptionist's pages and not an admin's.
  await expect(page.getByTestId('nav-onsite')).toBeVisible();
  expect(new URL(page.url()).hash).toBe('');
  await expect(page.getByTestId('nav-kiosks')).toBeVisible();
  await expect(page.getByTestId('nav-users')).toHaveCount(0);
  await page.getByTestId('nav-onsite').click();
  await expect(page.locator('main h1').first()).toBeVisible();
  await expect(page.getByText('You are not allowed')).toHaveCount(0);

  // An admin sees that Rita signs in with single sign-on only: no password to reset.
  const admin = await browser.newContext({ baseURL: stack.baseUrl });
  const adminPage = await admin.newPage();
  await adminPage.goto('/');
  await adminPage.getByTestId('login-email').fill(stack.adminEmail);
  await adminPage.getByTestId('login-password').fill(stack.adminPassword);
  await adminPage.getByTestId('login-submit').click();
  await adminPage.getByTestId('nav-users').click();
  const row = adminPage.getByTestId('user-row').filter({ hasText: 'rita@example.com' });
  await expect(row.getByTestId('user-sign-in')).toHaveText('Single sign-on');
  await expect(row.getByText('Receptionist')).toBeVisible();
  await expect(row.getByTestId('user-reset')).toHaveCount(0);
  await admin.close();
  await context.close();
});

test('a refusal comes back to the sign-in page as a clear message', async () => {
  idp.accounts.set('una', { email: 'una@example.com', emailVerified: false });
  const context = await browser.newContext({ baseURL: stack.baseUrl });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByTestId('login-sso').click();
  await page.locator('input[name="login"]').fill('una');
  await page.locator('input[name="password"]').fill('anything');
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]').click();
  await expect(page.getByText('Your email address is not verified')).toBeVisible();
  await expect(page.getByTestId('login-email')).toBeVisible();
  await context.close();
});
