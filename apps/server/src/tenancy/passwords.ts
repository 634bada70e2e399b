import { hash, type Options, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { invalidInput } from '../http/errors';

/** argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane). */
// algorithm 2 is Argon2id (the library's const enum cannot be imported under verbatimModuleSyntax).
export const ARGON2_PARAMS: Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 1024;

/**
 * Passwords seen most often in breach corpora (the ~49k list zxcvbn ships, ordered by frequency), kept only where they
 * pass the length rule, since shorter ones are refused anyway. NIST SP 800-63B asks for exactly this check and no
 * composition rules.
 */
let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(dictionary['passwords-common'].filter((entry) => entry.length >= PASSWORD_MIN));
  return common;
}

/** Why a new password is refused, or null when it is acceptable (length is the schema's job; this is the rest). */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | null {
  const folded = password.toLowerCase();
  if (commonPasswords().has(folded)) return 'is one of the most common passwords; choose a longer phrase of your own';
  if (new Set(folded).size <= 2) return 'repeats one or two characters; choose a longer phrase of your own';
  const own = [context.email, context.email?.split('@')[0], context.name]
    .filter((value): value is string => !!value && value.length >= 4)
    .map((value) => value.toLowerCase());
  if (own.includes(folded)) return 'must not be your email address or name';
  return null;
}

/** Hashes a password someone chose: refused with 400 naming `field` when it is too easy to guess. */
export function hashNewPassword(
  password: string,
  field = 'password',
  context: { email?: string; name?: string } = {},
): Promise<string> {
  const problem = passwordProblem(password, context);
  if (problem) throw invalidInput(field, problem);
  return hashPassword(password);
}

/** Hashes without the policy: generated secrets and the dummy hash that keeps unknown accounts as slow as known ones. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_PARAMS);
}

/** False for an account without a password (single sign-on only). */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) return false;
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
