import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { passwordProblem } from './passwords';

describe('the password rule (length only, plus the common-password blocklist)', () => {
  it.each(['qwertyuiop', '1234567890', 'Password123', 'BASKETBALL', 'q1w2e3r4t5'])('refuses %s as too common', (p) => {
    expect(passwordProblem(p)).toMatch(/most common passwords/);
  });

  it('refuses a run of one or two characters and the account’s own email or name', () => {
    expect(passwordProblem('aaaaaaaaaaaa')).toMatch(/repeats/);
    expect(passwordProblem('abababababab')).toMatch(/repeats/);
    expect(passwordProblem('Ada.Lovelace@example.com', { email: 'ada.lovelace@example.com' })).toMatch(/email/);
    expect(passwordProblem('ada.lovelace', { email: 'ada.lovelace@example.com' })).toMatch(/email/);
  });

  it('accepts phrases with no complexity rules at all', () => {
    for (const p of ['correct horse battery staple', 'lobby plants need water', 'zzqxv9 tablet']) {
      expect(passwordProblem(p)).toBeNull();
    }
  });

  it('refuses a common ATRIUM_ADMIN_PASSWORD at start, naming the variable but not echoing it', () => {
    expect(() => loadConfig({ ATRIUM_ADMIN_PASSWORD: 'qwertyuiop' })).toThrow(
      /^ATRIUM_ADMIN_PASSWORD is one of the most common passwords/,
    );
    expect(() => loadConfig({ ATRIUM_ADMIN_PASSWORD: 'qwertyuiop' })).not.toThrow(/qwertyuiop/);
  });
});
