import { type ReactNode, useId } from 'react';
import { useI18n } from '../i18n';

export interface FieldControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

/** A label, the control, an optional hint and the field's error, wired together for screen readers. */
export function Field({
  label,
  hint,
  error,
  optional,
  children,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  optional?: boolean;
  children: (control: FieldControlProps) => ReactNode;
}) {
  const { t } = useI18n();
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>
        {label}
        {optional && <span className="optional"> ({t('common.optional')})</span>}
      </label>
      {children({
        id,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(error ? { 'aria-invalid': true as const } : {}),
      })}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A checkbox with its label to the right. */
export function CheckboxField({
  label,
  name,
  defaultChecked,
  checked,
  onChange,
}: {
  label: ReactNode;
  name?: string;
  defaultChecked?: boolean;
  checked?: boolean;
  onChange?: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="field field-check">
      <input
        type="checkbox"
        id={id}
        name={name}
        {...(checked === undefined ? { defaultChecked } : { checked })}
        {...(onChange ? { onChange: (event) => onChange(event.currentTarget.checked) } : {})}
      />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}
