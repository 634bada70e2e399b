import type { ErrorBody } from '@atrium/protocol';

/** The status of a request that never got an HTTP answer (offline, DNS, timeout). */
export const NETWORK_STATUS = 0;
/** The code of such a request; not a server code (the server never sends it). */
export const NETWORK_ERROR = 'network_error';

export interface ApiErrorExtras {
  /** The input field the server named (`details.field`). */
  field?: string | undefined;
  details?: Record<string, unknown> | undefined;
  retryAfterSeconds?: number | undefined;
}

/** An error answer from the API (or none at all: status 0, `network_error`), with the server's stable code. */
export class ApiError extends Error {
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly status: number,
    /** An ErrorCode from a server that speaks our protocol; `http_<status>` or a client code otherwise. */
    readonly code: string,
    message: string,
    extras: ApiErrorExtras = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.field = extras.field;
    this.details = extras.details;
    this.retryAfterSeconds = extras.retryAfterSeconds;
  }

  get isNetworkError(): boolean {
    return this.status === NETWORK_STATUS;
  }

  /** Field → message for every field the server named (`details.issues`, or the single `details.field`). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    const issues = this.details?.issues;
    if (Array.isArray(issues)) {
      for (const issue of issues as Array<{ field?: unknown; message?: unknown }>) {
        if (typeof issue.field === 'string' && typeof issue.message === 'string' && !(issue.field in out)) {
          out[issue.field] = issue.message;
        }
      }
    }
    if (this.field && !(this.field in out)) out[this.field] = stripFieldPrefix(this.message, this.field);
    return out;
  }
}

/** The server writes `field: message`; a message shown next to its field does not need the prefix. */
export function stripFieldPrefix(message: string, field: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}

/** A body that may be empty or not JSON at all (a proxy's error page): null then. */
export async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The ApiError for a non-2xx answer: the server's code, message and field, and how long to wait on a 429. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const body = (await readJson(res)) as Partial<ErrorBody> | null;
  const error = body !== null && typeof body === 'object' ? body.error : undefined;
  const details = error?.details !== null && typeof error?.details === 'object' ? error.details : undefined;
  const retryHeader = Number(res.headers.get('Retry-After'));
  const retryAfterSeconds =
    Number.isFinite(retryHeader) && retryHeader > 0
      ? retryHeader
      : typeof details?.retryAfterSeconds === 'number'
        ? details.retryAfterSeconds
        : undefined;
  return new ApiError(
    res.status,
    typeof error?.code === 'string' ? error.code : `http_${res.status}`,
    typeof error?.message === 'string' ? error.message : res.statusText || 'Request failed',
    { field: typeof details?.field === 'string' ? details.field : undefined, details, retryAfterSeconds },
  );
}
