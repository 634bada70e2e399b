import type { IncomingMessage, Server } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { ErrorCode } from '@atrium/protocol';
import type { Logger } from 'pino';
import proxyaddr from 'proxy-addr';
import { WebSocketServer } from 'ws';
import type { ContextConfig } from '../context';
import { errorBody } from '../http/errors';
import { type AgentIdentity, type CertificateAuthority, peerIdentity } from './ca';
import type { AgentHub } from './hub';

export const AGENT_PATH = '/agent/ws';

/** What the agent endpoints use: the instance CA, the hub that takes the link, the clock. */
export interface AgentEndpointDeps {
  ca: CertificateAuthority;
  hub: Pick<AgentHub, 'accept'>;
  now: () => Date;
}
/** Agent → server frames are small (status, RADIUS events); a reconcile only flows the other way. */
const MAX_AGENT_FRAME = 1024 * 1024;

function refuse(socket: Duplex, status: 400 | 401 | 403 | 404, code: ErrorCode, message: string) {
  const body = JSON.stringify(errorBody(code, message));
  socket.end(
    `HTTP/1.1 ${status} ${{ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status]}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function pathOf(req: IncomingMessage) {
  return (req.url ?? '').split('?')[0];
}

/**
 * /agent/ws on the main port, behind a trusted reverse proxy that verified the client certificate and passes it in
 * X-Client-Cert. The header counts only from TRUSTED_PROXY addresses, and the certificate is verified again here.
 */
export function attachProxiedAgentEndpoint(
  deps: AgentEndpointDeps & { config: Pick<ContextConfig, 'TRUSTED_PROXY'>; logger: Logger },
  server: Server,
): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_AGENT_FRAME });
  const trusted = proxyaddr.compile(deps.config.TRUSTED_PROXY);
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    if (pathOf(req) !== AGENT_PATH) return refuse(socket, 404, 'not_found', 'No WebSocket endpoint here.');
    const from = req.socket.remoteAddress ?? '';
    const header = req.headers['x-client-cert'];
    if (deps.config.TRUSTED_PROXY.length === 0 || !trusted(from, 0)) {
      deps.logger.warn({ from }, 'agent connection refused: not through a trusted proxy');
      return refuse(socket, 403, 'untrusted_proxy', 'Agents connect with a client certificate, through the TLS proxy.');
    }
    if (typeof header !== 'string' || header.trim() === '') {
      return refuse(
        socket,
        401,
        'client_certificate_required',
        'This endpoint needs a client certificate from the instance CA.',
      );
    }
    const check = deps.ca.verifyAgentCert(header, deps.now());
    if (!check.ok) {
      deps.logger.warn({ reason: check.reason }, 'agent connection refused: certificate');
      return refuse(socket, 401, 'invalid_client_certificate', `The client certificate was refused (${check.reason}).`);
    }
    const identity: AgentIdentity = {
      tenantId: check.tenantId,
      siteId: check.siteId,
      serial: check.serial,
      fingerprint: check.fingerprint,
    };
    wss.handleUpgrade(req, socket, head, (ws) => void deps.hub.accept(ws, identity));
  });
  return wss;
}

/** A direct mTLS listener for deployments without the proxy: node verifies the chain against the instance CA. */
export async function startDirectAgentListener(
  deps: AgentEndpointDeps,
  options: { port: number; host: string; hostnames: string[] },
) {
  const serverCert = await deps.ca.issueServerCert({ hostnames: options.hostnames, now: deps.now() });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_AGENT_FRAME });
  const server = https.createServer(
    {
      cert: serverCert.certPem,
      key: serverCert.keyPem,
      ca: deps.ca.certPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    (_req, res) => {
      res.writeHead(426, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(errorBody('upgrade_required', 'Only the agent WebSocket lives on this port.')));
    },
  );
  server.on('tlsClientError', () => {});
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    if (pathOf(req) !== AGENT_PATH) return refuse(socket, 404, 'not_found', 'No WebSocket endpoint here.');
    const identity = peerIdentity((req.socket as TLSSocket).getPeerCertificate(true));
    if (!identity)
      return refuse(socket, 401, 'invalid_client_certificate', 'The client certificate carries no agent identity.');
    wss.handleUpgrade(req, socket, head, (ws) => void deps.hub.accept(ws, identity));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return { server, wss, caCertPem: deps.ca.certPem };
}
