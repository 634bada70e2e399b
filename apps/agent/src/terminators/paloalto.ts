import type { Session } from '../vouchers/store';
import { type HttpsEndpoint, postForm, xmlEscape, xmlText } from './https';
import type { TerminationOutcome } from './terminator';

/**
 * PAN-OS XML API, User-ID: removes the IP-to-user mapping of the session, so the guest's traffic no longer matches
 * user-based rules. The API key travels in the X-PAN-KEY header, never in a URL that a proxy could log.
 */
export async function paloAltoLogout(
  endpoint: Omit<HttpsEndpoint, 'url'> & { baseUrl: URL; apiKey: string },
  session: Session,
): Promise<TerminationOutcome> {
  if (!session.framedIp) return { result: 'error', detail: 'the session has no Framed-IP-Address to log out' };
  const user = session.username ?? session.acctSessionId;
  const cmd =
    '<uid-message><version>2.0</version><type>update</type><payload><logout>' +
    `<entry name="${xmlEscape(user)}" ip="${xmlEscape(session.framedIp)}"/>` +
    '</logout></payload></uid-message>';
  const url = new URL('/api/?type=user-id', endpoint.baseUrl);
  const answer = await postForm({ ...endpoint, url }, { cmd }, { 'X-PAN-KEY': endpoint.apiKey });
  if (!answer.ok) return { result: answer.result, detail: answer.detail };
  return readPanAnswer(answer.status, answer.body);
}

/** `<response status="success">` is an ack; `status="error"` a nak with PAN-OS's message; anything else an error. */
export function readPanAnswer(httpStatus: number, body: string): TerminationOutcome {
  const status = /<response\b[^>]*\bstatus\s*=\s*["']([a-z]+)["']/i.exec(body)?.[1]?.toLowerCase();
  const message = xmlText(/<msg\b[^>]*>([\s\S]*?)<\/msg>/i.exec(body)?.[1] ?? '');
  if (status === 'success' && httpStatus < 300) return { result: 'ack', detail: message || 'logged out' };
  if (status === 'error') return { result: 'nak', detail: `PAN-OS (HTTP ${httpStatus}): ${message || 'error'}` };
  if (httpStatus === 401 || httpStatus === 403)
    return { result: 'nak', detail: `PAN-OS refused the API key (HTTP ${httpStatus})` };
  return {
    result: 'error',
    detail: `unexpected answer from PAN-OS (HTTP ${httpStatus}): ${xmlText(body).slice(0, 200)}`,
  };
}
