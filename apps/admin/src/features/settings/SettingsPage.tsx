import type { SiteWithSettings } from '@atrium/protocol';
import { type FormEvent, useMemo, useState } from 'react';
import { useI18n } from '../../i18n';
import { isTenantAdmin } from '../../roles';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { CheckboxField, Field } from '../../ui/Field';
import { FormError, fieldErrorsOf, Notice } from '../../ui/Notice';
import { Page, Section } from '../../ui/Page';
import { LoadError, Loading } from '../../ui/states';
import { useUser } from '../auth/session';
import { type SiteChange, useCreateSite, useSettings, useUpdateSite } from './queries';
import { RetentionForm } from './RetentionForm';
import { readInt } from './read-int';

const SITE_FIELDS = [
  'name',
  'timezone',
  'wifiSsid',
  'maxVisitHours',
  'arrivalToleranceMinutes',
  'walkInsAllowed',
  'keyMaxAgeSeconds',
  'walkInsPerKiosk',
  'walkInsPerSite',
  'walkInWindowMinutes',
  'language',
  'address',
  'wifiDetailsEmail',
  'chatWebhookUrl',
] as const;

function useTimezones(): string[] {
  return useMemo(() => {
    const zones = Intl.supportedValuesOf('timeZone');
    return zones.includes('UTC') ? zones : ['UTC', ...zones];
  }, []);
}

export function SettingsPage() {
  const { t } = useI18n();
  const user = useUser();
  const settings = useSettings();
  const tenantAdmin = isTenantAdmin(user.roles);
  return (
    <Page title={t('settings.title')}>
      {settings.isPending ? (
        <Loading />
      ) : settings.isError ? (
        <LoadError title={t('settings.loadError')} error={settings.error} onRetry={() => settings.refetch()} />
      ) : (
        <>
          {tenantAdmin && <RetentionForm days={settings.data.retentionDays} />}
          {settings.data.sites.map((site) => (
            <SiteForm key={site.id} site={site} />
          ))}
          {tenantAdmin && <AddSiteForm />}
        </>
      )}
    </Page>
  );
}

