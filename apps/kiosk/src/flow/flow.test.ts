import { ERROR_CODES, KIOSK_ERROR_CODES } from '@atrium/protocol';
import { describe, expect, it } from 'vitest';
import { de } from '../i18n/de';
import { en } from '../i18n/en';
import {
  flowReducer,
  initialScreen,
  isAtRest,
  REFUSAL_REASONS,
  reasonFromCode,
  refusalHelp,
  type Screen,
} from './flow';

const run = (...actions: Parameters<typeof flowReducer>[1][]) => actions.reduce(flowReducer, initialScreen);

describe('kiosk flow', () => {
  it('goes idle → scanning → checking → welcome → idle for a check-in', () => {
    const welcome = run(
      { type: 'scan', mode: 'check_in' },
      { type: 'scanned' },
      { type: 'accepted', kind: 'check_in', entryId: 7, displayName: 'Ada L.' },
    );
    expect(welcome).toEqual({ name: 'welcome', entryId: 7, displayName: 'Ada L.', kind: 'check_in' });
    expect(flowReducer(welcome, { type: 'home' })).toEqual({ name: 'idle' });
  });

  it('ends a check-out on the goodbye screen and a walk-in on the welcome screen', () => {
    expect(
      run(
        { type: 'scan', mode: 'check_out' },
        { type: 'scanned' },
        { type: 'accepted', kind: 'check_out', entryId: 1, displayName: 'Ada L.' },
      ),
    ).toEqual({ name: 'checked_out', entryId: 1, displayName: 'Ada L.' });
    expect(run({ type: 'walk_in' }, { type: 'accepted', kind: 'walk_in', entryId: 2, displayName: 'Bo' })).toEqual({
      name: 'welcome',
      entryId: 2,
      displayName: 'Bo',
      kind: 'walk_in',
    });
  });

  it('shows a local refusal with a way to try the same thing again', () => {
    expect(
      run({ type: 'scan', mode: 'check_out' }, { type: 'scanned' }, { type: 'refused', reason: 'token_expired' }),
    ).toEqual({ name: 'error', reason: 'token_expired', attempt: 'check_out' });
    expect(run({ type: 'scan', mode: 'check_in' }, { type: 'refused', reason: 'camera_denied' })).toEqual({
      name: 'error',
      reason: 'camera_denied',
      attempt: 'check_in',
    });
    const retried = flowReducer(
      { name: 'error', reason: 'camera_failed', attempt: 'check_in' },
      { type: 'scan', mode: 'check_in' },
    );
    expect(retried).toEqual({ name: 'scanning', mode: 'check_in' });
  });

  it('keeps the time a code becomes valid for the refusal screen', () => {
    const validFrom = '2025-03-10T08:45:00.000Z';
    expect(
      run({ type: 'scan', mode: 'check_in' }, { type: 'refused', reason: 'token_not_yet_valid', validFrom }),
    ).toEqual({ name: 'error', reason: 'token_not_yet_valid', attempt: 'check_in', validFrom });
  });

  it('turns the welcome screen into the server refusal only for the entry it shows', () => {
    const welcome: Screen = { name: 'welcome', entryId: 7, displayName: 'Ada L.', kind: 'check_in' };
    expect(flowReducer(welcome, { type: 'refused', reason: 'already_used', entryId: 8 })).toBe(welcome);
    expect(flowReducer(welcome, { type: 'refused', reason: 'already_used', entryId: 7 })).toEqual({
      name: 'error',
      reason: 'already_used',
      attempt: 'check_in',
    });
  });

  it('ignores late results once the visitor is back at the start', () => {
    expect(run({ type: 'refused', reason: 'already_used', entryId: 7 })).toEqual(initialScreen);
    expect(run({ type: 'refused', reason: 'token_expired' })).toEqual(initialScreen);
    expect(run({ type: 'accepted', kind: 'check_in', entryId: 1, displayName: 'x' })).toEqual(initialScreen);
  });

  it('lets a software update in only at rest', () => {
    expect(isAtRest(initialScreen)).toBe(true);
    expect(isAtRest({ name: 'scanning', mode: 'check_in' })).toBe(false);
    expect(isAtRest({ name: 'welcome', entryId: 1, displayName: 'x', kind: 'check_in' })).toBe(false);
  });

  it('gives each refusal the one action that helps, or none when only reception can', () => {
    expect(refusalHelp('already_used', 'check_in')).toEqual({
      title: 'alreadyIn',
      action: { type: 'scan', mode: 'check_out' },
    });
    expect(refusalHelp('not_checked_in', 'check_out')).toEqual({
      title: 'notIn',
      action: { type: 'scan', mode: 'check_in' },
    });
    expect(refusalHelp('invalid_token', 'check_in').action).toEqual({ type: 'scan', mode: 'check_in' });
    expect(refusalHelp('rate_limited', 'walk_in').action).toEqual({ type: 'walk_in' });
    for (const reason of ['token_expired', 'token_not_yet_valid', 'visit_cancelled', 'wrong_site', 'unknown'] as const)
      expect(refusalHelp(reason, 'check_in').action).toBeNull();
    for (const reason of REFUSAL_REASONS) {
      const { title } = refusalHelp(reason, 'check_in');
      expect(Object.keys(en)).toContain(`refusal.${title}`);
      expect(Object.keys(de)).toContain(`refusal.${title}`);
    }
  });

  it('has a text for every reason and maps unknown server codes to the generic one', () => {
    for (const reason of REFUSAL_REASONS) expect(Object.keys(en)).toContain(`error.${reason}`);
    expect(reasonFromCode('visit_cancelled')).toBe('visit_cancelled');
    expect(reasonFromCode('invalid_input')).toBe('unknown');
    expect(reasonFromCode('rate_limited')).toBe('rate_limited');
    expect(reasonFromCode('some_code_of_a_newer_server')).toBe('unknown');
  });

  it('gives every server code a reason with a text in each language', () => {
    for (const code of ERROR_CODES) {
      const reason = reasonFromCode(code);
      for (const [locale, catalogue] of Object.entries({ en, de })) {
        expect({ code, locale, text: Object.keys(catalogue).includes(`error.${reason}`) }).toEqual({
          code,
          locale,
          text: true,
        });
      }
    }
    // Each code the kiosk has its own sentence for is shown with that sentence, not the generic one.
    for (const code of KIOSK_ERROR_CODES) expect(reasonFromCode(code)).toBe(code);
  });
});
