import { randomUUID } from 'node:crypto';
import tls from 'node:tls';
import {
  AGENT_FEATURES,
  AGENT_MAX_FRAME_BYTES,
  type AgentMessage,
  type AgentVoucher,
  agentMessageSchema,
  parseFrame,
  type ServerMessage,
  serverMessageSchema,
} from '@atrium/protocol';
import { HttpsProxyAgent } from 'https-proxy-agent';
import WebSocket from 'ws';
import { EventBuffer } from './buffer';
import { cleanEvent } from './clean';

type Distribute<T> = T extends unknown ? Omit<T, 'v' | 'id'> : never;
/** What the agent reports: everything but the envelope, which the link adds. */
export type AgentEvent = Distribute<Exclude<AgentMessage, { type: 'agent.status' | 'ack' }>>;
export type AgentStatus = Omit<Extract<AgentMessage, { type: 'agent.status' }>, 'v' | 'id' | 'type'>;
type Envelope = AgentMessage & { id: string };

/** A full voucher set on its way in: parts go to add() (which may throw on a bad one), commit() applies it. */
export interface VoucherSetSink {
  add(vouchers: AgentVoucher[]): void;
  commit(): void;
}

export interface LinkHandlers {
  status(): AgentStatus;
  /**
   * A reconcile of `total` vouchers begins. Its set is committed only once whole; a link that drops first leaves the
   * old set in place.
   */
  reconcile(total: number): VoucherSetSink;
  upsert(voucher: AgentVoucher): void;
  revoke(voucherId: string, version: number, disconnect: boolean): void;
}

export interface LinkLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface LinkOptions {
  url: string;
  /** Client certificate and key, the instance CA, and the PEM of NODE_EXTRA_CA_CERTS if set. */
  tls: { cert: string; key: string; ca: string; extraCa?: string };
  /** An HTTP proxy that tunnels the connection (CONNECT), e.g. http://proxy.lan:3128. */
  proxy?: string;
  handlers: LinkHandlers;
  logger: LinkLogger;
  bufferCapacity?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A connection that lasted this long resets the backoff. */
  healthyAfterMs?: number;
  statusIntervalMs?: number;
  /** No frame or ping from the server for this long: the peer is dead, reconnect. */
  deadAfterMs?: number;
  random?: () => number;
}

/**
 * The agent's WebSocket to the server (mTLS): announces itself with agent.status, takes the reconciliation, applies
 * voucher changes, reports events with acks, and reconnects with exponential backoff and full jitter.
 */
export class ServerLink {
  readonly buffer: EventBuffer<Envelope>;
  #ws: WebSocket | undefined;
  #ready = false;
  #stopped = false;
  #attempt = 0;
  #retry: NodeJS.Timeout | undefined;
  #statusTimer: NodeJS.Timeout | undefined;
  #deadTimer: NodeJS.Timeout | undefined;
  #invalidFrames = 0;
  #unsendable = 0;
  #reconciles = 0;
  /** The reconcile under way: which set, the part expected next, where its parts go. */
  #incoming: { set: string | null; next: number; sink: VoucherSetSink } | undefined;

  readonly #secureContext: tls.SecureContext;
  readonly #proxyAgent: HttpsProxyAgent<string> | undefined;

  constructor(private readonly options: LinkOptions) {
    this.buffer = new EventBuffer<Envelope>(options.bufferCapacity ?? 10_000);
    this.#secureContext = serverTrust(options.tls);
    this.#proxyAgent = options.proxy ? new HttpsProxyAgent(options.proxy) : undefined;
  }

  get ready(): boolean {
    return this.#ready;
  }

  get invalidFrames(): number {
    return this.#invalidFrames;
  }

  /** Events that broke the protocol even after cleaning: dropped here (and logged), since the server would refuse them. */
  get unsendable(): number {
    return this.#unsendable;
  }

