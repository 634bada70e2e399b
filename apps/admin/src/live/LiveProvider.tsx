import { ApiError } from '@atrium/web-kit';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { useApi } from '../api-provider';
import { agentKeys } from '../features/agents/queries';
import { useUser } from '../features/auth/session';
import { onsiteKeys } from '../features/onsite/queries';
import { useSiteLookup } from '../features/sites/queries';
import { visitKeys } from '../features/visits/queries';
import { useI18n } from '../i18n';
import { pagesFor } from '../roles';
import { alertForEvent, keysForEvent, type LiveAlert, type LiveEventData } from './effects';
import { backoffDelay, createSseParser } from './sse';

export type LiveStatus = 'off' | 'connecting' | 'live' | 'retrying';

/** The server sends a comment every 15 s; this long without a byte means the connection is dead. */
const SILENCE_MS = 45_000;
const MAX_ALERTS = 20;

interface LiveValue {
  status: LiveStatus;
  alerts: LiveAlert[];
  dismiss(id: string): void;
}

const LiveContext = createContext<LiveValue>({ status: 'off', alerts: [], dismiss: () => undefined });

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Keeps one server-sent-events stream open (fetch, because it needs the Authorization header), reconnects with
 * backoff, turns events into query invalidations and alerts. Only staff receive events; others never connect.
 */
export function LiveProvider({ enabled, children }: { enabled: boolean; children: ReactNode }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('off');
  const [alerts, setAlerts] = useState<LiveAlert[]>([]);

  useEffect(() => {
    if (!enabled) {
      setStatus('off');
      return;
    }
    const stop = new AbortController();
    const onMessage = (type: string, raw: string, id: string | null) => {
      let data: LiveEventData = {};
      try {
        data = JSON.parse(raw) as LiveEventData;
      } catch {
        return;
      }
      for (const queryKey of keysForEvent(type, data)) void queryClient.invalidateQueries({ queryKey });
      const alert = alertForEvent(type, data, id, new Date().toISOString());
      if (alert) {
        setAlerts((list) => (list.some((a) => a.id === alert.id) ? list : [alert, ...list].slice(0, MAX_ALERTS)));
      }
    };

    async function run() {
      let attempt = 0;
      while (!stop.signal.aborted) {
        setStatus(attempt === 0 ? 'connecting' : 'retrying');
        const connection = new AbortController();
        const abortConnection = () => connection.abort();
        stop.signal.addEventListener('abort', abortConnection);
        let watchdog: ReturnType<typeof setTimeout> | undefined;
        const feed = () => {
          clearTimeout(watchdog);
          watchdog = setTimeout(abortConnection, SILENCE_MS);
        };
        try {
          feed();
          const res = await api.stream('/events/stream', connection.signal);
          if (attempt > 0) {
            // Events may have been missed while away: refresh what they would have touched.
            for (const queryKey of [visitKeys.lists(), visitKeys.details(), onsiteKeys.all, agentKeys.all]) {
              void queryClient.invalidateQueries({ queryKey });
            }
          }
          attempt = 0;
          setStatus('live');
          const parser = createSseParser((message) => onMessage(message.event, message.data, message.id));
          const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            feed();
            parser.push(value);
          }
        } catch (error) {
          if (stop.signal.aborted) return;
          // Not allowed (or signed out): retrying would not help.
          if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
            setStatus('off');
            return;
          }
        } finally {
          clearTimeout(watchdog);
          stop.signal.removeEventListener('abort', abortConnection);
        }
        setStatus('retrying');
        await sleep(backoffDelay(attempt), stop.signal);
        attempt += 1;
      }
    }
    void run();
    return () => stop.abort();
  }, [enabled, api, queryClient]);

  const dismiss = useCallback((id: string) => setAlerts((list) => list.filter((a) => a.id !== id)), []);
  const value = useMemo(() => ({ status, alerts, dismiss }), [status, alerts, dismiss]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export const useLive = () => useContext(LiveContext);

/** Alerts from live events, above every page until dismissed. */
export function AlertBanner() {
  const { t, time } = useI18n();
  const { alerts, dismiss } = useLive();
  const canSeeAgents = pagesFor(useUser().roles).includes('agents');
  const siteOf = useSiteLookup();
  if (alerts.length === 0) return null;
  return (
    <section className="alerts no-print" aria-label={t('alerts.label')} data-testid="alert-banner">
      {alerts.map((alert) => (
        <div key={alert.id} className="alert" role="alert" data-testid={`alert-${alert.kind}`}>
          <p>
            {alert.kind === 'conflict'
              ? t('alerts.conflict', { time: time(alert.at, siteOf(alert.siteId)?.timezone) })
              : t('alerts.terminateFailed', {
                  result: alert.result ?? '?',
                  time: time(alert.at, siteOf(alert.siteId)?.timezone),
                })}{' '}
            {alert.kind === 'conflict' && alert.visitId ? (
              <Link href={`/visits/${alert.visitId}`}>{t('alerts.conflictLink')}</Link>
            ) : alert.kind === 'terminate_failed' && canSeeAgents ? (
              <Link href="/agents">{t('alerts.terminateLink')}</Link>
            ) : null}
          </p>
          <button type="button" className="btn btn-secondary btn-small" onClick={() => dismiss(alert.id)}>
            {t('common.dismiss')}
          </button>
        </div>
      ))}
    </section>
  );
}
