import type { RetentionPreview } from '@atrium/protocol';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n';
import { Field } from '../../ui/Field';
import { FormError, fieldErrorsOf, Notice } from '../../ui/Notice';
import { Section } from '../../ui/Page';
import { useRetentionPreview, useUpdateRetention } from './queries';
import { readInt } from './read-int';

/**
 * The tenant's retention. Shortening it purges within the hour, so the form first says how many visits the next
 * purge would delete and saves only once that is confirmed.
 */
export function RetentionForm({ days }: { days: number }) {
  const { t } = useI18n();
  const update = useUpdateRetention();
  const preview = useRetentionPreview();
  const [localError, setLocalError] = useState<string | undefined>();
  const [pending, setPending] = useState<RetentionPreview | null>(null);
  const errors = fieldErrorsOf(update.error ?? preview.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = readInt(new FormData(event.currentTarget).get('retentionDays'), 1, 3650, t);
    if (typeof value === 'string') {
      setLocalError(value);
      return;
    }
    setLocalError(undefined);
    update.reset();
    if (value >= days) {
      update.mutate(value);
      return;
    }
    preview.mutate(value, { onSuccess: setPending });
  }

  return (
    <Section title={t('settings.tenant')} id="settings-tenant">
      <form className="form" onSubmit={submit} noValidate>
        {update.isSuccess && <Notice tone="success">{t('common.saved')}</Notice>}
        <FormError error={update.error ?? preview.error} fields={['retentionDays']} />
        <Field
          label={t('settings.retention')}
          hint={t('settings.retentionHint')}
          error={localError ?? errors.retentionDays}
        >
          {(a11y) => (
            <input
              {...a11y}
              name="retentionDays"
              type="number"
              min={1}
              max={3650}
              step={1}
              defaultValue={days}
              className="input-narrow"
              data-testid="settings-retention"
            />
          )}
        </Field>
        {pending ? (
          <ShortenQuestion
            preview={pending}
            onConfirm={() => {
              update.mutate(pending.retentionDays);
              setPending(null);
            }}
            onCancel={() => setPending(null)}
          />
        ) : (
          <div className="form-actions">
            <button
              type="submit"
              className="btn btn-primary"
              disabled={update.isPending || preview.isPending}
              data-testid="settings-retention-save"
            >
              {update.isPending ? t('common.saving') : t('common.save')}
            </button>
          </div>
        )}
      </form>
    </Section>
  );
}

function ShortenQuestion({
  preview,
  onConfirm,
  onCancel,
}: {
  preview: RetentionPreview;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const keepRef = useRef<HTMLButtonElement>(null);
  useEffect(() => keepRef.current?.focus(), []);
  return (
    <fieldset
      className="confirm"
      data-testid="retention-confirm"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          onCancel();
        }
      }}
    >
      <legend className="confirm-question">
        {t('settings.retentionShorten', { days: preview.retentionDays, visits: preview.visits })}
      </legend>
      <button type="button" className="btn btn-danger" onClick={onConfirm} data-testid="retention-confirm-yes">
        {t('settings.retentionShortenConfirm')}
      </button>
      <button ref={keepRef} type="button" className="btn btn-secondary" onClick={onCancel}>
        {t('common.keep')}
      </button>
    </fieldset>
  );
}
