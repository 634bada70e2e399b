import type { OnSiteEntry, Site } from '@atrium/protocol';
import { useState } from 'react';
import { Link, useSearchParams } from 'wouter';
import { useI18n } from '../../i18n';
import { STAFF_ROLES, sitesWithRole } from '../../roles';
import { Badge } from '../../ui/Badge';
import { Notice } from '../../ui/Notice';
import { Page } from '../../ui/Page';
import { Empty, LoadError, Loading } from '../../ui/states';
import { TableWrap } from '../../ui/TableWrap';
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
          <OnSiteList site={site} />
        </>
      )}
    </Page>
  );
}

function OnSiteList({ site }: { site: Site }) {
  const { t, time, dateTime } = useI18n();
  const list = useOnSite(site.id);
  const checkOut = useCheckOut();
  const [lastOut, setLastOut] = useState<string | null>(null);

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
      <p className="count no-print" aria-live="polite" data-testid="onsite-count">
        {count}
      </p>
      {lastOut && checkOut.isSuccess && <Notice tone="success">{t('visit.checkedOutOk', { name: lastOut })}</Notice>}
      {checkOut.error && <CheckOutError error={checkOut.error} />}
      {people.length === 0 ? (
        <Empty>{t('onsite.empty', { site: site.name })}</Empty>
      ) : (
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
                <tr key={person.visitId} data-testid="onsite-row">
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
                    <button
                      type="button"
                      className="btn btn-secondary btn-small"
                      disabled={checkOut.isPending && checkOut.variables === person.visitId}
                      onClick={() => {
                        setLastOut(person.name);
                        checkOut.mutate(person.visitId);
                      }}
                      aria-label={`${t('visit.checkOut')}: ${person.name}`}
                      data-testid="checkout-button"
                    >
                      {t('visit.checkOut')}
                    </button>
                  </td>
                  <td className="print-cell" />
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}

function CheckOutError({ error }: { error: unknown }) {
  const { errorMessage } = useI18n();
  return <Notice tone="error">{errorMessage(error)}</Notice>;
}
