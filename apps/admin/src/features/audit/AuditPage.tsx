import type { AuditEventView } from '@atrium/protocol';
import { type FormEvent, useState } from 'react';
import { useSearchParams } from 'wouter';
import { useI18n } from '../../i18n';
import { Badge, type BadgeTone } from '../../ui/Badge';
import { Field } from '../../ui/Field';
import { FormError, fieldErrorsOf } from '../../ui/Notice';
import { Page } from '../../ui/Page';
import { Empty, LoadError, Loading } from '../../ui/states';
import { TableWrap } from '../../ui/TableWrap';
import { useSiteDateTime } from '../sites/site-time';
import { useUsers } from '../users/queries';
import { type AuditFilters, useAuditLog } from './queries';

const OUTCOMES = ['success', 'failure', 'denied'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FIELDS = ['action', 'outcome', 'actorId', 'targetId'] as const;
const OUTCOME_TONE: Record<string, BadgeTone> = { success: 'success', failure: 'danger', denied: 'warning' };

/** The site an entry names in its details, if any: its time is shown in that site's zone. */
const siteOfEntry = (item: AuditEventView) => (typeof item.details?.siteId === 'string' ? item.details.siteId : null);

export function AuditPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const outcome = params.get('outcome');
  const filters: AuditFilters = {
    action: params.get('action') || undefined,
    outcome: (OUTCOMES as readonly string[]).includes(outcome ?? '') ? (outcome as AuditFilters['outcome']) : undefined,
    actorId: params.get('actorId') || undefined,
    targetId: params.get('targetId') || undefined,
  };
  const log = useAuditLog(filters);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const errors = fieldErrorsOf(log.error, localErrors);

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next: Record<string, string> = {};
    const problems: Record<string, string> = {};
    for (const field of FIELDS) {
      const value = String(form.get(field) ?? '').trim();
      if (!value) continue;
      if ((field === 'actorId' || field === 'targetId') && !UUID.test(value)) problems[field] = t('audit.uuid');
      next[field] = value;
    }
    setLocalErrors(problems);
    if (Object.keys(problems).length === 0) setParams(next);
  }

  const items = log.data?.pages.flatMap((page) => page.items) ?? [];
  const formKey = params.toString();

  return (
    <Page title={t('audit.title')}>
      <form key={formKey} className="filters filters-wrap" onSubmit={apply} noValidate aria-label={t('audit.title')}>
        <Field label={t('audit.action')} error={errors.action}>
          {(a11y) => (
            <input
              {...a11y}
              name="action"
              defaultValue={filters.action ?? ''}
              placeholder={t('audit.actionPlaceholder')}
              data-testid="audit-action"
            />
          )}
        </Field>
        <Field label={t('audit.outcome')}>
          {(a11y) => (
            <select {...a11y} name="outcome" defaultValue={filters.outcome ?? ''} data-testid="audit-outcome">
              <option value="">{t('audit.outcomeAny')}</option>
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {t(`outcome.${o}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('audit.actor')} error={errors.actorId}>
          {(a11y) => <input {...a11y} name="actorId" defaultValue={filters.actorId ?? ''} spellCheck={false} />}
        </Field>
        <Field label={t('audit.target')} error={errors.targetId}>
          {(a11y) => <input {...a11y} name="targetId" defaultValue={filters.targetId ?? ''} spellCheck={false} />}
        </Field>
        <div className="filter-buttons">
          <button type="submit" className="btn btn-primary" data-testid="audit-apply">
            {t('audit.apply')}
          </button>
          <button type="button" className="btn btn-secondary" onClick={() => setParams({})}>
            {t('audit.reset')}
          </button>
        </div>
      </form>

      {log.isPending ? (
        <Loading />
      ) : log.isError && items.length === 0 ? (
        Object.keys(errors).length > 0 ? (
          <FormError error={log.error} fields={FIELDS} />
        ) : (
          <LoadError title={t('audit.loadError')} error={log.error} onRetry={() => log.refetch()} />
        )
      ) : items.length === 0 ? (
        <Empty>{t('audit.empty')}</Empty>
      ) : (
        <>
          <AuditTable items={items} />
          <div className="load-more">
            {log.hasNextPage ? (
              <button
                type="button"
                className="btn btn-secondary"
                disabled={log.isFetchingNextPage}
                onClick={() => log.fetchNextPage()}
                data-testid="audit-load-more"
              >
                {log.isFetchingNextPage ? t('common.loading') : t('audit.loadMore')}
              </button>
            ) : (
              <p className="muted">{t('audit.end')}</p>
            )}
            {log.isFetchNextPageError && (
              <LoadError title={t('audit.loadError')} error={log.error} onRetry={() => log.fetchNextPage()} />
            )}
          </div>
        </>
      )}
    </Page>
  );
}

function AuditTable({ items }: { items: AuditEventView[] }) {
  const { t } = useI18n();
  const dateTime = useSiteDateTime();
  const users = useUsers();
  const nameOf = (id: string | null) => (id ? users.data?.find((u) => u.id === id)?.name : undefined);
  const outcomeLabel = (outcome: string) =>
    (OUTCOMES as readonly string[]).includes(outcome) ? t(`outcome.${outcome as (typeof OUTCOMES)[number]}`) : outcome;

  return (
    <TableWrap label={t('audit.title')}>
      <table className="table table-dense" data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">{t('audit.col.time')}</th>
            <th scope="col">{t('audit.action')}</th>
            <th scope="col">{t('audit.outcome')}</th>
            <th scope="col">{t('audit.col.actor')}</th>
            <th scope="col">{t('audit.col.target')}</th>
            <th scope="col">{t('audit.col.ip')}</th>
            <th scope="col">{t('audit.col.details')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id} data-testid="audit-row">
              <td className="nowrap" data-testid="audit-time">
                {dateTime(item.occurredAt, siteOfEntry(item))}
              </td>
              <td>
                <code>{item.action}</code>
              </td>
              <td>
                <Badge tone={OUTCOME_TONE[item.outcome] ?? 'neutral'}>{outcomeLabel(item.outcome)}</Badge>
              </td>
              <td>
                <Who type={item.actorType} id={item.actorId} name={nameOf(item.actorId)} />
              </td>
              <td>
                {item.targetType ? (
                  <Who type={item.targetType} id={item.targetId} name={nameOf(item.targetId)} />
                ) : (
                  t('common.none')
                )}
              </td>
              <td className="nowrap">{item.ip ?? t('common.none')}</td>
              <td>
                <Details details={item.details} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** "user Ada Lovelace" or "kiosk 1b2c…" with the full id on hover and in the accessible name. */
function Who({ type, id, name }: { type: string; id: string | null; name: string | undefined }) {
  return (
    <span className="who">
      <span className="muted">{type}</span> {name ?? (id ? <abbr title={id}>{id.slice(0, 8)}…</abbr> : null)}
    </span>
  );
}

function Details({ details }: { details: Record<string, unknown> }) {
  const entries = Object.entries(details);
  if (entries.length === 0) return null;
  return (
    <ul className="plain details">
      {entries.map(([key, value]) => (
        <li key={key}>
          <span className="muted">{key}:</span> <DetailValue value={value} />
        </li>
      ))}
    </ul>
  );
}

/** Long ids are cut to their first characters (the whole id stays in the tooltip), so rows stay readable. */
function DetailValue({ value }: { value: unknown }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (UUID.test(text) || (/^[0-9a-f]+$/i.test(text) && text.length > 16)) {
    return <abbr title={text}>{text.slice(0, 8)}…</abbr>;
  }
  return <>{text}</>;
}
