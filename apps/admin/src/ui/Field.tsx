import { Field as KitField } from '@atrium/web-kit';
import { type ComponentProps, type ReactNode, useId } from 'react';
import { useI18n } from '../i18n';

export type { FieldControlProps } from '@atrium/web-kit';

/** The shared field (label, control, hint, error) with this app's word for "optional". */
export function Field({
  optional,
  ...props
}: Omit<ComponentProps<typeof KitField>, 'optional'> & { optional?: boolean }) {
  const { t } = useI18n();
  return <KitField {...props} optional={optional ? t('common.optional') : undefined} />;
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
