import type { ErrorBody } from '@atrium/protocol';

/** Reads an API error body; tests then assert on its typed fields. */
export async function errorOf(res: Response): Promise<ErrorBody['error']> {
  return ((await res.json()) as ErrorBody).error;
}

/** Reads a JSON body as the given shape (the test asserts on it, so a wrong guess fails loudly). */
export async function jsonOf<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
