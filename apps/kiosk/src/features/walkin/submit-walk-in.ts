import { shortDisplayName } from '@atrium/qr-token';
import { serverNow } from '../../device/config';
import type { SubmitDeps } from '../checkin/submit-check-in';

export interface WalkInForm {
  name: string;
  email: string;
  company: string;
  hostName: string;
}

export type WalkInFieldError = { field: 'name'; problem: 'required' } | { field: 'email'; problem: 'invalid' };

// The server has the final say (zod's email check); this only catches obvious typos before the visitor leaves.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateWalkIn(form: WalkInForm): WalkInFieldError[] {
  const errors: WalkInFieldError[] = [];
  if (form.name.trim() === '') errors.push({ field: 'name', problem: 'required' });
  const email = form.email.trim();
  if (email !== '' && !EMAIL.test(email)) errors.push({ field: 'email', problem: 'invalid' });
  return errors;
}

const optional = (value: string) => {
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
};

/** Queues a walk-in (the site allows them; the server checks again) and starts sending it. */
export async function submitWalkIn(
  form: WalkInForm,
  deps: SubmitDeps,
): Promise<{ ok: true; entryId: number; displayName: string } | { ok: false; errors: WalkInFieldError[] }> {
  const errors = validateWalkIn(form);
  if (errors.length > 0) return { ok: false, errors };
  const name = form.name.trim();
  const email = optional(form.email);
  const company = optional(form.company);
  const hostName = optional(form.hostName);
  const displayName = shortDisplayName(name);
  const entry = await deps.outbox.enqueue({
    kind: 'walk_in',
    body: {
      visitor: { name, ...(email ? { email } : {}), ...(company ? { company } : {}) },
      ...(hostName ? { hostName } : {}),
      occurredAt: new Date(serverNow(deps.cached, deps.deviceNow ?? Date.now())).toISOString(),
    },
    displayName,
  });
  void deps.outbox.flush({ force: true });
  return { ok: true, entryId: entry.id, displayName };
}
