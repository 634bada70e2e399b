import type { Visit, VisitStatus } from '@atrium/protocol';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'wouter';
import { useI18n } from '../../i18n';
import { hasRoleAt, STAFF_ROLES } from '../../roles';
import { dayRange } from '../../time';
import { VisitStatusBadge } from '../../ui/Badge';
import { Notice } from '../../ui/Notice';
import { Page } from '../../ui/Page';
import { Empty, LoadError, Loading } from '../../ui/states';
import { TableWrap } from '../../ui/TableWrap';
import { useUser } from '../auth/session';
import { useSiteLookup, useSites } from '../sites/queries';
import { useVisitStatusChange, useVisits, VISIT_LIST_LIMIT, VISIT_STATUSES, type VisitFilters } from './queries';

type When = 'today' | 'upcoming' | 'all';
const WHENS: readonly When[] = ['today', 'upcoming', 'all'];
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The list's address with its filters, for the "back to visits" links of the pages it leads to. */
let lastListHref = '/visits';
export const visitListHref = () => lastListHref;

/** Filters live in the address, so "back" from a visit returns to the same list. */
function useVisitFilters() {
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  useEffect(() => {
    lastListHref = search ? `/visits?${search}` : '/visits';
  }, [search]);
  const when = (WHENS as readonly string[]).includes(params.get('when') ?? '') ? (params.get('when') as When) : 'today';
  const status = (VISIT_STATUSES as readonly string[]).includes(params.get('status') ?? '')
    ? (params.get('status') as VisitStatus)
    : undefined;
  const siteId = params.get('site') || undefined;
  const q = params.get('q') || undefined;
  const set = (key: string, value: string | undefined) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );
  return { when, status, siteId, q, set };
}

/** One day's visits by arrival; ties (a group arriving together) by name, then id, so rows never swap on a refresh. */
function byArrival(a: Visit, b: Visit): number {
  return (
    a.expectedArrival.localeCompare(b.expectedArrival) ||
    a.visitor.name.localeCompare(b.visitor.name) ||
    a.id.localeCompare(b.id)
  );
}

