import type { OnSiteEntry, Site } from '@atrium/protocol';
import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'wouter';
import { useI18n } from '../../i18n';
import { STAFF_ROLES, sitesWithRole } from '../../roles';
import { Badge } from '../../ui/Badge';
import { Notice } from '../../ui/Notice';
import { Page } from '../../ui/Page';
import { Empty, LoadError, Loading } from '../../ui/states';
import { TableWrap } from '../../ui/TableWrap';
import { useNow } from '../../ui/useNow';
import { useUser } from '../auth/session';
import { useSites } from '../sites/queries';
import { useCheckOut } from '../visits/queries';
import { useOnSite } from './queries';

/** Who is in the building now, per site: the reception's live list and, printed, the evacuation list. */
export function OnSitePage() {
  const { t } = useI18n();
  const user = useUser();
  const sites = useSites();
  const [params, setParams] = useSearchParams();
  const staffSites = sitesWithRole(user.roles, sites.data ?? [], STAFF_ROLES);
  const site = staffSites.find((s) => s.id === params.get('site')) ?? staffSites[0];

  return (
    <Page
      title={t('onsite.title')}
      actions={
        site && (
          <button type="button" className="btn btn-secondary" onClick={() => window.print()} data-testid="onsite-print">
            {t('onsite.print')}
          </button>
        )
      }
    >
      {sites.isPending ? (
        <Loading />
      ) : sites.isError ? (
        <LoadError title={t('onsite.loadError')} error={sites.error} onRetry={() => sites.refetch()} />
      ) : !site ? (
        <Notice tone="info">{t('onsite.noSites')}</Notice>
      ) : (
        <>
          {staffSites.length > 1 && (
            <div className="filters no-print">
              <label className="filter">
                <span>{t('common.site')}</span>
                <select
                  value={site.id}
                  onChange={(e) => setParams({ site: e.currentTarget.value }, { replace: true })}
                  data-testid="onsite-site"
                >
                  {staffSites.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name}
                    </option>
                  ))}
                </select>
              </label>
            </div>
          )}
          <OnSiteList key={site.id} site={site} />
        </>
      )}
    </Page>
  );
}

/** A check-out ends the visitor's WiFi: it waits this long, with an undo, before it is sent. */
const UNDO_SECONDS = 5;

/** Who arrived and who left since the list was last read, as one sentence for the live region. */
function useArrivalsAndDepartures(people: OnSiteEntry[] | undefined): string {
  const { t } = useI18n();
  const previous = useRef<Map<string, string> | null>(null);
  const [news, setNews] = useState('');
  useEffect(() => {
    if (!people) return;
    const now = new Map(people.map((p) => [p.visitId, p.name]));
    const before = previous.current;
    previous.current = now;
    // The first load is the page itself, not news.
    if (!before) return;
    const arrived = [...now].filter(([id]) => !before.has(id)).map(([, name]) => t('onsite.arrived', { name }));
    const left = [...before].filter(([id]) => !now.has(id)).map(([, name]) => t('onsite.left', { name }));
    if (arrived.length + left.length === 0) return;
    const count = t(people.length === 1 ? 'onsite.count.one' : 'onsite.count.other', { count: people.length });
    setNews([...arrived, ...left, `${count}.`].join(' '));
  }, [people, t]);
  return news;
}

/**
 * Check-outs started from the list, each sent after UNDO_SECONDS unless undone. Leaving the page sends those still
 * waiting: the click meant it.
 */
function usePendingCheckOuts(onSend: (visitId: string, name: string) => void) {
  const [pending, setPending] = useState<Record<string, number>>({});
  const timers = useRef(new Map<string, { timer: ReturnType<typeof setTimeout>; send: () => void }>());
  const latestSend = useRef(onSend);
  latestSend.current = onSend;
  useEffect(() => {
    const waiting = timers.current;
    return () => {
      for (const { timer, send } of waiting.values()) {
        clearTimeout(timer);
        send();
      }
    };
  }, []);
  const drop = (visitId: string) => {
    timers.current.delete(visitId);
    setPending(({ [visitId]: _, ...rest }) => rest);
  };
  return {
    pending,
    start(visitId: string, name: string) {
      const send = () => latestSend.current(visitId, name);
      const timer = setTimeout(() => {
        drop(visitId);
        send();
      }, UNDO_SECONDS * 1000);
      timers.current.set(visitId, { timer, send });
      setPending((all) => ({ ...all, [visitId]: Date.now() + UNDO_SECONDS * 1000 }));
    },
    undo(visitId: string) {
      clearTimeout(timers.current.get(visitId)?.timer);
      drop(visitId);
    },
  };
}

