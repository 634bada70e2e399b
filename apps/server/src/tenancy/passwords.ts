import { hash, type Options, verify } from '@node-rs/argon2';

/** argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane). */
// algorithm 2 is Argon2id (the library's const enum cannot be imported under verbatimModuleSyntax).
export const ARGON2_PARAMS: Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 1024;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_PARAMS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