export function VisitsPage() {
  const { t, dateTime, time } = useI18n();
  const user = useUser();
  const sites = useSites();
  const siteOf = useSiteLookup();
  const filters = useVisitFilters();
  const [search, setSearch] = useState(filters.q ?? '');
  const searchTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(searchTimer.current), []);
  // Type freely; the list follows 300 ms after the last key.
  const onSearch = (value: string) => {
    setSearch(value);
    clearTimeout(searchTimer.current);
    searchTimer.current = setTimeout(() => filters.set('q', value.trim() || undefined), 300);
  };

  // "Today" is the site's day; without a chosen site, the only site's or else the browser's.
  const onlySite = sites.data?.length === 1 ? sites.data[0] : undefined;
  const zone = siteOf(filters.siteId)?.timezone ?? onlySite?.timezone ?? browserZone();
  const today = dayRange(Date.now(), zone);
  const range =
    filters.when === 'today'
      ? { from: today.from.toISOString(), to: today.to.toISOString() }
      : filters.when === 'upcoming'
        ? { from: today.from.toISOString() }
        : {};
  const query: VisitFilters = { siteId: filters.siteId, status: filters.status, q: filters.q, ...range };

  const visits = useVisits(query);
  const rows = useMemo(() => {
    const list = visits.data ?? [];
    // The server lists newest first; for one day the morning's first visitor belongs on top.
    return filters.when === 'all' ? list : [...list].sort(byArrival);
  }, [visits.data, filters.when]);
  const showSite = (sites.data?.length ?? 0) > 1;
  // "Today" needs no date on every row; other lists may span days.
  const when = (iso: string | null, siteId: string) => {
    if (iso === null) return t('common.none');
    const zone = siteOf(siteId)?.timezone;
    return filters.when === 'today' ? time(iso, zone) : dateTime(iso, zone);
  };
  const filtered = Boolean(filters.siteId || filters.status || filters.q || filters.when !== 'today');

  return (
    <Page
      title={t('visits.title')}
      actions={
        <Link href="/visits/new" className="btn btn-primary" data-testid="visit-new">
          {t('visits.new')}
        </Link>
      }
    >
      <form className="filters" aria-label={t('visits.filters')} onSubmit={(event) => event.preventDefault()}>
        <label className="filter">
          <span>{t('visits.when')}</span>
          <select
            value={filters.when}
            onChange={(e) => filters.set('when', e.currentTarget.value === 'today' ? undefined : e.currentTarget.value)}
            data-testid="visits-when"
          >
            {WHENS.map((w) => (
              <option key={w} value={w}>
                {t(`visits.when.${w}`)}
              </option>
            ))}
          </select>
        </label>
        {showSite && (
          <label className="filter">
            <span>{t('common.site')}</span>
            <select
              value={filters.siteId ?? ''}
              onChange={(e) => filters.set('site', e.currentTarget.value || undefined)}
              data-testid="visits-site"
            >
              <option value="">{t('common.allSites')}</option>
              {sites.data?.map((site) => (
                <option key={site.id} value={site.id}>
                  {site.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="filter">
          <span>{t('visits.status')}</span>
          <select
            value={filters.status ?? ''}
            onChange={(e) => filters.set('status', e.currentTarget.value || undefined)}
            data-testid="visits-status"
          >
            <option value="">{t('visits.status.any')}</option>
            {VISIT_STATUSES.map((status) => (
              <option key={status} value={status}>
                {t(`status.${status}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="filter filter-grow">
          <span>{t('visits.search')}</span>
          <input
            type="search"
            value={search}
            placeholder={t('visits.searchPlaceholder')}
            onChange={(e) => onSearch(e.currentTarget.value)}
            data-testid="visits-search"
          />
        </label>
      </form>

      {visits.isPending ? (
        <Loading />
      ) : visits.isError ? (
        <LoadError title={t('visits.loadError')} error={visits.error} onRetry={() => visits.refetch()} />
      ) : rows.length === 0 ? (
        <Empty
          action={
            !filtered && (
              <Link href="/visits/new" className="btn btn-secondary">
                {t('visits.new')}
              </Link>
            )
          }
        >
          {filtered ? t('visits.empty.filtered') : t('visits.empty.today')}
        </Empty>
      ) : (
        <TableWrap label={t('visits.title')} busy={visits.isFetching}>
          <table className="table table-visits" data-testid="visits-table">
            <thead>
              <tr>
                <th scope="col">{t('visits.col.visitor')}</th>
                <th scope="col">{t('visits.col.host')}</th>
                {showSite && <th scope="col">{t('visits.col.site')}</th>}
                <th scope="col">{t('visits.col.arrival')}</th>
                <th scope="col">{t('visits.col.departure')}</th>
                <th scope="col">{t('visits.col.status')}</th>
                <th scope="col">{t('visits.col.checkedIn')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((visit) => (
                <tr key={visit.id} data-testid="visit-row">
                  <td>
                    <Link href={`/visits/${visit.id}`} className="row-link">
                      {visit.visitor.name}
                    </Link>
                    {visit.visitor.company && <div className="muted small">{visit.visitor.company}</div>}
                  </td>
                  <td>{visit.hostName ?? t('common.none')}</td>
                  {showSite && <td>{siteOf(visit.siteId)?.name ?? t('common.unknownSite')}</td>}
                  <td className="cell-time">{when(visit.expectedArrival, visit.siteId)}</td>
                  <td className="cell-time">{when(visit.expectedDeparture, visit.siteId)}</td>
                  <td>
                    <VisitStatusBadge status={visit.status} />
                  </td>
                  <td className="cell-time" data-testid="visit-checked-in">
                    {when(visit.checkedInAt, visit.siteId)}
                  </td>
                  <td className="cell-actions">
                    {hasRoleAt(user.roles, visit.siteId, STAFF_ROLES) && <QuickAction visit={visit} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length >= VISIT_LIST_LIMIT && (
            <Notice tone="info">{t('visits.limitNote', { count: VISIT_LIST_LIMIT })}</Notice>
          )}
        </TableWrap>
      )}
    </Page>
  );
}

/** Reception's one-click check-in / check-out from the list (a double click counts once). */
function QuickAction({ visit }: { visit: Visit }) {
  const { t, errorMessage } = useI18n();
  const { checkIn, checkOut, waiting, error } = useVisitStatusChange(visit);
  if (visit.status !== 'expected' && visit.status !== 'checked_in') return null;
  return (
    <>
      {visit.status === 'expected' ? (
        <button
          type="button"
          className="btn btn-secondary btn-small"
          disabled={waiting}
          onClick={checkIn}
          aria-label={`${t('visit.checkIn')}: ${visit.visitor.name}`}
          data-testid="checkin-button"
        >
          {t('visit.checkIn')}
        </button>
      ) : (
        <button
          type="button"
          className="btn btn-secondary btn-small"
          disabled={waiting}
          onClick={checkOut}
          aria-label={`${t('visit.checkOut')}: ${visit.visitor.name}`}
          data-testid="checkout-button"
        >
          {t('visit.checkOut')}
        </button>
      )}
      {error && (
        <p className="field-error" role="alert">
          {errorMessage(error)}
        </p>
      )}
    </>
  );
}