  get reconciles(): number {
    return this.#reconciles;
  }

  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#teardown();
    this.#ws?.close(1001, 'agent stopping');
  }

  /** Queues an event for the server, cleaned; sent at once when the link is up, else when it comes back. */
  report(event: AgentEvent): void {
    const message = { v: 1, id: randomUUID(), ...cleanEvent(event) } as Envelope;
    const checked = agentMessageSchema.safeParse(message);
    if (!checked.success) {
      this.#unsendable += 1;
      const issue = checked.error.issues[0]!;
      this.options.logger.warn(
        { type: event.type, field: issue.path.join('.') },
        'dropped an event the server would refuse',
      );
      return;
    }
    this.buffer.push(message);
    if (this.#ready) this.#send(message);
  }

  #send(message: object): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(message));
  }

  #sendStatus(): void {
    const features = [AGENT_FEATURES.reconcileParts];
    this.#send({ v: 1, id: randomUUID(), type: 'agent.status', ...this.options.handlers.status(), features });
  }

  #connect(): void {
    const { url } = this.options;
    // ws hands its options on to tls.connect (directly, or through the proxy agent after CONNECT).
    const options: WebSocket.ClientOptions & tls.ConnectionOptions = {
      secureContext: this.#secureContext,
      ...(this.#proxyAgent ? { agent: this.#proxyAgent } : {}),
      maxPayload: AGENT_MAX_FRAME_BYTES,
      handshakeTimeout: 10_000,
    };
    const ws = new WebSocket(url, options);
    this.#ws = ws;
    const openedAt = Date.now();
    ws.on('open', () => {
      this.options.logger.info({ url }, 'connected to the server; announcing');
      this.#alive();
      this.#sendStatus();
    });
    ws.on('ping', () => this.#alive());
    ws.on('message', (data) => {
      this.#alive();
      this.#onFrame(data.toString());
    });
    ws.on('unexpected-response', (_req, res) => {
      this.options.logger.warn({ status: res.statusCode }, 'the server refused the agent connection');
      ws.terminate();
    });
    ws.on('error', (error) => this.options.logger.warn({ err: error.message }, 'agent link error'));
    ws.on('close', (code, reason) => {
      this.#teardown();
      if (Date.now() - openedAt >= (this.options.healthyAfterMs ?? 30_000)) this.#attempt = 0;
      if (this.#stopped) return;
      const delay = this.#backoff();
      this.options.logger.warn(
        { code, reason: reason.toString(), retryInMs: delay },
        'disconnected from the server; RADIUS keeps answering from memory',
      );
      this.#retry = setTimeout(() => this.#connect(), delay);
    });
  }

  /** Full jitter: a random wait up to min(max, min·2^attempt). */
  #backoff(): number {
    const min = this.options.minBackoffMs ?? 500;
    const max = this.options.maxBackoffMs ?? 60_000;
    const cap = Math.min(max, min * 2 ** this.#attempt);
    this.#attempt += 1;
    return Math.max(min / 2, Math.floor((this.options.random ?? Math.random)() * cap));
  }

  #alive(): void {
    clearTimeout(this.#deadTimer);
    this.#deadTimer = setTimeout(() => {
      this.options.logger.warn({}, 'no heartbeat from the server; reconnecting');
      this.#ws?.terminate();
    }, this.options.deadAfterMs ?? 75_000);
  }

  #teardown(): void {
    this.#ready = false;
    this.#incoming = undefined;
    clearInterval(this.#statusTimer);
    clearTimeout(this.#deadTimer);
  }

  #onFrame(raw: string): void {
    const parsed = parseFrame(serverMessageSchema, raw);
    if (!parsed.ok) {
      this.#invalidFrames += 1;
      this.options.logger.warn({ error: parsed.error }, 'ignored a malformed frame from the server');
      return;
    }
    const message: ServerMessage = parsed.message;
    const { handlers } = this.options;
    switch (message.type) {
      case 'vouchers.reconcile':
        if (!this.#reconcilePart(message)) break;
        this.#reconciles += 1;
        this.#ready = true;
        // Everything not acked yet goes (again), oldest first: nothing is lost when a link dropped mid-flush.
        for (const pending of this.buffer.pending()) this.#send(pending);
        clearInterval(this.#statusTimer);
        this.#statusTimer = setInterval(() => this.#sendStatus(), this.options.statusIntervalMs ?? 60_000);
        this.#statusTimer.unref();
        break;
      case 'voucher.upsert':
        handlers.upsert(message.voucher);
        this.#send({ v: 1, id: randomUUID(), type: 'ack', ackId: message.id });
        break;
      case 'voucher.revoke':
        handlers.revoke(message.voucherId, message.version, message.disconnect);
        this.#send({ v: 1, id: randomUUID(), type: 'ack', ackId: message.id });
        break;
      case 'ack':
        this.buffer.ack(message.ackId);
        break;
      case 'error':
        this.options.logger.warn({ code: message.code, ref: message.ref }, message.message);
        // A frame the server could not take will never be taken: do not resend it forever.
        if (message.ref) this.buffer.ack(message.ref);
        break;
      case 'ping':
        break;
    }
  }

  /**
   * Takes one frame of a reconcile (a whole set, or one part of it); true once the set is complete and applied. A part
   * out of order or with a bad voucher abandons the set and reconnects, which brings a fresh reconcile.
   */
  #reconcilePart(message: Extract<ServerMessage, { type: 'vouchers.reconcile' }>): boolean {
    const part = message.part ?? { set: null, index: 0, last: true, total: message.vouchers.length };
    if (part.index === 0) {
      this.#incoming = { set: part.set, next: 0, sink: this.options.handlers.reconcile(part.total) };
    }
    const incoming = this.#incoming;
    let problem: string | undefined;
    if (!incoming || incoming.set !== part.set || incoming.next !== part.index) {
      problem = 'a reconcile part arrived out of order';
    } else {
      try {
        incoming.sink.add(message.vouchers);
        incoming.next += 1;
      } catch (error) {
        problem = `a reconcile part was refused: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    if (problem) {
      this.#incoming = undefined;
      this.#invalidFrames += 1;
      this.options.logger.warn({ set: part.set, index: part.index }, `${problem}; reconnecting for a fresh one`);
      this.#ws?.close(1008, 'reconcile abandoned');
      return false;
    }
    if (!part.last) return false;
    this.#incoming = undefined;
    incoming!.sink.commit();
    return true;
  }
}

/**
 * The client certificate, and trust in Node's bundled public roots, NODE_EXTRA_CA_CERTS and the instance CA: the
 * server may present a public certificate (Caddy with ACME) or one from the instance CA (the direct mTLS port). The
 * instance CA alone as `ca` would replace the public roots, and a Let's Encrypt certificate would fail. Host names are
 * verified either way.
 */
function serverTrust(pem: LinkOptions['tls']): tls.SecureContext {
  return tls.createSecureContext({
    cert: pem.cert,
    key: pem.key,
    ca: [...tls.rootCertificates, ...(pem.extraCa ? [pem.extraCa] : []), pem.ca],
  });
}