function SiteForm({ site }: { site: SiteWithSettings }) {
  const { t } = useI18n();
  const zones = useTimezones();
  const update = useUpdateSite();
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [unchanged, setUnchanged] = useState(false);
  const errors = fieldErrorsOf(update.error, localErrors);
  const id = `site-${site.id}`;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const problems: Record<string, string> = {};
    const numbers = {
      maxVisitHours: readInt(form.get('maxVisitHours'), 1, 24 * 366, t),
      arrivalToleranceMinutes: readInt(form.get('arrivalToleranceMinutes'), 0, 24 * 60, t),
      keyMaxAgeHours: readInt(form.get('keyMaxAgeHours'), 1, 30 * 24, t),
      walkInsPerKiosk: readInt(form.get('walkInsPerKiosk'), 1, 10_000, t),
      walkInsPerSite: readInt(form.get('walkInsPerSite'), 1, 100_000, t),
      walkInWindowMinutes: readInt(form.get('walkInWindowMinutes'), 1, 24 * 60, t),
    };
    for (const [field, value] of Object.entries(numbers)) {
      if (typeof value === 'string') problems[field === 'keyMaxAgeHours' ? 'keyMaxAgeSeconds' : field] = value;
    }
    if (!text('name')) problems.name = t('errors.field.required');
    if (!text('wifiSsid')) problems.wifiSsid = t('errors.field.required');
    const webhook = text('chatWebhookUrl');
    if (webhook && !/^https:\/\/[^\s/]+/.test(webhook)) problems.chatWebhookUrl = t('settings.webhookHttps');
    setLocalErrors(problems);
    update.reset();
    setUnchanged(false);
    if (Object.keys(problems).length > 0) return;

    const next: Required<SiteChange> = {
      name: text('name'),
      timezone: text('timezone'),
      wifiSsid: text('wifiSsid'),
      maxVisitHours: numbers.maxVisitHours as number,
      arrivalToleranceMinutes: numbers.arrivalToleranceMinutes as number,
      walkInsAllowed: form.get('walkInsAllowed') === 'on',
      keyMaxAgeSeconds: (numbers.keyMaxAgeHours as number) * 3600,
      walkInsPerKiosk: numbers.walkInsPerKiosk as number,
      walkInsPerSite: numbers.walkInsPerSite as number,
      walkInWindowMinutes: numbers.walkInWindowMinutes as number,
      language: text('language') === 'de' ? 'de' : 'en',
      address: String(form.get('address') ?? '').trim(),
      wifiDetailsEmail: form.get('wifiDetailsEmail') === 'on',
      chatWebhookUrl: webhook || null,
    };
    const current: Required<SiteChange> = {
      ...site.settings,
      name: site.name,
      timezone: site.timezone,
      wifiSsid: site.wifiSsid,
    };
    // Send only what changed, so the audit log says what was changed.
    const change = Object.fromEntries(
      Object.entries(next).filter(([key, value]) => current[key as keyof SiteChange] !== value),
    ) as SiteChange;
    if (Object.keys(change).length === 0) {
      setUnchanged(true);
      return;
    }
    update.mutate({ id: site.id, change });
  }

  return (
    <Section title={site.name} id={id}>
      <form className="form" onSubmit={submit} noValidate data-testid="site-form">
        {(update.isSuccess || unchanged) && <Notice tone="success">{t('common.saved')}</Notice>}
        <FormError error={update.error} fields={SITE_FIELDS} />
        <div className="grid-3">
          <Field label={t('settings.siteName')} error={errors.name}>
            {(a11y) => <input {...a11y} name="name" defaultValue={site.name} maxLength={200} />}
          </Field>
          <Field label={t('settings.timezone')} error={errors.timezone}>
            {(a11y) => (
              <select {...a11y} name="timezone" defaultValue={site.timezone}>
                {zones.map((zone) => (
                  <option key={zone} value={zone}>
                    {zone}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('settings.wifiSsid')} error={errors.wifiSsid}>
            {(a11y) => <input {...a11y} name="wifiSsid" defaultValue={site.wifiSsid} maxLength={32} />}
          </Field>
          <Field label={t('settings.maxVisitHours')} error={errors.maxVisitHours}>
            {(a11y) => (
              <input
                {...a11y}
                name="maxVisitHours"
                type="number"
                min={1}
                max={24 * 366}
                defaultValue={site.settings.maxVisitHours}
              />
            )}
          </Field>
          <Field label={t('settings.arrivalTolerance')} error={errors.arrivalToleranceMinutes}>
            {(a11y) => (
              <input
                {...a11y}
                name="arrivalToleranceMinutes"
                type="number"
                min={0}
                max={24 * 60}
                defaultValue={site.settings.arrivalToleranceMinutes}
              />
            )}
          </Field>
          <Field label={t('settings.keyMaxAge')} error={errors.keyMaxAgeSeconds}>
            {(a11y) => (
              <input
                {...a11y}
                name="keyMaxAgeHours"
                type="number"
                min={1}
                max={30 * 24}
                defaultValue={Math.max(1, Math.round(site.settings.keyMaxAgeSeconds / 3600))}
              />
            )}
          </Field>
          <Field label={t('settings.walkInsPerKiosk')} error={errors.walkInsPerKiosk}>
            {(a11y) => (
              <input
                {...a11y}
                name="walkInsPerKiosk"
                type="number"
                min={1}
                max={10_000}
                defaultValue={site.settings.walkInsPerKiosk}
              />
            )}
          </Field>
          <Field label={t('settings.walkInsPerSite')} error={errors.walkInsPerSite}>
            {(a11y) => (
              <input
                {...a11y}
                name="walkInsPerSite"
                type="number"
                min={1}
                max={100_000}
                defaultValue={site.settings.walkInsPerSite}
              />
            )}
          </Field>
          <Field label={t('settings.walkInWindow')} error={errors.walkInWindowMinutes}>
            {(a11y) => (
              <input
                {...a11y}
                name="walkInWindowMinutes"
                type="number"
                min={1}
                max={24 * 60}
                defaultValue={site.settings.walkInWindowMinutes}
              />
            )}
          </Field>
        </div>
        <CheckboxField
          label={t('settings.walkIns')}
          name="walkInsAllowed"
          defaultChecked={site.settings.walkInsAllowed}
        />
        <div className="grid-3">
          <Field label={t('settings.emailLanguage')} error={errors.language}>
            {(a11y) => (
              <select {...a11y} name="language" defaultValue={site.settings.language}>
                <option value="en">English</option>
                <option value="de">Deutsch</option>
              </select>
            )}
          </Field>
          <Field label={t('settings.address')} error={errors.address} optional>
            {(a11y) => (
              <textarea {...a11y} name="address" rows={3} defaultValue={site.settings.address} maxLength={500} />
            )}
          </Field>
          <Field label={t('settings.chatWebhook')} error={errors.chatWebhookUrl} optional>
            {(a11y) => (
              <input
                {...a11y}
                name="chatWebhookUrl"
                type="url"
                inputMode="url"
                placeholder="https://hooks.slack.com/services/…"
                defaultValue={site.settings.chatWebhookUrl ?? ''}
                maxLength={2000}
              />
            )}
          </Field>
        </div>
        <CheckboxField
          label={t('settings.wifiDetailsEmail')}
          name="wifiDetailsEmail"
          defaultChecked={site.settings.wifiDetailsEmail}
        />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={update.isPending}>
            {update.isPending ? t('common.saving') : t('settings.saveSite', { site: site.name })}
          </button>
        </div>
      </form>
      <StaffPinForm site={site} />
    </Section>
  );
}

/** The PIN staff type in at this site's kiosks to see what only staff may see; stored hashed, never shown again. */
function StaffPinForm({ site }: { site: SiteWithSettings }) {
  const { t } = useI18n();
  const update = useUpdateSite();
  const [localError, setLocalError] = useState<string | undefined>();
  const [done, setDone] = useState<'set' | 'removed' | null>(null);
  const errors = fieldErrorsOf(update.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const pin = String(new FormData(formElement).get('staffPin') ?? '');
    setDone(null);
    update.reset();
    if (!/^\d{4,8}$/.test(pin)) {
      setLocalError(t('settings.staffPinFormat'));
      return;
    }
    setLocalError(undefined);
    update.mutate(
      { id: site.id, change: { staffPin: pin } },
      {
        onSuccess: () => {
          formElement.reset();
          setDone('set');
        },
      },
    );
  }

  return (
    <form className="form staff-pin" onSubmit={submit} noValidate data-testid="staff-pin-form">
      <h3>{t('settings.staffPinTitle')}</h3>
      <p className="muted" data-testid="staff-pin-state">
        {site.settings.staffPinSet ? t('settings.staffPinIsSet') : t('settings.staffPinNotSet')}
      </p>
      {done && (
        <Notice tone="success">{t(done === 'set' ? 'settings.staffPinSaved' : 'settings.staffPinRemoved')}</Notice>
      )}
      <FormError error={update.error} fields={['staffPin']} />
      <Field label={t('settings.staffPin')} hint={t('settings.staffPinHint')} error={localError ?? errors.staffPin}>
        {(a11y) => (
          <input
            {...a11y}
            name="staffPin"
            type="password"
            inputMode="numeric"
            autoComplete="new-password"
            maxLength={8}
            className="input-narrow"
            data-testid="staff-pin"
          />
        )}
      </Field>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={update.isPending}>
          {site.settings.staffPinSet ? t('settings.staffPinChange') : t('settings.staffPinSet')}
        </button>
        {site.settings.staffPinSet && (
          <ConfirmButton
            label={t('settings.staffPinRemove')}
            question={t('settings.staffPinRemoveQuestion')}
            confirmLabel={t('settings.staffPinRemove')}
            busy={update.isPending}
            className="btn btn-secondary"
            testId="staff-pin-remove"
            onConfirm={() => {
              setDone(null);
              update.mutate({ id: site.id, change: { staffPin: null } }, { onSuccess: () => setDone('removed') });
            }}
          />
        )}
      </div>
    </form>
  );
}

function AddSiteForm() {
  const { t } = useI18n();
  const zones = useTimezones();
  const create = useCreateSite();
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const errors = fieldErrorsOf(create.error, localErrors);
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const problems: Record<string, string> = {};
    if (!text('name')) problems.name = t('errors.field.required');
    if (!text('wifiSsid')) problems.wifiSsid = t('errors.field.required');
    setLocalErrors(problems);
    if (Object.keys(problems).length > 0) return;
    create.mutate(
      { name: text('name'), timezone: text('timezone'), wifiSsid: text('wifiSsid') },
      { onSuccess: () => formElement.reset() },
    );
  }

  return (
    <Section title={t('settings.addSite')} id="settings-add-site">
      <form className="form" onSubmit={submit} noValidate data-testid="site-add-form">
        {create.isSuccess && <Notice tone="success">{t('settings.siteAdded', { name: create.data.name })}</Notice>}
        <FormError error={create.error} fields={['name', 'timezone', 'wifiSsid']} />
        <div className="grid-3">
          <Field label={t('settings.siteName')} error={errors.name}>
            {(a11y) => <input {...a11y} name="name" maxLength={200} autoComplete="off" />}
          </Field>
          <Field label={t('settings.timezone')} error={errors.timezone}>
            {(a11y) => (
              <select {...a11y} name="timezone" defaultValue={zones.includes(browserZone) ? browserZone : 'UTC'}>
                {zones.map((zone) => (
                  <option key={zone} value={zone}>
                    {zone}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('settings.wifiSsid')} error={errors.wifiSsid}>
            {(a11y) => <input {...a11y} name="wifiSsid" defaultValue="Guest" maxLength={32} />}
          </Field>
        </div>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? t('common.saving') : t('settings.addSiteSubmit')}
          </button>
        </div>
      </form>
    </Section>
  );
}
