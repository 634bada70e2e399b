import type { Visit } from '@atrium/protocol';
import { useI18n } from '../../i18n';
import { FormError, Notice } from '../../ui/Notice';
import { useMe } from '../auth/queries';
import { useSendInvitation } from './queries';

/** Emails the visitor their invitation with the current QR code, or says that email is off on this server. */
export function InvitationButton({ visit }: { visit: Visit }) {
  const { t } = useI18n();
  const me = useMe();
  const send = useSendInvitation();
  if (!me.data) return null;
  if (!me.data.emailConfigured) return <p className="hint">{t('visit.emailOff')}</p>;
  if (!visit.visitor.email) return null;
  return (
    <>
      <button
        type="button"
        className="btn btn-secondary"
        disabled={send.isPending}
        onClick={() => send.mutate(visit.id)}
        data-testid="visit-send-invitation"
      >
        {t('visit.sendInvitation')}
      </button>
      {send.isSuccess && <Notice tone="success">{t('visit.invitationQueued', { email: visit.visitor.email })}</Notice>}
      {send.error && <FormError error={send.error} fields={[]} />}
    </>
  );
}
