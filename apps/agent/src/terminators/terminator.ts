import { sendDisconnect } from '../radius/disconnect';
import type { Session } from '../vouchers/store';
import { paloAltoLogout } from './paloalto';
import { COA_PROFILES, type CoaProfileName, disconnectAttributes } from './profiles';
import { sophosLogout } from './sophos';

/** What became of one attempt to end a session; `detail` says why in the firewall's or NAS's words. */
export interface TerminationOutcome {
  result: 'ack' | 'nak' | 'timeout' | 'error';
  errorCause?: number;
  detail?: string;
}

export interface TerminatorSettings {
  TERMINATOR: 'rfc5176' | 'paloalto' | 'sophos' | 'none';
  COA_PROFILE: CoaProfileName;
  COA_TARGET?: string | undefined;
  COA_SECRET?: string | undefined;
  RADIUS_SECRET: string;
  TERMINATOR_URL?: string | undefined;
  TERMINATOR_API_KEY?: string | undefined;
  TERMINATOR_USERNAME?: string | undefined;
  TERMINATOR_PASSWORD?: string | undefined;
  /** PEM read from TERMINATOR_CA_FILE. */
  terminatorCa?: string | undefined;
  /** Per attempt; tests shorten them. */
  timeoutMs?: number;
  retries?: number;
}

/** Ends one live session the way TERMINATOR says; never throws, every failure is an outcome. */
export type Terminator = (session: Session) => Promise<TerminationOutcome>;

export function createTerminator(settings: TerminatorSettings): Terminator {
  const retries = settings.retries ?? 2;
  const rest = () => ({
    baseUrl: new URL(settings.TERMINATOR_URL!),
    ca: settings.terminatorCa,
    timeoutMs: settings.timeoutMs ?? 5000,
    retries,
  });
  const guard =
    (end: Terminator): Terminator =>
    async (session) => {
      try {
        return await end(session);
      } catch (error) {
        return { result: 'error', detail: error instanceof Error ? error.message : String(error) };
      }
    };

  switch (settings.TERMINATOR) {
    case 'none':
      return async () => ({ result: 'error', detail: 'TERMINATOR=none: sessions are not ended actively' });
    case 'paloalto': {
      const endpoint = { ...rest(), apiKey: settings.TERMINATOR_API_KEY! };
      return guard((session) => paloAltoLogout(endpoint, session));
    }
    case 'sophos': {
      const endpoint = {
        ...rest(),
        username: settings.TERMINATOR_USERNAME!,
        password: settings.TERMINATOR_PASSWORD!,
      };
      return guard((session) => sophosLogout(endpoint, session));
    }
    case 'rfc5176': {
      const profile = COA_PROFILES[settings.COA_PROFILE];
      return guard(async (session) => {
        const [host, port] = settings.COA_TARGET ? settings.COA_TARGET.split(':') : [session.nas.address, undefined];
        const outcome = await sendDisconnect({
          host: host!,
          port: port ? Number(port) : 3799,
          secret: settings.COA_SECRET ?? settings.RADIUS_SECRET,
          attributes: disconnectAttributes(session, profile),
          eventTimestamp: profile.eventTimestamp,
          ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
          retries,
        });
        if (outcome.result === 'timeout')
          return { result: 'timeout', detail: `no answer from ${host}:${port ?? 3799}` };
        return outcome;
      });
    }
  }
}
