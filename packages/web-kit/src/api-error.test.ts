import { describe, expect, it } from 'vitest';
import { ApiError, errorFromResponse, NETWORK_ERROR, NETWORK_STATUS, stripFieldPrefix } from './api-error';

const answer = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(body, { status, statusText: status === 502 ? 'Bad Gateway' : '', headers });

describe('errorFromResponse', () => {
  it('keeps the server code, message, field and every issue of a 400', async () => {
    const error = await errorFromResponse(
      answer(
        400,
        JSON.stringify({
          error: {
            code: 'invalid_input',
            message: 'visitor.email: must be an email address',
            details: {
              field: 'visitor.email',
              issues: [
                { field: 'visitor.email', message: 'must be an email address' },
                { field: 'siteId', message: 'is required' },
              ],
            },
          },
        }),
      ),
    );
    expect(error).toBeInstanceOf(ApiError);
    expect({ status: error.status, code: error.code, field: error.field }).toEqual({
      status: 400,
      code: 'invalid_input',
      field: 'visitor.email',
    });
    expect(error.fieldErrors()).toEqual({ 'visitor.email': 'must be an email address', siteId: 'is required' });
  });

  it('reads the wait of a 429 from Retry-After, else from the details', async () => {
    const body = JSON.stringify({
      error: { code: 'rate_limited', message: 'Too many', details: { retryAfterSeconds: 7 } },
    });
    expect((await errorFromResponse(answer(429, body, { 'Retry-After': '12' }))).retryAfterSeconds).toBe(12);
    expect((await errorFromResponse(answer(429, body))).retryAfterSeconds).toBe(7);
  });

  it('makes an error of a body that is not ours (a proxy page, nothing, a wrong shape)', async () => {
    const page = await errorFromResponse(answer(502, '<html>bad gateway</html>'));
    expect({ code: page.code, message: page.message }).toEqual({ code: 'http_502', message: 'Bad Gateway' });
    expect((await errorFromResponse(answer(500, ''))).message).toBe('Request failed');
    expect((await errorFromResponse(answer(400, '{"error":"nope"}'))).code).toBe('http_400');
    expect((await errorFromResponse(answer(400, 'null'))).code).toBe('http_400');
  });
});

describe('ApiError', () => {
  it('knows a request that got no answer at all', () => {
    expect(new ApiError(NETWORK_STATUS, NETWORK_ERROR, 'offline').isNetworkError).toBe(true);
    expect(new ApiError(503, 'pairing_busy', 'busy').isNetworkError).toBe(false);
  });

  it('shows a message next to its field without the field prefix', () => {
    expect(stripFieldPrefix('visitor.email: must be an email address', 'visitor.email')).toBe(
      'must be an email address',
    );
    expect(stripFieldPrefix('must be an email address', 'visitor.email')).toBe('must be an email address');
    expect(new ApiError(400, 'invalid_input', 'name: is required', { field: 'name' }).fieldErrors()).toEqual({
      name: 'is required',
    });
  });
});
