import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, api, signInAdmin } from '../../test/actors';
import { testBackend } from '../../test/db';
import { startTestServer, type TestServer } from '../../test/http';
import { errorOf } from '../../test/json';
import { bootstrap } from '../bootstrap';

const EMAIL = 'admin@example.com';
let s: TestServer;
let token: string;
let siteId: string;

beforeAll(async () => {
  s = await startTestServer();
  await bootstrap(s.db, { ATRIUM_ADMIN_EMAIL: EMAIL, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
  token = (await signInAdmin(s, EMAIL)).accessToken;
  siteId = ((await (await api(s, token).get('/sites')).json()) as Array<{ id: string }>)[0]!.id;
});
afterAll(() => s?.stop());

describe(`common passwords are refused wherever a password is chosen, on ${testBackend()}`, () => {
  it('creating a user with a common password: 400 naming password, and no account is made', async () => {
    const res = await api(s, token).post('/users', {
      email: 'reception@example.com',
      name: 'Front Desk',
      password: 'password123',
      roles: [{ role: 'receptionist', siteId }],
    });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('invalid_input');
    expect(error.details).toMatchObject({ field: 'password' });
    const users = (await (await api(s, token).get('/users')).json()) as Array<{ email: string }>;
    expect(users.map((u) => u.email)).not.toContain('reception@example.com');
  });

  it('changing one’s own password to a common one: 400 naming newPassword, the old one still works', async () => {
    const res = await api(s, token).post('/me/password', {
      currentPassword: ADMIN_PASSWORD,
      newPassword: '1q2w3e4r5t',
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details).toMatchObject({ field: 'newPassword' });
    expect((await api(s).post('/auth/login', { email: EMAIL, password: ADMIN_PASSWORD })).status).toBe(200);
  });

  it('a long phrase of one’s own is fine', async () => {
    const res = await api(s, token).post('/users', {
      email: 'host@example.com',
      name: 'Host',
      password: 'the fern by the window',
      roles: [{ role: 'member', siteId }],
    });
    expect(res.status).toBe(201);
  });
});
