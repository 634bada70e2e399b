import type { Logger } from 'pino';
import type { CertificateAuthority } from './agents/ca';
import { loadOrCreateCa } from './agents/ca-store';
import { AgentHub } from './agents/hub';
import { KeyRing } from './auth/keys';
import { OidcClient } from './auth/oidc-client';
import { TokenService } from './auth/tokens';
import { UserAccess } from './auth/user-access';
import type { Config } from './config';
import { SecretBox } from './crypto/secret-box';
import type { Database } from './db';
import { MessageDelivery } from './email/delivery';
import { createMailer, type Mailer, type SmtpConfig } from './email/transport';
import { EventDispatcher } from './events/outbox';
import { RateLimits } from './http/rate-limit';

/** Everything a request handler or job may use, built once at start (tests build their own). */
export type ContextConfig = Pick<
  Config,
  | 'TRUSTED_PROXY'
  | 'PUBLIC_URL'
  | 'PORT'
  | 'AGENT_TLS_PORT'
  | 'AGENT_CERT_DAYS'
  | 'METRICS_TOKEN'
  | 'ATRIUM_IMAGE_REGISTRY'
  | 'KIOSK_HEARTBEAT_SECONDS'
> &
  Partial<Pick<Config, 'oidc'>> &
  Partial<SmtpConfig>;

export interface AppContext {
  config: ContextConfig;
  db: Database;
  logger: Logger;
  box: SecretBox;
  keys: KeyRing;
  tokens: TokenService;
  /** Current status, session version and roles of users, checked on every user request (cached ≤ 1 s). */
  access: UserAccess;
  /** Rate limit counters, kept in the database so replicas share them. */
  limits: RateLimits;
  events: EventDispatcher;
  /** Reads made while delivering events (voucher pushes to agents): a small pool of its own where there is a pool. */
  deliveryDb: Database;
  ca: CertificateAuthority;
  hub: AgentHub;
  /** The IdP for single sign-on, when OIDC_ISSUER is set (discovered in the background, retried until it answers). */
  oidc: OidcClient | undefined;
  /** Sends email; undefined when email is off (SMTP_URL unset). */
  mailer: Mailer | undefined;
  /** Queues messages from visit events and sends them (started by main, or a test that wants email). */
  messages: MessageDelivery;
  now: () => Date;
}

export async function createContext(options: {
  config: ContextConfig;
  db: Database;
  logger: Logger;
  secretKey: Buffer;
  now?: () => Date;
  /** A separate handle for event delivery, so it never queues behind request traffic on a busy pool. */
  eventsDb?: Database;
  /** Retry timing of message delivery (tests shorten it). */
  delivery?: { retryBaseMs?: number; pollMs?: number };
}): Promise<AppContext> {
  const now = options.now ?? (() => new Date());
  const box = new SecretBox(options.secretKey);
  const keys = await KeyRing.open(options.db, box, now);
  const ca = await loadOrCreateCa(options.db, box, now());
  const events = new EventDispatcher(options.eventsDb ?? options.db, options.logger);
  const deliveryDb = options.eventsDb ?? options.db;
  const access = new UserAccess(options.db);
  access.follow(events);
  const oidc = options.config.oidc ? new OidcClient(options.config.oidc, options.logger) : undefined;
  void oidc?.start();
  const mailer = createMailer(options.config);
  const messages = new MessageDelivery({
    db: options.db,
    keys,
    box,
    events,
    logger: options.logger,
    now,
    mailer,
    ...options.delivery,
  });
  return {
    config: options.config,
    db: options.db,
    logger: options.logger,
    box,
    keys,
    tokens: new TokenService(keys, now),
    access,
    limits: new RateLimits(options.db, now),
    events,
    deliveryDb,
    ca,
    hub: new AgentHub({ db: options.db, deliveryDb, events, box, logger: options.logger, now }),
    oidc,
    mailer,
    messages,
    now,
  };
}
