import type { AgentView, Site } from '@atrium/protocol';
import { ApiError } from '@atrium/web-kit';
import { type FormEvent, useState } from 'react';
import { useI18n } from '../../i18n';
import { ADMIN_ROLES, sitesWithRole } from '../../roles';
import { formatDuration, relativeTime } from '../../time';
import { Badge } from '../../ui/Badge';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { Field } from '../../ui/Field';
import { FormError, fieldErrorsOf, Notice } from '../../ui/Notice';
import { Page, Section } from '../../ui/Page';
import { Empty, LoadError, Loading } from '../../ui/states';
import { useNow } from '../../ui/useNow';
import { useUser } from '../auth/session';
import { useSiteLookup, useSites } from '../sites/queries';
import { SiteSelect } from '../sites/SiteSelect';
import { useSiteDateTime } from '../sites/site-time';
import { AgentBundle } from './AgentBundle';
import { useAgents, useRegisterAgent, useRenewCertificate, useRevokeAgent } from './queries';

const FIELDS = ['siteId', 'name'] as const;

export function AgentsPage() {
  const { t } = useI18n();
  const user = useUser();
  const sites = useSites();
  const register = useRegisterAgent();
  const renew = useRenewCertificate();
  const adminSites = sitesWithRole(user.roles, sites.data ?? [], ADMIN_ROLES);

  return (
    <Page title={t('agents.title')}>
      <p className="lead">{t('agents.intro')}</p>
      {register.data ? (
        <AgentBundle registered={register.data} onDone={() => register.reset()} />
      ) : renew.data ? (
        <AgentBundle registered={renew.data} renewal onDone={() => renew.reset()} />
      ) : (
        <Section title={t('agents.register')} id="agents-register">
          {sites.isPending ? <Loading /> : <RegisterForm sites={adminSites} register={register} />}
        </Section>
      )}
      <Section title={t('agents.list')} id="agents-list">
        <AgentList renew={renew} />
      </Section>
    </Page>
  );
}

function RegisterForm({ sites, register }: { sites: Site[]; register: ReturnType<typeof useRegisterAgent> }) {
  const { t } = useI18n();
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const errors = fieldErrorsOf(register.error, localErrors);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get('name') ?? '').trim();
    setLocalErrors(name ? {} : { name: t('errors.field.required') });
    if (!name) {
      (event.currentTarget.elements.namedItem('name') as HTMLElement | null)?.focus();
      return;
    }
    register.mutate({ siteId: String(form.get('siteId')), name });
  }

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="agent-form">
      <FormError error={register.error} fields={FIELDS} />
      <div className="grid-2">
        <SiteSelect sites={sites} error={errors.siteId} testId="agent-site" />
        <Field label={t('agents.name')} error={errors.name}>
          {(a11y) => (
            <input
              {...a11y}
              name="name"
              maxLength={100}
              autoComplete="off"
              placeholder={t('agents.namePlaceholder')}
              data-testid="agent-name"
            />
          )}
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={register.isPending} data-testid="agent-submit">
          {register.isPending ? t('common.saving') : t('agents.registerSubmit')}
        </button>
      </div>
    </form>
  );
}

function AgentList({ renew }: { renew: ReturnType<typeof useRenewCertificate> }) {
  const { t, number } = useI18n();
  const agents = useAgents();
  const revoke = useRevokeAgent();

  if (agents.isPending) return <Loading />;
  if (agents.isError) {
    if (agents.error instanceof ApiError && agents.error.status === 404) {
      return <Notice tone="info">{t('agents.unavailable')}</Notice>;
    }
    return <LoadError title={t('agents.loadError')} error={agents.error} onRetry={() => agents.refetch()} />;
  }
  if (agents.data.length === 0) return <Empty>{t('agents.empty')}</Empty>;
  const expiring = agents.data.filter((agent) => agent.certificateExpiring && !agent.revoked).length;
  return (
    <>
      {expiring > 0 && (
        <div data-testid="agents-expiring" data-count={expiring}>
          <Notice tone="warning">
            {expiring === 1 ? t('agents.expiringOne') : t('agents.expiringMany', { count: number(expiring) })}
          </Notice>
        </div>
      )}
      {revoke.error && <RevokeError error={revoke.error} />}
      {renew.error && <RevokeError error={renew.error} />}
      <ul className="agent-list">
        {agents.data.map((agent) => (
          <li key={agent.id}>
            <AgentCard
              agent={agent}
              onRevoke={() => revoke.mutate(agent.id)}
              busy={revoke.isPending && revoke.variables === agent.id}
              onRenew={() => renew.mutate(agent.id)}
              renewing={renew.isPending && renew.variables === agent.id}
            />
          </li>
        ))}
      </ul>
    </>
  );
}

