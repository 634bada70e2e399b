import { Field } from '@atrium/web-kit';
import { type FormEvent, useId, useState } from 'react';
import { useI18n } from '../../i18n';
import { useInactivity } from '../../ui/hooks';
import { ScreenHeading } from '../../ui/ScreenHeading';
import type { WalkInFieldError, WalkInForm } from './submit-walk-in';

/** A walk-in form left alone this long is abandoned: clear it for the next visitor. */
const FORM_TIMEOUT_MS = 120_000;

interface WalkInScreenProps {
  onSubmit: (form: WalkInForm) => Promise<WalkInFieldError[]>;
  onCancel: () => void;
}

const EMPTY: WalkInForm = { name: '', email: '', company: '', hostName: '' };

export function WalkInScreen({ onSubmit, onCancel }: WalkInScreenProps) {
  const { t } = useI18n();
  const id = useId();
  const [form, setForm] = useState<WalkInForm>(EMPTY);
  const [errors, setErrors] = useState<WalkInFieldError[]>([]);
  const [busy, setBusy] = useState(false);
  useInactivity(FORM_TIMEOUT_MS, onCancel, !busy);

  const errorFor = (field: WalkInFieldError['field']) => {
    const error = errors.find((e) => e.field === field);
    if (!error) return null;
    return error.field === 'name' ? t('walkin.nameRequired') : t('walkin.emailInvalid');
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const fields = event.currentTarget.elements;
    setBusy(true);
    try {
      const problems = await onSubmit(form);
      setErrors(problems);
      const first = problems[0] && fields.namedItem(problems[0].field);
      if (first instanceof HTMLElement) first.focus();
    } finally {
      setBusy(false);
    }
  }

  const field = (
    name: keyof WalkInForm,
    label: string,
    options: { optional?: boolean; type?: string; autoComplete?: string },
  ) => {
    const error = name === 'name' || name === 'email' ? errorFor(name) : null;
    return (
      <Field label={label} error={error} optional={options.optional ? t('walkin.optional') : undefined}>
        {(a11y) => (
          <input
            {...a11y}
            name={name}
            type={options.type ?? 'text'}
            autoComplete={options.autoComplete ?? 'off'}
            value={form[name]}
            required={!options.optional}
            onChange={(event) => {
              setForm({ ...form, [name]: event.target.value });
              // A complaint about a field the visitor is fixing would contradict what they just typed.
              if (error) setErrors(errors.filter((e) => e.field !== name));
            }}
            data-testid={`walkin-${name}`}
          />
        )}
      </Field>
    );
  };

  return (
    <section className="screen walk-in" data-testid="walk-in" aria-labelledby={`${id}-title`}>
      <form className="walk-in-form" onSubmit={(event) => void submit(event)} noValidate>
        <ScreenHeading id={`${id}-title`}>{t('walkin.title')}</ScreenHeading>
        <p className="lead">{t('walkin.intro')}</p>
        <div className="fields">
          {field('name', t('walkin.name'), { autoComplete: 'name' })}
          {field('email', t('walkin.email'), { optional: true, type: 'email', autoComplete: 'email' })}
          {field('company', t('walkin.company'), { optional: true, autoComplete: 'organization' })}
          {field('hostName', t('walkin.host'), { optional: true })}
        </div>
        <p className="fine-print">{t('walkin.privacy')}</p>
        <div className="actions">
          <button type="button" className="btn btn-secondary" onClick={onCancel}>
            {t('walkin.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="walkin-submit">
            {t('walkin.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
