import type { RoleGrantInput, RoleName, Site, User } from '@atrium/protocol';
import { type FormEvent, useState } from 'react';
import { useI18n } from '../../i18n';
import { grantableRoles } from '../../roles';
import { Field } from '../../ui/Field';
import { FormError, fieldErrorsOf } from '../../ui/Notice';
import { useUser } from '../auth/session';
import { type UserChange, useUpdateUser } from './queries';

const EDIT_FIELDS = ['name', 'email', 'roles'] as const;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const sameGrants = (a: readonly RoleGrantInput[], b: readonly RoleGrantInput[]) =>
  JSON.stringify(a.map((g) => `${g.role}:${g.siteId}`).sort()) ===
  JSON.stringify(b.map((g) => `${g.role}:${g.siteId}`).sort());

/** Name, email and roles of one user, edited in place under their row; only what changed is sent. */
export function EditUserForm({ user, sites, onDone }: { user: User; sites: Site[]; onDone: () => void }) {
  const { t } = useI18n();
  const me = useUser();
  const update = useUpdateUser();
  const roles = grantableRoles(me.roles);
  const [grants, setGrants] = useState<RoleGrantInput[]>(user.roles.map((g) => ({ ...g })));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const errors = fieldErrorsOf(update.error, localErrors);

  function setGrant(index: number, change: Partial<RoleGrantInput>) {
    setGrants((list) =>
      list.map((grant, i) => {
        if (i !== index) return grant;
        const next = { ...grant, ...change };
        // A tenant admin holds for the whole tenant; the other roles need a site.
        return { ...next, siteId: next.role === 'tenant_admin' ? null : (next.siteId ?? sites[0]?.id ?? null) };
      }),
    );
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get('name') ?? '').trim();
    const email = String(form.get('email') ?? '').trim();
    const problems: Record<string, string> = {};
    if (!name) problems.name = t('errors.field.required');
    if (!EMAIL.test(email)) problems.email = t('errors.field.email');
    if (grants.length === 0) problems.roles = t('users.rolesRequired');
    setLocalErrors(problems);
    if (Object.keys(problems).length > 0) return;
    const change: UserChange = {};
    if (name !== user.name) change.name = name;
    if (email.toLowerCase() !== user.email) change.email = email;
    if (!sameGrants(grants, user.roles)) change.roles = grants;
    if (Object.keys(change).length === 0) return onDone();
    update.mutate({ id: user.id, change }, { onSuccess: onDone });
  }

  return (
    <form
      className="form"
      onSubmit={submit}
      noValidate
      data-testid="user-edit-form"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onDone();
      }}
    >
      <FormError error={update.error} fields={EDIT_FIELDS} />
      <div className="grid-2">
        <Field label={t('common.name')} error={errors.name}>
          {(a11y) => (
            <input {...a11y} name="name" defaultValue={user.name} maxLength={200} data-testid="user-edit-name" />
          )}
        </Field>
        <Field label={t('common.email')} error={errors.email}>
          {(a11y) => (
            <input
              {...a11y}
              name="email"
              type="email"
              defaultValue={user.email}
              maxLength={320}
              data-testid="user-edit-email"
            />
          )}
        </Field>
      </div>
      <fieldset className="grants" data-testid="user-edit-roles">
        <legend>{t('users.col.roles')}</legend>
        {errors.roles && <p className="field-error">{errors.roles}</p>}
        {grants.map((grant, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: grants have no id and are edited in place.
          <div className="grid-3" key={index}>
            <Field label={t('users.role')}>
              {(a11y) => (
                <select
                  {...a11y}
                  value={grant.role}
                  onChange={(e) => setGrant(index, { role: e.currentTarget.value as RoleName })}
                  data-testid="user-edit-role"
                >
                  {roles.map((r) => (
                    <option key={r} value={r}>
                      {t(`role.${r}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {grant.role !== 'tenant_admin' ? (
              <Field label={t('common.site')}>
                {(a11y) => (
                  <select
                    {...a11y}
                    value={grant.siteId ?? ''}
                    onChange={(e) => setGrant(index, { siteId: e.currentTarget.value })}
                    data-testid="user-edit-site"
                  >
                    {sites.map((site) => (
                      <option key={site.id} value={site.id}>
                        {site.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            ) : (
              <div />
            )}
            <div className="form-actions">
              <button
                type="button"
                className="btn btn-secondary btn-small"
                onClick={() => setGrants((list) => list.filter((_, i) => i !== index))}
                disabled={grants.length === 1}
              >
                {t('users.removeRole')}
              </button>
            </div>
          </div>
        ))}
        <button
          type="button"
          className="btn btn-secondary btn-small"
          onClick={() => setGrants((list) => [...list, { role: 'member', siteId: sites[0]?.id ?? null }])}
          data-testid="user-edit-add-role"
        >
          {t('users.addRole')}
        </button>
      </fieldset>
      <div className="form-actions button-row">
        <button type="submit" className="btn btn-primary" disabled={update.isPending} data-testid="user-edit-save">
          {update.isPending ? t('common.saving') : t('common.save')}
        </button>
        <button type="button" className="btn btn-secondary" onClick={onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
