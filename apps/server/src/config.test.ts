import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has working defaults on an empty environment', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.DATA_DIR).toBe(path.resolve('./data'));
    expect(config.ATRIUM_ADMIN_EMAIL).toBe('admin@localhost');
    expect(config.TRUSTED_PROXY).toEqual([]);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be a port number (got "abc")'],
    [{ PORT: '70000' }, 'PORT must be between 1 and 65535 (got "70000")'],
    [{ DATABASE_URL: 'nonsense' }, 'DATABASE_URL must be a postgres:// or postgresql:// URL with a host'],
    [{ DATABASE_URL: 'mysql://db/x' }, 'DATABASE_URL must be a postgres://'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ATRIUM_ADMIN_EMAIL: 'not-an-email' }, 'ATRIUM_ADMIN_EMAIL must be an email address'],
    [{ ATRIUM_ADMIN_PASSWORD: 'short' }, 'ATRIUM_ADMIN_PASSWORD must be at least 10 characters'],
    [{ TRUSTED_PROXY: '172.29.53.2,caddy' }, 'TRUSTED_PROXY must be a comma-separated list of IP addresses'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN must be at least 16 characters'],
    [{ KIOSK_HEARTBEAT_SECONDS: '2' }, 'KIOSK_HEARTBEAT_SECONDS must be at least 5'],
    [{ KIOSK_HEARTBEAT_SECONDS: 'often' }, 'KIOSK_HEARTBEAT_SECONDS must be a number of seconds'],
    [{ PUBLIC_URL: 'atrium.example.com' }, 'PUBLIC_URL must be an absolute URL'],
    [{ AGENT_TLS_PORT: '-1' }, 'AGENT_TLS_PORT must be between 1 and 65535'],
    [{ ATRIUM_SECRET_KEY: 'abc' }, 'ATRIUM_SECRET_KEY must be 32 bytes as base64 or hex'],
    [{ SMTP_URL: 'mail.example.com:587' }, 'SMTP_URL must be smtp://user:pass@host:587'],
    [{ SMTP_URL: 'http://mail.example.com' }, 'SMTP_URL must be smtp://'],
    [{ SMTP_URL: 'smtp://mail.example.com?tls=maybe' }, 'SMTP_URL must be smtp://'],
    [{ SMTP_URL: 'smtp://mail.example.com' }, 'SMTP_FROM is required when SMTP_URL is set'],
    [{ SMTP_FROM: 'Atrium' }, 'SMTP_FROM must be an address such as Atrium <visitors@example.com>'],
    [{ SMTP_TLS_CA_FILE: '/nonexistent/ca.pem' }, 'SMTP_TLS_CA_FILE must name a readable PEM file'],
  ])('names the variable for %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes a password or a database URL back', () => {
    try {
      loadConfig({ ATRIUM_ADMIN_PASSWORD: 'secret1' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('secret1');
    }
    try {
      loadConfig({ DATABASE_URL: 'postgres://user:hunter2@' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('turns email on only with SMTP_URL and SMTP_FROM, and never echoes the SMTP password', () => {
    expect(loadConfig({}).SMTP_URL).toBeUndefined();
    const config = loadConfig({ SMTP_URL: 'smtps://u:p@mail.example.com', SMTP_FROM: 'Atrium <visitors@example.com>' });
    expect(config.SMTP_URL).toBe('smtps://u:p@mail.example.com');
    expect(() => loadConfig({ SMTP_URL: 'smtp://u:hunter2@' })).toThrow(/^SMTP_URL must be ((?!hunter2).)*$/);
  });

  it('parses a comma-separated trusted proxy list', () => {
    expect(loadConfig({ TRUSTED_PROXY: ' 127.0.0.1, 10.0.0.0/8 ,' }).TRUSTED_PROXY).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
    ]);
  });
});