function AgentCard({
  agent,
  onRevoke,
  busy,
  onRenew,
  renewing,
}: {
  agent: AgentView;
  onRevoke: () => void;
  busy: boolean;
  onRenew: () => void;
  renewing: boolean;
}) {
  const { t, tag, number } = useI18n();
  const siteTime = useSiteDateTime();
  const site = useSiteLookup()(agent.siteId);
  const now = useNow();
  const status = agent.lastStatus;
  const badge = agent.revoked ? (
    <Badge tone="danger">{t('agents.revoked')}</Badge>
  ) : agent.connected ? (
    <Badge tone="success">{t('agents.connected')}</Badge>
  ) : (
    <Badge tone="warning">{t('agents.disconnected')}</Badge>
  );
  const expired = agent.certificateExpires !== undefined && new Date(agent.certificateExpires).getTime() <= now;
  const certificateBadge =
    agent.revoked || !agent.certificateExpiring ? null : (
      <>
        {' '}
        <Badge tone={expired ? 'danger' : 'warning'}>
          {t(expired ? 'agents.certificateExpired' : 'agents.certificateExpiring')}
        </Badge>
      </>
    );
  return (
    <article className={agent.revoked ? 'agent-card row-muted' : 'agent-card'} aria-labelledby={`agent-${agent.id}`}>
      <header className="row-between">
        <div>
          <h3 id={`agent-${agent.id}`}>{agent.name}</h3>
          <p className="muted small">{site?.name ?? t('common.unknownSite')}</p>
        </div>
        {!agent.revoked && (
          <div className="button-row">
            <button
              type="button"
              className="btn btn-secondary btn-small"
              onClick={onRenew}
              disabled={renewing}
              data-testid="agent-renew"
            >
              {renewing ? t('common.saving') : t('agents.renew')}
            </button>
            <ConfirmButton
              label={t('agents.revoke')}
              question={t('agents.revokeQuestion', { name: agent.name })}
              confirmLabel={t('agents.revokeConfirm')}
              onConfirm={onRevoke}
              busy={busy}
              className="btn btn-danger btn-small"
              testId="agent-revoke"
            />
          </div>
        )}
      </header>
      <div data-testid="agent-status" data-connected={agent.connected}>
        <p>
          {badge}
          {certificateBadge}
        </p>
        <dl className="stats">
          <div>
            <dt>{t('agents.lastSeen')}</dt>
            <dd>
              {agent.lastSeen ? (
                <time dateTime={agent.lastSeen} title={siteTime(agent.lastSeen, agent.siteId)}>
                  {relativeTime(agent.lastSeen, now, tag)}
                </time>
              ) : (
                t('common.never')
              )}
            </dd>
          </div>
          {agent.certificateExpires && !agent.revoked && (
            <div>
              <dt>{t('agents.certificate')}</dt>
              <dd data-testid="agent-certificate" data-expiring={agent.certificateExpiring === true}>
                {siteTime(agent.certificateExpires, agent.siteId)}
              </dd>
            </div>
          )}
          {status ? (
            <>
              <div>
                <dt>{t('agents.uptime')}</dt>
                <dd>{formatDuration(status.uptimeSeconds, tag)}</dd>
              </div>
              <div>
                <dt>{t('agents.sessions')}</dt>
                <dd>{number(status.activeSessions)}</dd>
              </div>
              <div>
                <dt>{t('agents.vouchers')}</dt>
                <dd>{number(status.vouchers)}</dd>
              </div>
              <div>
                <dt>{t('agents.radius')}</dt>
                <dd>
                  {t('agents.radiusValue', {
                    requests: number(status.radius.requests),
                    accepts: number(status.radius.accepts),
                    rejects: number(status.radius.rejects),
                  })}
                </dd>
              </div>
              {status.rssBytes !== undefined && status.cpuSeconds !== undefined && (
                <div>
                  <dt>{t('agents.resources')}</dt>
                  <dd data-testid="agent-resources">
                    {t('agents.resourcesValue', {
                      memory: number(Math.round(status.rssBytes / 1_048_576)),
                      cpu: number(Math.round(status.cpuSeconds * 10) / 10),
                    })}
                  </dd>
                </div>
              )}
              <div>
                <dt>{t('agents.buffer')}</dt>
                <dd>
                  {t('agents.bufferValue', {
                    length: number(status.buffer.length),
                    dropped: number(status.buffer.dropped),
                  })}
                </dd>
              </div>
            </>
          ) : (
            <div className="stats-wide">
              <dt className="visually-hidden">{t('agents.uptime')}</dt>
              <dd className="muted">{t('agents.noStatus')}</dd>
            </div>
          )}
        </dl>
        {agent.pendingCertificateExpires && !agent.revoked && (
          <p className="muted small" data-testid="agent-pending-certificate">
            {t('agents.pendingCertificate', { date: siteTime(agent.pendingCertificateExpires, agent.siteId) })}
          </p>
        )}
      </div>
    </article>
  );
}

function RevokeError({ error }: { error: unknown }) {
  const { errorMessage } = useI18n();
  return <Notice tone="error">{errorMessage(error)}</Notice>;
}
