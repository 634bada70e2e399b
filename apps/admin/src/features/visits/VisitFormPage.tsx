import type { CreateVisitRequest } from '@atrium/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useI18n } from '../../i18n';
import { ADMIN_ROLES, hasRoleAt, STAFF_ROLES } from '../../roles';
import { instantToWallTime, nextQuarterHour, wallTimeToInstant } from '../../time';
import { CheckboxField, Field } from '../../ui/Field';
import { FormError, fieldErrorsOf, Notice } from '../../ui/Notice';
import { Page } from '../../ui/Page';
import { LoadError, Loading } from '../../ui/states';
import { useUser } from '../auth/session';
import { useSites } from '../sites/queries';
import { SiteSelect } from '../sites/SiteSelect';
import { useUsers } from '../users/queries';
import { useCheckIn, useCreateVisit, visitKeys } from './queries';
import { visitListHref } from './VisitsPage';

const FIELDS = [
  'siteId',
  'visitor.name',
  'visitor.email',
  'visitor.company',
  'visitor.phone',
  'expectedArrival',
  'expectedDeparture',
  'hostUserId',
] as const;
const DEFAULT_LENGTH_MS = 4 * 3600_000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function VisitFormPage() {
  const { t } = useI18n();
  const sites = useSites();
  return (
    <Page title={t('visitForm.title')}>
      <p className="no-print">
        <Link href={visitListHref()} className="back-link">
          ← {t('visit.back')}
        </Link>
      </p>
      {sites.isPending ? (
        <Loading />
      ) : sites.isError ? (
        <LoadError title={t('visits.loadError')} error={sites.error} onRetry={() => sites.refetch()} />
      ) : sites.data.length === 0 ? (
        <Notice tone="warning">{t('visitForm.noSites')}</Notice>
      ) : (
        <VisitForm sites={sites.data} />
      )}
    </Page>
  );
}

