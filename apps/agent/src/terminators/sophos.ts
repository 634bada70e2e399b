import type { Session } from '../vouchers/store';
import { type HttpsEndpoint, postForm, xmlEscape, xmlText } from './https';
import type { TerminationOutcome } from './terminator';

/**
 * Sophos Firewall XML API: LiveUserLogout signs the guest's live user out (by user name and IP), with the API
 * administrator's credentials inside the request as the API wants them.
 */
export async function sophosLogout(
  endpoint: Omit<HttpsEndpoint, 'url'> & { baseUrl: URL; username: string; password: string },
  session: Session,
): Promise<TerminationOutcome> {
  if (!session.framedIp) return { result: 'error', detail: 'the session has no Framed-IP-Address to log out' };
  const user = session.username ?? session.acctSessionId;
  const reqxml =
    '<Request><LiveUserLogout>' +
    `<Admin><UserName>${xmlEscape(endpoint.username)}</UserName><Password>${xmlEscape(endpoint.password)}</Password></Admin>` +
    `<UserName>${xmlEscape(user)}</UserName><IPAddress>${xmlEscape(session.framedIp)}</IPAddress>` +
    '</LiveUserLogout></Request>';
  const url = new URL('/webconsole/APIController', endpoint.baseUrl);
  const answer = await postForm({ ...endpoint, url }, { reqxml });
  if (!answer.ok) return { result: answer.result, detail: answer.detail };
  return readSophosAnswer(answer.status, answer.body);
}

/**
 * A `<Status code="2xx">` (or a status text saying success) is an ack; a failed login or any other status a nak with
 * the firewall's words; an answer without a status an error.
 */
export function readSophosAnswer(httpStatus: number, body: string): TerminationOutcome {
  if (httpStatus >= 300 || !/<Response\b/i.test(body)) {
    return {
      result: 'error',
      detail: `unexpected answer from Sophos (HTTP ${httpStatus}): ${xmlText(body).slice(0, 200)}`,
    };
  }
  const login = /<Login>\s*<status>([\s\S]*?)<\/status>/i.exec(body)?.[1];
  if (login && !/successful/i.test(login)) return { result: 'nak', detail: `Sophos: ${xmlText(login)}` };
  const coded = /<Status\b[^>]*\bcode\s*=\s*["'](\d+)["'][^>]*>([\s\S]*?)<\/Status>/i.exec(body);
  const plain = coded ? undefined : /<LiveUserLogout>[\s\S]*?<status>([\s\S]*?)<\/status>/i.exec(body)?.[1];
  if (coded) {
    const text = xmlText(coded[2]!);
    return coded[1]!.startsWith('2')
      ? { result: 'ack', detail: text }
      : { result: 'nak', detail: `Sophos ${coded[1]}: ${text}` };
  }
  if (plain !== undefined) {
    const text = xmlText(plain);
    return /success/i.test(text) ? { result: 'ack', detail: text } : { result: 'nak', detail: `Sophos: ${text}` };
  }
  return { result: 'error', detail: `Sophos answered without a status: ${body.replace(/\s+/g, ' ').slice(0, 200)}` };
}