function OnSiteList({ site }: { site: Site }) {
  const { t, time, dateTime } = useI18n();
  const list = useOnSite(site.id);
  const checkOut = useCheckOut();
  const [lastOut, setLastOut] = useState<string | null>(null);
  const news = useArrivalsAndDepartures(list.data);
  const leaving = usePendingCheckOuts((visitId, name) => {
    setLastOut(name);
    checkOut.mutate(visitId);
  });
  const now = useNow(250);
  const table = useRef<HTMLDivElement>(null);
  // Focus follows the row's button: to "Undo" when a check-out starts, back to "Check out" when it is undone.
  const focusIn = (visitId: string, testId: string) =>
    requestAnimationFrame(() =>
      table.current?.querySelector<HTMLElement>(`[data-visit="${visitId}"] [data-testid="${testId}"]`)?.focus(),
    );

  if (list.isPending) return <Loading />;
  if (list.isError)
    return <LoadError title={t('onsite.loadError')} error={list.error} onRetry={() => list.refetch()} />;
  const people = list.data;
  const count = t(people.length === 1 ? 'onsite.count.one' : 'onsite.count.other', { count: people.length });

  return (
    <>
      <div className="print-only print-heading">
        <h2>{t('onsite.printTitle', { site: site.name })}</h2>
        <p>
          {t('onsite.printedAt', { time: dateTime(new Date().toISOString(), site.timezone), count: people.length })}
        </p>
      </div>
      <p className="count no-print" data-testid="onsite-count">
        {count}
      </p>
      <p className="muted no-print" role="status" data-testid="onsite-news">
        {news}
      </p>
      {lastOut && checkOut.isSuccess && <Notice tone="success">{t('visit.checkedOutOk', { name: lastOut })}</Notice>}
      {checkOut.error && <CheckOutError error={checkOut.error} />}
      {people.length === 0 ? (
        <Empty>{t('onsite.empty', { site: site.name })}</Empty>
      ) : (
        <div ref={table}>
          <TableWrap label={t('onsite.title')}>
            <table className="table" data-testid="onsite-table">
              <thead>
                <tr>
                  <th scope="col">{t('onsite.col.name')}</th>
                  <th scope="col">{t('onsite.col.host')}</th>
                  <th scope="col">{t('onsite.col.arrival')}</th>
                  <th scope="col" className="no-print">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                  <th scope="col" className="print-cell">
                    {t('onsite.col.present')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {people.map((person: OnSiteEntry) => (
                  <tr key={person.visitId} data-testid="onsite-row" data-visit={person.visitId}>
                    <td>
                      <Link href={`/visits/${person.visitId}`} className="row-link">
                        {person.name}
                      </Link>
                      {person.offline && (
                        <span className="no-print">
                          {' '}
                          <Badge tone="warning">{t('onsite.offline')}</Badge>
                        </span>
                      )}
                    </td>
                    <td>{person.hostName ?? t('common.none')}</td>
                    <td>{time(person.checkedInAt, site.timezone)}</td>
                    <td className="cell-actions no-print">
                      {leaving.pending[person.visitId] ? (
                        <span className="undo">
                          <span className="muted small" data-testid="checkout-pending">
                            {t('onsite.checkingOut', {
                              seconds: Math.max(1, Math.ceil((leaving.pending[person.visitId]! - now) / 1000)),
                            })}
                          </span>
                          <button
                            type="button"
                            className="btn btn-secondary btn-small"
                            onClick={() => {
                              leaving.undo(person.visitId);
                              focusIn(person.visitId, 'checkout-button');
                            }}
                            aria-label={`${t('onsite.undo')}: ${person.name}`}
                            data-testid="checkout-undo"
                          >
                            {t('onsite.undo')}
                          </button>
                        </span>
                      ) : (
                        <button
                          type="button"
                          className="btn btn-secondary btn-small"
                          disabled={checkOut.isPending && checkOut.variables === person.visitId}
                          onClick={() => {
                            leaving.start(person.visitId, person.name);
                            focusIn(person.visitId, 'checkout-undo');
                          }}
                          aria-label={`${t('visit.checkOut')}: ${person.name}`}
                          data-testid="checkout-button"
                        >
                          {t('visit.checkOut')}
                        </button>
                      )}
                    </td>
                    <td className="print-cell" />
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </div>
      )}
    </>
  );
}

function CheckOutError({ error }: { error: unknown }) {
  const { errorMessage } = useI18n();
  return <Notice tone="error">{errorMessage(error)}</Notice>;
}
