import { SendFailure } from './transport';

/** Slack and Microsoft Teams incoming webhooks both take `{ text }`; 4xx is final (except 429), the rest is retried. */
export async function postToChat(url: string, text: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
      redirect: 'error',
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new SendFailure(`chat webhook unreachable: ${(error as Error).message}`, false);
  }
  if (!response.ok) {
    const permanent = response.status >= 400 && response.status < 500 && response.status !== 429;
    throw new SendFailure(`chat webhook answered ${response.status}`, permanent);
  }
}
