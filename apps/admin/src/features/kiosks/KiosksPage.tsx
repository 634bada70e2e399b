import type { KioskView, Site } from '@atrium/protocol';
import { type FormEvent, useState } from 'react';
import { useI18n } from '../../i18n';
import { STAFF_ROLES, sitesWithRole } from '../../roles';
import { relativeTime } from '../../time';
import { Badge } from '../../ui/Badge';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { Field } from '../../ui/Field';
import { FormError, fieldErrorsOf, Notice } from '../../ui/Notice';
import { Page, Section } from '../../ui/Page';
import { Empty, LoadError, Loading } from '../../ui/states';
import { TableWrap } from '../../ui/TableWrap';
import { useNow } from '../../ui/useNow';
import { useUser } from '../auth/session';
import { useSiteLookup, useSites } from '../sites/queries';
import { SiteSelect } from '../sites/SiteSelect';
import { useSiteDateTime } from '../sites/site-time';
import { useKiosks, usePairKiosk, useRevokeKiosk } from './queries';

const PAIR_FIELDS = ['code', 'siteId', 'name'] as const;

export function KiosksPage() {
  const { t } = useI18n();
  const user = useUser();
  const sites = useSites();
  const staffSites = sitesWithRole(user.roles, sites.data ?? [], STAFF_ROLES);
  return (
    <Page title={t('kiosks.title')}>
      <Section title={t('kiosks.pair')} id="kiosks-pair">
        {sites.isPending ? (
          <Loading />
        ) : sites.isError ? (
          <LoadError title={t('kiosks.loadError')} error={sites.error} onRetry={() => sites.refetch()} />
        ) : (
          <PairForm sites={staffSites} />
        )}
      </Section>
      <Section title={t('kiosks.list')} id="kiosks-list">
        <KioskList />
      </Section>
    </Page>
  );
}

function PairForm({ sites }: { sites: Site[] }) {
  const { t } = useI18n();
  const pair = usePairKiosk();
  const [code, setCode] = useState('');
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const errors = fieldErrorsOf(pair.error, localErrors);
  // A wrong code is the common mistake: say so next to the code, where the eyes are.
  const wrongCode = (pair.error as { code?: string } | null)?.code === 'unknown_code';
  const codeError = errors.code ?? (wrongCode ? t('errors.unknown_code') : undefined);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const name = String(form.get('name') ?? '').trim();
    const problems: Record<string, string> = {};
    if (!/^\d{6}$/.test(code)) problems.code = t('errors.field.sixDigits');
    if (!name) problems.name = t('errors.field.required');
    setLocalErrors(problems);
    pair.reset();
    if (Object.keys(problems).length > 0) {
      (formElement.elements.namedItem(problems.code ? 'code' : 'name') as HTMLElement | null)?.focus();
      return;
    }
    pair.mutate(
      { code, siteId: String(form.get('siteId')), name },
      {
        onSuccess: () => {
          setCode('');
          formElement.reset();
        },
      },
    );
  }

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="pair-form">
      <p>{t('kiosks.pairIntro')}</p>
      {pair.isSuccess && (
        <Notice tone="success">
          <span data-testid="pair-success">{t('kiosks.paired', { name: pair.data.kiosk.name })}</span>
        </Notice>
      )}
      <FormError error={wrongCode ? null : pair.error} fields={PAIR_FIELDS} />
      <div className="grid-3">
        <Field label={t('kiosks.code')} error={codeError}>
          {(a11y) => (
            <input
              {...a11y}
              name="code"
              className="input-code"
              inputMode="numeric"
              autoComplete="off"
              maxLength={6}
              value={code}
              onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))}
              data-testid="pair-code"
            />
          )}
        </Field>
        <SiteSelect sites={sites} error={errors.siteId} testId="pair-site" />
        <Field label={t('kiosks.name')} error={errors.name}>
          {(a11y) => (
            <input
              {...a11y}
              name="name"
              maxLength={100}
              placeholder={t('kiosks.namePlaceholder')}
              autoComplete="off"
              data-testid="pair-name"
            />
          )}
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={pair.isPending} data-testid="pair-submit">
          {pair.isPending ? t('kiosks.pairing') : t('kiosks.pairSubmit')}
        </button>
      </div>
    </form>
  );
}

function KioskList() {
  const { t, tag, number } = useI18n();
  const siteTime = useSiteDateTime();
  const kiosks = useKiosks();
  const siteOf = useSiteLookup();
  const revoke = useRevokeKiosk();
  const now = useNow();

  if (kiosks.isPending) return <Loading />;
  if (kiosks.isError) {
    return <LoadError title={t('kiosks.loadError')} error={kiosks.error} onRetry={() => kiosks.refetch()} />;
  }
  if (kiosks.data.length === 0) return <Empty>{t('kiosks.empty')}</Empty>;
  const status = (kiosk: KioskView) =>
    kiosk.revoked ? (
      <Badge tone="danger">{t('kiosks.revoked')}</Badge>
    ) : kiosk.online ? (
      <Badge tone="success">{t('kiosks.online')}</Badge>
    ) : (
      <Badge tone="warning">{t('kiosks.offline')}</Badge>
    );
  return (
    <>
      {revoke.error && <RevokeError error={revoke.error} />}
      <TableWrap label={t('kiosks.list')}>
        <table className="table" data-testid="kiosks-table">
          <thead>
            <tr>
              <th scope="col">{t('common.name')}</th>
              <th scope="col">{t('common.site')}</th>
              <th scope="col">{t('kiosks.col.status')}</th>
              <th scope="col">{t('kiosks.col.lastSeen')}</th>
              <th scope="col">{t('kiosks.col.paired')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {kiosks.data.map((kiosk) => (
              <tr key={kiosk.id} data-testid="kiosk-row" className={kiosk.revoked ? 'row-muted' : undefined}>
                <td>{kiosk.name}</td>
                <td>{siteOf(kiosk.siteId)?.name ?? t('common.unknownSite')}</td>
                <td data-testid="kiosk-status" data-online={kiosk.online}>
                  {status(kiosk)}
                  {kiosk.status && !kiosk.revoked && (
                    <span className="muted small cell-note">
                      {kiosk.status.outboxDepth > 0
                        ? t('kiosks.waiting', { count: number(kiosk.status.outboxDepth) })
                        : t('kiosks.allSynced')}
                      {' · '}
                      {t('kiosks.version', { version: kiosk.status.appVersion })}
                    </span>
                  )}
                </td>
                <td>
                  {kiosk.lastSeen ? (
                    <time dateTime={kiosk.lastSeen} title={siteTime(kiosk.lastSeen, kiosk.siteId)}>
                      {relativeTime(kiosk.lastSeen, now, tag)}
                    </time>
                  ) : (
                    t('common.never')
                  )}
                </td>
                <td>{siteTime(kiosk.pairedAt, kiosk.siteId)}</td>
                <td className="cell-actions">
                  {!kiosk.revoked && (
                    <ConfirmButton
                      label={t('kiosks.revoke')}
                      question={t('kiosks.revokeQuestion', { name: kiosk.name })}
                      confirmLabel={t('kiosks.revokeConfirm')}
                      onConfirm={() => revoke.mutate(kiosk.id)}
                      busy={revoke.isPending && revoke.variables === kiosk.id}
                      className="btn btn-danger btn-small"
                      testId="kiosk-revoke"
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}

function RevokeError({ error }: { error: unknown }) {
  const { errorMessage } = useI18n();
  return <Notice tone="error">{errorMessage(error)}</Notice>;
}
