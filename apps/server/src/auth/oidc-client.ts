import * as client from 'openid-client';
import type { Logger } from 'pino';
import type { OidcSettings } from './oidc-config';

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * The IdP as discovered from its issuer. Discovery runs at start and again with backoff until it succeeds: an IdP that
 * is down while the server starts is a logged warning, and sign-ins meanwhile get `sso_unavailable`.
 */
export class OidcClient {
  #config: client.Configuration | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #delay = FIRST_RETRY_MS;

  constructor(
    readonly settings: OidcSettings,
    private readonly logger: Logger,
  ) {}

  /** Starts discovery in the background; resolves when the first attempt ends, whatever its outcome. */
  start(): Promise<void> {
    return this.#discover();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** The discovered configuration, or undefined while the IdP has not answered yet. */
  get configuration(): client.Configuration | undefined {
    return this.#config;
  }

  async #discover(): Promise<void> {
    if (this.#stopped) return;
    const { issuer, clientId, clientSecret } = this.settings;
    try {
      this.#config = await client.discovery(
        issuer,
        clientId,
        { client_secret: clientSecret },
        client.ClientSecretPost(clientSecret),
        {
          // Plain http only to an IdP on this machine (tests, an air-gapped install with the IdP beside the server).
          ...(issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname)
            ? { execute: [client.allowInsecureRequests] }
            : {}),
          timeout: 10,
        },
      );
      this.logger.info({ issuer: issuer.href }, 'single sign-on: IdP discovered');
    } catch (error) {
      this.logger.warn(
        { issuer: issuer.href, err: error, retryInMs: this.#delay },
        'single sign-on: IdP discovery failed; retrying',
      );
      if (this.#stopped) return;
      this.#timer = setTimeout(() => void this.#discover(), this.#delay);
      this.#timer.unref();
      this.#delay = Math.min(MAX_RETRY_MS, this.#delay * 2);
    }
  }
}