function VisitForm({ sites }: { sites: Array<{ id: string; name: string; timezone: string }> }) {
  const { t } = useI18n();
  const user = useUser();
  const [, navigate] = useLocation();
  const [siteId, setSiteId] = useState(sites[0]!.id);
  const site = sites.find((s) => s.id === siteId) ?? sites[0]!;
  const [arrival, setArrival] = useState(() => instantToWallTime(nextQuarterHour(Date.now()), site.timezone));
  const [departure, setDeparture] = useState(() =>
    instantToWallTime(nextQuarterHour(Date.now()) + DEFAULT_LENGTH_MS, site.timezone),
  );
  const [walkIn, setWalkIn] = useState(false);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const queryClient = useQueryClient();
  const create = useCreateVisit();
  const checkIn = useCheckIn();
  const isStaff = hasRoleAt(user.roles, site.id, STAFF_ROLES);
  const canPickHost = hasRoleAt(user.roles, site.id, ADMIN_ROLES);
  const users = useUsers(canPickHost);
  const errors = fieldErrorsOf(create.error, localErrors);

  function onArrival(value: string) {
    setArrival(value);
    // Keep the visit's length when the arrival moves, so departure never ends up before arrival.
    const before = wallTimeToInstant(arrival, site.timezone).getTime();
    const after = wallTimeToInstant(value, site.timezone).getTime();
    const end = wallTimeToInstant(departure, site.timezone).getTime();
    if (Number.isFinite(before) && Number.isFinite(after) && Number.isFinite(end)) {
      setDeparture(instantToWallTime(end + (after - before), site.timezone));
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const now = Date.now();
    const arrivalAt = walkIn ? new Date(now) : wallTimeToInstant(arrival, site.timezone);
    const departureAt = wallTimeToInstant(departure, site.timezone);

    const problems: Record<string, string> = {};
    if (!text('name')) problems['visitor.name'] = t('errors.field.required');
    if (text('email') && !EMAIL.test(text('email'))) problems['visitor.email'] = t('errors.field.email');
    if (Number.isNaN(arrivalAt.getTime())) problems.expectedArrival = t('errors.field.required');
    if (Number.isNaN(departureAt.getTime())) problems.expectedDeparture = t('errors.field.required');
    else if (departureAt <= arrivalAt) problems.expectedDeparture = t('errors.field.departureAfterArrival');
    else if (departureAt.getTime() <= now) problems.expectedDeparture = t('errors.field.departurePast');
    setLocalErrors(problems);
    create.reset();
    if (Object.keys(problems).length > 0) {
      focusFirstProblem(formElement, problems);
      return;
    }

    const host = text('hostUserId');
    const body: CreateVisitRequest = {
      siteId: site.id,
      visitor: {
        name: text('name'),
        ...(text('email') ? { email: text('email') } : {}),
        ...(text('company') ? { company: text('company') } : {}),
        ...(text('phone') ? { phone: text('phone') } : {}),
      },
      expectedArrival: arrivalAt.toISOString(),
      expectedDeparture: departureAt.toISOString(),
      ...(host ? { hostUserId: host } : {}),
    };
    try {
      const visit = await create.mutateAsync(body);
      if (walkIn) {
        // The visit page should open on the checked-in visit, not the "expected" copy from the create answer.
        await checkIn.mutateAsync(visit.id).catch(() => undefined);
        queryClient.removeQueries({ queryKey: visitKeys.detail(visit.id) });
      }
      navigate(`/visits/${visit.id}?created=1`);
    } catch (error) {
      // create.error drives the messages; focus goes to the first field the server named.
      focusFirstProblem(formElement, fieldErrorsOf(error));
    }
  }

  return (
    <form className="card form" onSubmit={submit} noValidate data-testid="visit-form">
      <FormError error={create.error} fields={FIELDS} />
      <SiteSelect sites={sites} error={errors.siteId} testId="visit-site" value={siteId} onChange={setSiteId} />

      <fieldset>
        <legend>{t('visitForm.visitor')}</legend>
        <Field label={t('visitForm.name')} error={errors['visitor.name']}>
          {(a11y) => (
            <input {...a11y} name="name" autoComplete="off" required maxLength={200} data-testid="visit-name" />
          )}
        </Field>
        <div className="grid-2">
          <Field label={t('visitForm.email')} optional error={errors['visitor.email']}>
            {(a11y) => (
              <input {...a11y} name="email" type="email" autoComplete="off" maxLength={320} data-testid="visit-email" />
            )}
          </Field>
          <Field label={t('visitForm.company')} optional error={errors['visitor.company']}>
            {(a11y) => (
              <input {...a11y} name="company" autoComplete="off" maxLength={200} data-testid="visit-company" />
            )}
          </Field>
          <Field label={t('visitForm.phone')} optional error={errors['visitor.phone']}>
            {(a11y) => <input {...a11y} name="phone" type="tel" autoComplete="off" maxLength={50} />}
          </Field>
        </div>
      </fieldset>

      <fieldset>
        <legend>{t('visitForm.when')}</legend>
        {isStaff && <CheckboxField label={t('visitForm.walkIn')} checked={walkIn} onChange={setWalkIn} />}
        <div className="grid-2">
          {!walkIn && (
            <Field label={t('visitForm.arrival')} error={errors.expectedArrival}>
              {(a11y) => (
                <input
                  {...a11y}
                  name="expectedArrival"
                  type="datetime-local"
                  value={arrival}
                  onChange={(e) => onArrival(e.currentTarget.value)}
                  required
                  data-testid="visit-arrival"
                />
              )}
            </Field>
          )}
          <Field label={t('visitForm.departure')} error={errors.expectedDeparture}>
            {(a11y) => (
              <input
                {...a11y}
                name="expectedDeparture"
                type="datetime-local"
                value={departure}
                onChange={(e) => setDeparture(e.currentTarget.value)}
                required
                data-testid="visit-departure"
              />
            )}
          </Field>
        </div>
        <p className="hint">{t('visitForm.tzHint', { site: site.name, timezone: site.timezone })}</p>
      </fieldset>

      {canPickHost && users.data && (
        <Field label={t('visitForm.host')} error={errors.hostUserId}>
          {(a11y) => (
            <select {...a11y} name="hostUserId" defaultValue="" data-testid="visit-host">
              <option value="">{t('visitForm.hostMe', { name: user.name })}</option>
              {users.data
                .filter((u) => u.status === 'active' && u.id !== user.id)
                .map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name} ({u.email})
                  </option>
                ))}
            </select>
          )}
        </Field>
      )}

      <div className="form-actions">
        <button
          type="submit"
          className="btn btn-primary"
          disabled={create.isPending || checkIn.isPending}
          data-testid="visit-submit"
        >
          {create.isPending ? t('common.saving') : t('visitForm.submit')}
        </button>
      </div>
    </form>
  );
}

/** Moves focus to the first field with a message, so keyboard and screen-reader users land on the problem. */
function focusFirstProblem(form: HTMLFormElement, problems: Record<string, string>) {
  const names: Record<string, string> = {
    'visitor.name': 'name',
    'visitor.email': 'email',
    'visitor.company': 'company',
    'visitor.phone': 'phone',
  };
  for (const field of FIELDS) {
    if (!problems[field]) continue;
    const element = form.elements.namedItem(names[field] ?? field);
    if (element instanceof HTMLElement) {
      element.focus();
      return;
    }
  }
}
