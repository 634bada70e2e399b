import { randomUUID, X509Certificate } from 'node:crypto';
import type { ServerMessage } from '@atrium/protocol';
import WebSocket from 'ws';

export interface Bundle {
  cert: string;
  key: string;
  ca: string;
}

/** A minimal agent-side WebSocket client for tests: connects, collects server messages, sends frames. */
export class TestAgent {
  readonly messages: ServerMessage[] = [];
  closed: Promise<{ code: number; reason: string }>;
  opened: Promise<void>;
  #waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.on('error', () => {});
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Over the direct mTLS listener. */
  static direct(url: string, bundle: Partial<Bundle> & { ca: string }): TestAgent {
    const options = { cert: bundle.cert, key: bundle.key, ca: bundle.ca, servername: 'localhost' };
    return new TestAgent(new WebSocket(url, options as WebSocket.ClientOptions));
  }

  /** As a trusted proxy would pass it on: plain HTTP with the verified certificate in X-Client-Cert. */
  static proxied(url: string, certPem: string | null, extraHeaders: Record<string, string> = {}): TestAgent {
    const headers = certPem
      ? { 'X-Client-Cert': new X509Certificate(certPem).raw.toString('base64'), ...extraHeaders }
      : extraHeaders;
    return new TestAgent(new WebSocket(url, { headers }));
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  sendStatus(): void {
    this.send({
      v: 1,
      id: randomUUID(),
      type: 'agent.status',
      agentVersion: 'test',
      uptimeSeconds: 5,
      activeSessions: 0,
      vouchers: 0,
      radius: { requests: 1, accepts: 1, rejects: 0, duplicates: 0, malformed: 0, dropped: 0, accounting: 0 },
      buffer: { length: 0, dropped: 0 },
      rssBytes: 50_000_000,
      cpuSeconds: 0.5,
    });
  }

  /** Waits for the first message matching `predicate` (looking at ones already received too). */
  async next<T extends ServerMessage['type']>(
    type: T,
    predicate: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((m) => m.type === type && predicate(m as Extract<ServerMessage, { type: T }>));
      if (found) return found as Extract<ServerMessage, { type: T }>;
      if (Date.now() > deadline)
        throw new Error(`no ${type} within ${timeoutMs} ms; got ${this.messages.map((m) => m.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close();
  }
}
