import type { Logger } from 'pino';
import type { AgentConfig } from './config';
import { type AgentStatus, ServerLink } from './link/link';
import { RadiusServer } from './radius/server';
import { createTerminator } from './terminators/terminator';
import { VoucherSet, VoucherStore } from './vouchers/store';

export const AGENT_VERSION = '0.1.0';
const SWEEP_MS = 5 * 60_000;

export interface RunningAgent {
  radius: RadiusServer;
  store: VoucherStore;
  link: ServerLink;
  ports: { auth: number; acct: number };
  stop(): Promise<void>;
}

/**
 * The seed's start-up order: configuration (already read) → RADIUS → WSS (mTLS) → agent.status → reconciliation →
 * processing. RADIUS stays silent until the first voucher set, then answers from memory whether or not the server is
 * reachable.
 */
export async function startAgent(config: AgentConfig, logger: Logger): Promise<RunningAgent> {
  const started = Date.now();
  const store = new VoucherStore();
  const radius = new RadiusServer({
    secret: config.RADIUS_SECRET,
    authAddr: config.RADIUS_LISTEN_ADDR,
    acctAddr: config.RADIUS_ACCT_ADDR,
    store,
    requireMessageAuthenticator: config.RADIUS_REQUIRE_MESSAGE_AUTHENTICATOR,
    holdUntilServing: true,
  });
  radius.on('warning', (error) => logger.warn({ err: error.message }, 'RADIUS warning'));
  radius.on('drop', (drop) => logger.debug({ ...drop }, 'RADIUS packet dropped'));
  const ports = await radius.listen();
  logger.info(
    { ...ports },
    'RADIUS listening; requests go unanswered until the server sends the voucher set, so the NAS can use a secondary server',
  );

  const status = (): AgentStatus => {
    const usage = process.cpuUsage();
    return {
      agentVersion: AGENT_VERSION,
      uptimeSeconds: Math.floor((Date.now() - started) / 1000),
      activeSessions: store.activeSessions,
      vouchers: store.size,
      radius: radius.counters,
      buffer: { length: link.buffer.length, dropped: link.buffer.dropped },
      rssBytes: process.memoryUsage().rss,
      cpuSeconds: (usage.user + usage.system) / 1e6,
    };
  };

  const endSession = createTerminator(config);
  const terminate = async (voucherId: string, sessions: ReturnType<VoucherStore['sessionsOf']>) => {
    if (sessions.length === 0) {
      link.report({
        type: 'session.terminate.result',
        at: new Date().toISOString(),
        voucherId,
        acctSessionId: null,
        terminator: config.TERMINATOR,
        result: 'no_session',
        errorCause: null,
        detail: null,
      });
      return;
    }
    for (const session of sessions) {
      const outcome = await endSession(session);
      logger.info({ voucherId, acctSessionId: session.acctSessionId, result: outcome.result }, 'session termination');
      link.report({
        type: 'session.terminate.result',
        at: new Date().toISOString(),
        voucherId,
        acctSessionId: session.acctSessionId,
        terminator: config.TERMINATOR,
        result: outcome.result,
        errorCause: outcome.errorCause ?? null,
        detail: outcome.detail?.slice(0, 500) ?? null,
      });
    }
  };

  const link: ServerLink = new ServerLink({
    url: config.ATRIUM_SERVER_URL,
    tls: config.tls,
    ...(config.proxy ? { proxy: config.proxy } : {}),
    logger,
    handlers: {
      status,
      reconcile: (total) => {
        const set = new VoucherSet(total);
        return {
          add: (vouchers) => set.add(vouchers),
          commit: () => {
            store.commit(set);
            logger.info({ vouchers: set.size }, 'reconciled the voucher set');
            if (!radius.serving) {
              radius.serve();
              logger.info({}, 'RADIUS now answering');
            }
          },
        };
      },
      upsert: (voucher) => {
        store.upsert(voucher);
      },
      revoke: (voucherId, version, disconnect) => {
        // The voucher is refused from this moment; ending live sessions is best effort and reported back.
        const sessions = store.sessionsOf(voucherId);
        store.revoke(voucherId, version);
        if (disconnect)
          void terminate(voucherId, sessions).catch((error) =>
            logger.warn({ err: error.message }, 'termination failed'),
          );
      },
    },
  });

  radius.on('auth', (event) => {
    link.report({
      type: 'radius.auth',
      at: event.at.toISOString(),
      voucherId: event.voucherId,
      result: event.result,
      reason: event.reason,
      method: event.method,
      nasIp: event.nas.ip ?? event.nas.address,
      nasIdentifier: event.nas.identifier,
    });
  });
  radius.on('acct', (event) => {
    link.report({
      type: 'radius.acct',
      at: event.at.toISOString(),
      status: event.status,
      voucherId: event.voucherId,
      acctSessionId: event.acctSessionId,
      nasIp: event.nas.ip ?? event.nas.address,
      nasIdentifier: event.nas.identifier,
      callingStationId: event.callingStationId,
      framedIp: event.framedIp,
      sessionTime: event.sessionTime,
      inputOctets: event.inputOctets,
      outputOctets: event.outputOctets,
      terminateCause: event.terminateCause,
    });
  });

  link.start();
  const sweep = setInterval(() => store.sweep(), SWEEP_MS);
  sweep.unref();
  return {
    radius,
    store,
    link,
    ports,
    async stop() {
      clearInterval(sweep);
      link.stop();
      await radius.close();
    },
  };
}
