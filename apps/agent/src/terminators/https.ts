import https from 'node:https';

export interface HttpsEndpoint {
  url: URL;
  /** PEM of the CA that issued the firewall's certificate; the system store when absent. */
  ca?: string;
  timeoutMs: number;
  /** Further attempts after the first, for timeouts, connection errors and 5xx answers only. */
  retries: number;
}

export type HttpsAnswer =
  | { ok: true; status: number; body: string }
  | { ok: false; result: 'timeout' | 'error'; detail: string };

const MAX_BODY = 64 * 1024;

/** One form POST; a firewall answer of any status is `ok`, only transport failures are not. */
function attempt(endpoint: HttpsEndpoint, body: string, headers: Record<string, string>): Promise<HttpsAnswer> {
  return new Promise((resolve) => {
    const request = https.request(
      endpoint.url,
      {
        method: 'POST',
        ca: endpoint.ca,
        agent: false,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
        timeout: endpoint.timeoutMs,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          if (text.length > MAX_BODY) response.destroy(new Error(`answer longer than ${MAX_BODY} characters`));
        });
        response.on('end', () => resolve({ ok: true, status: response.statusCode ?? 0, body: text }));
        response.on('error', (error) => resolve({ ok: false, result: 'error', detail: error.message }));
      },
    );
    request.on('timeout', () => {
      request.destroy();
      resolve({
        ok: false,
        result: 'timeout',
        detail: `no answer from ${endpoint.url.host} within ${endpoint.timeoutMs} ms`,
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve({
        ok: false,
        result: 'error',
        detail: `${endpoint.url.host}: ${error.code ?? ''} ${error.message}`.trim(),
      }),
    );
    request.end(body);
  });
}

/** POSTs a form, retrying what a retry can fix (no answer, refused connection, 5xx) and nothing else. */
export async function postForm(
  endpoint: HttpsEndpoint,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<HttpsAnswer> {
  const body = new URLSearchParams(form).toString();
  let answer: HttpsAnswer = { ok: false, result: 'error', detail: 'not sent' };
  for (let i = 0; i <= endpoint.retries; i++) {
    answer = await attempt(endpoint, body, headers);
    if (answer.ok && answer.status < 500) return answer;
  }
  return answer;
}

export function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The text of an XML fragment, tags dropped and whitespace folded, for a one-line detail. */
export function xmlText(fragment: string): string {
  return fragment
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
