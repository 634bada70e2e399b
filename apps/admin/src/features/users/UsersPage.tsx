import type { RoleName, Site, User } from '@atrium/protocol';
import { ApiError } from '@atrium/web-kit';
import { type FormEvent, useState } from 'react';
import { useI18n } from '../../i18n';
import { ADMIN_ROLES, grantableRoles, isTenantAdmin, sitesWithRole } from '../../roles';
import { Badge } from '../../ui/Badge';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { Field } from '../../ui/Field';
import { FormError, fieldErrorsOf, Notice } from '../../ui/Notice';
import { Page, Section } from '../../ui/Page';
import { Empty, LoadError, Loading } from '../../ui/states';
import { TableWrap } from '../../ui/TableWrap';
import { useUser } from '../auth/session';
import { useSiteLookup, useSites } from '../sites/queries';
import { SiteSelect } from '../sites/SiteSelect';
import { EditUserForm } from './EditUserForm';
import { useCreateUser, useDeleteUser, useResetPassword, useUpdateUser, useUsers } from './queries';

const CREATE_FIELDS = ['name', 'email', 'password', 'role', 'roles', 'roles.0.role', 'roles.0.siteId'] as const;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function UsersPage() {
  const { t } = useI18n();
  const user = useUser();
  const sites = useSites();
  const adminSites = sitesWithRole(user.roles, sites.data ?? [], ADMIN_ROLES);
  return (
    <Page title={t('users.title')}>
      <Section title={t('users.create')} id="users-create">
        {sites.isPending ? <Loading /> : <CreateUserForm sites={adminSites} />}
      </Section>
      <Section title={t('users.list')} id="users-list">
        <UserList sites={adminSites} />
      </Section>
    </Page>
  );
}

function CreateUserForm({ sites }: { sites: Site[] }) {
  const { t } = useI18n();
  const me = useUser();
  const create = useCreateUser();
  const roles = grantableRoles(me.roles);
  // No default: a role implied by the form is a role nobody chose.
  const [role, setRole] = useState<RoleName | ''>('');
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const server = fieldErrorsOf(create.error);
  const errors: Record<string, string | undefined> = {
    ...server,
    ...(server['roles.0.siteId'] ? { siteId: server['roles.0.siteId'] } : {}),
    ...(server.roles ? { siteId: server.roles } : {}),
    ...localErrors,
  };

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const problems: Record<string, string> = {};
    if (!text('name')) problems.name = t('errors.field.required');
    if (!EMAIL.test(text('email'))) problems.email = t('errors.field.email');
    if (String(form.get('password') ?? '').length < 10) problems.password = t('errors.field.passwordLength');
    if (!role) problems.role = t('users.roleRequired');
    setLocalErrors(problems);
    create.reset();
    const first = Object.keys(problems)[0];
    if (first || !role) {
      (formElement.elements.namedItem(first ?? 'role') as HTMLElement | null)?.focus();
      return;
    }
    create.mutate(
      {
        name: text('name'),
        email: text('email'),
        password: String(form.get('password')),
        roles: [{ role, siteId: role === 'tenant_admin' ? null : text('siteId') }],
      },
      {
        onSuccess: () => {
          formElement.reset();
          setRole('');
        },
      },
    );
  }

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="user-form">
      {create.isSuccess && <Notice tone="success">{t('users.created', { name: create.data.name })}</Notice>}
      {isDisabledNamesake(create.error) ? (
        <Notice tone="error">
          <span data-testid="user-disabled-namesake">{t('users.disabledNamesake')}</span>
        </Notice>
      ) : (
        <FormError error={create.error} fields={CREATE_FIELDS} />
      )}
      <div className="grid-2">
        <Field label={t('common.name')} error={errors.name}>
          {(a11y) => <input {...a11y} name="name" autoComplete="off" maxLength={200} data-testid="user-name" />}
        </Field>
        <Field label={t('common.email')} error={errors.email}>
          {(a11y) => (
            <input {...a11y} name="email" type="email" autoComplete="off" maxLength={320} data-testid="user-email" />
          )}
        </Field>
      </div>
      <div className="grid-3">
        <Field label={t('users.password')} hint={t('users.passwordHint')} error={errors.password}>
          {(a11y) => (
            <input
              {...a11y}
              name="password"
              type="password"
              autoComplete="new-password"
              minLength={10}
              data-testid="user-password"
            />
          )}
        </Field>
        <Field label={t('users.role')} error={errors.role ?? errors['roles.0.role']}>
          {(a11y) => (
            <select
              {...a11y}
              name="role"
              value={role}
              onChange={(e) => setRole(e.currentTarget.value as RoleName)}
              data-testid="user-role"
            >
              <option value="" disabled>
                {t('users.chooseRole')}
              </option>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {role !== 'tenant_admin' && <SiteSelect sites={sites} error={errors.siteId} testId="user-site" />}
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={create.isPending} data-testid="user-submit">
          {create.isPending ? t('common.saving') : t('users.createSubmit')}
        </button>
      </div>
    </form>
  );
}

