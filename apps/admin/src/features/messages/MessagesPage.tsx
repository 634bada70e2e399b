import { MESSAGE_STATES, type Message, type MessageState } from '@atrium/protocol';
import { Link, useSearchParams } from 'wouter';
import { useI18n } from '../../i18n';
import { Badge, type BadgeTone } from '../../ui/Badge';
import { FormError } from '../../ui/Notice';
import { Page } from '../../ui/Page';
import { Empty, LoadError, Loading } from '../../ui/states';
import { TableWrap } from '../../ui/TableWrap';
import { useMessages, useRetryMessage } from './queries';

const STATE_TONE: Record<MessageState, BadgeTone> = { queued: 'info', sent: 'success', failed: 'danger' };

/** Emails and chat posts about visits: queued, sent or failed (with the reason), and Retry for failed ones. */
export function MessagesPage() {
  const { t, dateTime } = useI18n();
  const [params, setParams] = useSearchParams();
  const wanted = params.get('state');
  const state = MESSAGE_STATES.find((s) => s === wanted);
  const list = useMessages(state);
  const retry = useRetryMessage();

  return (
    <Page title={t('messages.title')}>
      <div className="filters">
        <label className="filter">
          <span>{t('messages.col.state')}</span>
          <select
            value={state ?? ''}
            onChange={(e) =>
              setParams(e.currentTarget.value ? { state: e.currentTarget.value } : {}, { replace: true })
            }
            data-testid="messages-state"
          >
            <option value="">{t('messages.allStates')}</option>
            {MESSAGE_STATES.map((s) => (
              <option key={s} value={s}>
                {t(`messages.state.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {retry.error && <FormError error={retry.error} fields={[]} />}
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <LoadError title={t('messages.loadError')} error={list.error} onRetry={() => list.refetch()} />
      ) : list.data.length === 0 ? (
        <Empty>{t('messages.empty')}</Empty>
      ) : (
        <TableWrap label={t('messages.title')}>
          <table className="table" data-testid="messages-table">
            <thead>
              <tr>
                <th scope="col">{t('messages.col.kind')}</th>
                <th scope="col">{t('messages.col.state')}</th>
                <th scope="col">{t('messages.col.created')}</th>
                <th scope="col">{t('messages.col.attempts')}</th>
                <th scope="col">{t('messages.col.reason')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((message: Message) => (
                <tr key={message.id} data-testid="message-row">
                  <td>
                    <Link href={`/visits/${message.visitId}`} className="row-link">
                      {t(`messages.kind.${message.kind}`)}
                    </Link>
                  </td>
                  <td>
                    <Badge tone={STATE_TONE[message.state]}>{t(`messages.state.${message.state}`)}</Badge>
                  </td>
                  <td>{dateTime(message.sentAt ?? message.createdAt)}</td>
                  <td>{message.attempts}</td>
                  <td className="cell-wrap">{message.lastError ?? t('common.none')}</td>
                  <td className="cell-actions">
                    {message.state === 'failed' && (
                      <button
                        type="button"
                        className="btn btn-secondary btn-small"
                        disabled={retry.isPending && retry.variables === message.id}
                        onClick={() => retry.mutate(message.id)}
                        data-testid="message-retry"
                      >
                        {t('messages.retry')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </Page>
  );
}
