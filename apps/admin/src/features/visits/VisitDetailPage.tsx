import type { Visit } from '@atrium/protocol';
import { Link, useSearchParams } from 'wouter';
import { useI18n } from '../../i18n';
import { hasRoleAt, STAFF_ROLES } from '../../roles';
import { VisitStatusBadge } from '../../ui/Badge';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { downloadBlob } from '../../ui/download';
import { Notice } from '../../ui/Notice';
import { Page } from '../../ui/Page';
import { LoadError, Loading } from '../../ui/states';
import { useObjectUrl } from '../../ui/useObjectUrl';
import { useUser } from '../auth/session';
import { InvitationButton } from '../messages/InvitationButton';
import { useSiteLookup } from '../sites/queries';
import { useCancelVisit, useVisit, useVisitQr, useVisitQrPng, useVisitStatusChange } from './queries';
import { visitListHref } from './VisitsPage';

export function VisitDetailPage({ id }: { id: string }) {
  const { t } = useI18n();
  const visit = useVisit(id);
  if (visit.isPending) {
    return (
      <Page title={t('visits.title')}>
        <Loading />
      </Page>
    );
  }
  if (visit.isError) {
    return (
      <Page title={t('visits.title')}>
        <BackLink />
        <LoadError title={t('visit.loadError')} error={visit.error} onRetry={() => visit.refetch()} />
      </Page>
    );
  }
  return <VisitDetail visit={visit.data} />;
}

function BackLink() {
  const { t } = useI18n();
  return (
    <p className="no-print">
      <Link href={visitListHref()} className="back-link">
        ← {t('visit.back')}
      </Link>
    </p>
  );
}

function VisitDetail({ visit }: { visit: Visit }) {
  const { t, dateTime, errorMessage } = useI18n();
  const user = useUser();
  const site = useSiteLookup()(visit.siteId);
  const zone = site?.timezone;
  const [params] = useSearchParams();
  const isStaff = hasRoleAt(user.roles, visit.siteId, STAFF_ROLES);
  const expected = visit.status === 'expected';
  const qr = useVisitQr(visit.id, expected);
  const qrUrl = useObjectUrl(expected ? qr.data : undefined);
  const png = useVisitQrPng();
  const change = useVisitStatusChange(visit);
  const cancel = useCancelVisit();
  const actionError = change.error ?? cancel.error ?? png.error;
  const name = visit.visitor.name;

  const rows: Array<[string, string | null]> = [
    [t('visit.company'), visit.visitor.company],
    [t('visit.email'), visit.visitor.email],
    [t('visit.phone'), visit.visitor.phone],
    [t('visit.host'), visit.hostName],
    [t('visit.site'), site?.name ?? null],
    [t('visit.arrival'), dateTime(visit.expectedArrival, zone)],
    [t('visit.departure'), dateTime(visit.expectedDeparture, zone)],
    [t('visit.checkedIn'), visit.checkedInAt && dateTime(visit.checkedInAt, zone)],
    [t('visit.checkedOut'), visit.checkedOutAt && dateTime(visit.checkedOutAt, zone)],
  ];

  return (
    <Page title={t('visit.title', { name })}>
      <div className="no-print">
        <BackLink />
        {params.get('created') === '1' && expected && <Notice tone="success">{t('visit.createdOk')}</Notice>}
        {change.checkedIn && <Notice tone="success">{t('visit.checkedInOk', { name })}</Notice>}
        {change.checkedOut && <Notice tone="success">{t('visit.checkedOutOk', { name })}</Notice>}
        {cancel.isSuccess && <Notice tone="success">{t('visit.cancelledOk')}</Notice>}
        {actionError && <Notice tone="error">{errorMessage(actionError)}</Notice>}

        <div className="detail-grid">
          <section className="card" aria-labelledby="visit-facts">
            <h2 id="visit-facts" className="row-between">
              <span>{t('visitForm.visitor')}</span>
              <VisitStatusBadge status={visit.status} />
            </h2>
            <dl className="facts">
              {rows
                .filter(([, value]) => value)
                .map(([label, value]) => (
                  <div key={label}>
                    <dt>{label}</dt>
                    <dd>{value}</dd>
                  </div>
                ))}
            </dl>
            <div className="button-row">
              {isStaff && expected && (
                <button
                  type="button"
                  className="btn btn-primary"
                  disabled={change.waiting}
                  onClick={change.checkIn}
                  data-testid="checkin-button"
                >
                  {t('visit.checkIn')}
                </button>
              )}
              {isStaff && visit.status === 'checked_in' && (
                <button
                  type="button"
                  className="btn btn-primary"
                  disabled={change.waiting}
                  onClick={change.checkOut}
                  data-testid="checkout-button"
                >
                  {t('visit.checkOut')}
                </button>
              )}
              {expected && (
                <ConfirmButton
                  label={t('visit.cancel')}
                  question={t('visit.cancelQuestion')}
                  confirmLabel={t('visit.cancelConfirm')}
                  onConfirm={() => cancel.mutate(visit.id)}
                  busy={cancel.isPending}
                  testId="visit-cancel"
                />
              )}
            </div>
          </section>

          <section className="card qr-card" aria-labelledby="visit-qr-title">
            <h2 id="visit-qr-title">{t('visit.qr')}</h2>
            {!expected ? (
              <p className="muted">{t('visit.qrGone')}</p>
            ) : qr.isPending ? (
              <Loading />
            ) : qr.isError ? (
              <LoadError title={t('visit.qrError')} error={qr.error} onRetry={() => qr.refetch()} />
            ) : (
              <>
                <img className="qr" src={qrUrl} alt={t('visit.qrAlt', { name })} data-testid="visit-qr" />
                <p className="hint">{t('visit.qrHint')}</p>
                <div className="button-row">
                  <button type="button" className="btn btn-secondary" onClick={() => window.print()}>
                    {t('visit.print')}
                  </button>
                  <button
                    type="button"
                    className="btn btn-secondary"
                    disabled={png.isPending}
                    onClick={() =>
                      png.mutate(visit.id, {
                        onSuccess: (blob) => downloadBlob(blob, `atrium-visit-${slug(name)}.png`),
                      })
                    }
                    data-testid="visit-qr-png"
                  >
                    {t('visit.downloadPng')}
                  </button>
                  <InvitationButton visit={visit} />
                </div>
              </>
            )}
          </section>
        </div>
      </div>

      {expected && qrUrl && (
        <article className="print-only badge-print" aria-hidden="true">
          <p className="badge-kicker">{t('badge.visitor')}</p>
          <p className="badge-name">{name}</p>
          {visit.visitor.company && <p className="badge-company">{visit.visitor.company}</p>}
          <img className="badge-qr" src={qrUrl} alt="" />
          {visit.hostName && <p>{t('badge.host', { name: visit.hostName })}</p>}
          {site && <p>{site.name}</p>}
          <p className="small">
            {t('badge.valid', {
              from: dateTime(visit.expectedArrival, zone),
              until: dateTime(visit.expectedDeparture, zone),
            })}
          </p>
        </article>
      )}
    </Page>
  );
}

const slug = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .toLowerCase() || 'visitor';