/** The server keeps a disabled account's email and says so (`details.status`), so the admin re-enables it. */
const isDisabledNamesake = (error: unknown) =>
  error instanceof ApiError && error.code === 'email_taken' && error.details?.status === 'disabled';

type Expanded = { id: string; kind: 'edit' | 'reset' } | null;

function UserList({ sites }: { sites: Site[] }) {
  const { t } = useI18n();
  const users = useUsers();
  const update = useUpdateUser();
  const remove = useDeleteUser();
  const [expanded, setExpanded] = useState<Expanded>(null);

  if (users.isPending) return <Loading />;
  if (users.isError)
    return <LoadError title={t('users.loadError')} error={users.error} onRetry={() => users.refetch()} />;
  if (users.data.length === 0) return <Empty>{t('users.empty')}</Empty>;
  return (
    <>
      {update.error && !expanded && <UpdateError error={update.error} />}
      {remove.error && <UpdateError error={remove.error} />}
      <TableWrap label={t('users.list')}>
        <table className="table" data-testid="users-table">
          <thead>
            <tr>
              <th scope="col">{t('common.name')}</th>
              <th scope="col">{t('users.col.roles')}</th>
              <th scope="col">{t('users.col.status')}</th>
              <th scope="col">{t('users.col.mfa')}</th>
              <th scope="col">{t('users.col.signIn')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.data.map((user) => (
              <UserRow
                key={user.id}
                user={user}
                expanded={expanded?.id === user.id ? expanded.kind : null}
                onExpand={(kind) => setExpanded(kind ? { id: user.id, kind } : null)}
                update={update}
                remove={remove}
                sites={sites}
              />
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}

function UserRow({
  user,
  expanded,
  onExpand,
  update,
  remove,
  sites,
}: {
  user: User;
  expanded: 'edit' | 'reset' | null;
  onExpand: (kind: 'edit' | 'reset' | null) => void;
  update: ReturnType<typeof useUpdateUser>;
  remove: ReturnType<typeof useDeleteUser>;
  sites: Site[];
}) {
  const { t } = useI18n();
  const me = useUser();
  const siteOf = useSiteLookup();
  const isMe = user.id === me.id;
  const busy =
    (update.isPending && update.variables?.id === user.id) || (remove.isPending && remove.variables === user.id);
  const resetting = expanded === 'reset';
  const canManage = !isMe && (isTenantAdmin(me.roles) || !isTenantAdmin(user.roles));
  const roleText = (grant: User['roles'][number]) =>
    grant.role === 'tenant_admin' || !grant.siteId
      ? t(`role.${grant.role}`)
      : t('users.roleAt', {
          role: t(`role.${grant.role}`),
          site: siteOf(grant.siteId)?.name ?? t('common.unknownSite'),
        });

  return (
    <>
      <tr data-testid="user-row" className={user.status === 'disabled' ? 'row-muted' : undefined}>
        <td>
          <strong>{user.name}</strong> {isMe && <span className="muted">({t('users.you')})</span>}
          <div className="muted small">{user.email}</div>
        </td>
        <td>
          <ul className="plain">
            {user.roles.map((grant) => (
              <li key={`${grant.role}-${grant.siteId}`}>{roleText(grant)}</li>
            ))}
          </ul>
        </td>
        <td>
          {user.status === 'active' ? (
            <Badge tone="success">{t('users.active')}</Badge>
          ) : (
            <Badge tone="danger">{t('users.disabled')}</Badge>
          )}
        </td>
        <td>{user.mfaEnabled ? t('users.mfaOn') : t('users.mfaOff')}</td>
        <td data-testid="user-sign-in">{t(`users.signIn.${user.signInMethod}`)}</td>
        <td className="cell-actions">
          {canManage && (
            <div className="button-row button-row-tight">
              <button
                type="button"
                className="btn btn-secondary btn-small"
                onClick={() => onExpand(expanded === 'edit' ? null : 'edit')}
                aria-expanded={expanded === 'edit'}
                data-testid="user-edit"
              >
                {t('users.edit')}
              </button>
              {/* Someone who signs in with single sign-on only has no password to reset. */}
              {user.signInMethod !== 'sso' && (
                <button
                  type="button"
                  className="btn btn-secondary btn-small"
                  onClick={() => onExpand(resetting ? null : 'reset')}
                  aria-expanded={resetting}
                  data-testid="user-reset"
                >
                  {t('users.resetPassword')}
                </button>
              )}
              {user.status === 'active' ? (
                <ConfirmButton
                  label={t('users.disable')}
                  question={t('users.disableQuestion', { name: user.name })}
                  confirmLabel={t('users.disableConfirm')}
                  onConfirm={() => update.mutate({ id: user.id, change: { status: 'disabled' } })}
                  busy={busy}
                  className="btn btn-danger btn-small"
                  testId="user-disable"
                />
              ) : (
                <button
                  type="button"
                  className="btn btn-secondary btn-small"
                  disabled={busy}
                  onClick={() => update.mutate({ id: user.id, change: { status: 'active' } })}
                  data-testid="user-enable"
                >
                  {t('users.enable')}
                </button>
              )}
              <ConfirmButton
                label={t('users.delete')}
                question={t('users.deleteQuestion', { name: user.name })}
                confirmLabel={t('users.deleteConfirm')}
                onConfirm={() => remove.mutate(user.id)}
                busy={busy}
                className="btn btn-danger btn-small"
                testId="user-delete"
              />
            </div>
          )}
        </td>
      </tr>
      {resetting && (
        <tr className="row-expanded">
          <td colSpan={6}>
            <ResetPasswordForm user={user} onDone={() => onExpand(null)} />
          </td>
        </tr>
      )}
      {expanded === 'edit' && (
        <tr className="row-expanded">
          <td colSpan={6}>
            <EditUserForm user={user} sites={sites} onDone={() => onExpand(null)} />
          </td>
        </tr>
      )}
    </>
  );
}

function ResetPasswordForm({ user, onDone }: { user: User; onDone: () => void }) {
  const { t } = useI18n();
  const reset = useResetPassword();

  if (reset.isSuccess) {
    // Shown once: the server keeps only a hash, and the user must replace it at the next sign-in.
    return (
      <Notice tone="success" action={<CloseButton onClick={onDone} />}>
        <p>{t('users.resetDone', { name: user.name })}</p>
        <p>
          {t('users.temporaryPassword')}:{' '}
          <code className="secret" data-testid="user-temporary-password">
            {reset.data.temporaryPassword}
          </code>
        </p>
      </Notice>
    );
  }
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape closes the question like its Close button.
    <div
      className="inline-form"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onDone();
      }}
    >
      <p>{t('users.resetQuestion', { name: user.name })}</p>
      <div className="button-row">
        <button
          type="button"
          className="btn btn-primary"
          disabled={reset.isPending}
          onClick={() => reset.mutate(user.id)}
          data-testid="user-reset-confirm"
        >
          {t('users.resetSubmit')}
        </button>
        <CloseButton onClick={onDone} />
      </div>
      {reset.error && <UpdateError error={reset.error} />}
    </div>
  );
}

function CloseButton({ onClick }: { onClick: () => void }) {
  const { t } = useI18n();
  return (
    <button type="button" className="btn btn-secondary" onClick={onClick}>
      {t('common.close')}
    </button>
  );
}

function UpdateError({ error }: { error: unknown }) {
  const { errorMessage } = useI18n();
  return <Notice tone="error">{errorMessage(error)}</Notice>;
}
