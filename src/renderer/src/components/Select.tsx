import type { ReactNode } from 'react';

export interface SelectOption<V extends string | number> {
  value: V;
  label: string;
  disabled?: boolean;
}

/** A labelled native select (keyboard and screen-reader behaviour for free), typed by its value. */
export function Select<V extends string | number>(props: {
  label?: string;
  value: V | null;
  options: SelectOption<V>[];
  onChange: (v: V) => void;
  placeholder?: string;
  disabled?: boolean;
  id?: string;
  testId?: string;
  /** Accessible name when there is no visible label (e.g. in the top bar). */
  ariaLabel?: string;
}): ReactNode {
  const { label, value, options, onChange, placeholder } = props;
  const select = (
    <select
      id={props.id}
      data-testid={props.testId}
      aria-label={label ? undefined : props.ariaLabel}
      disabled={props.disabled}
      value={value == null ? '' : String(value)}
      onChange={(e) => {
        const opt = options.find((o) => String(o.value) === e.target.value);
        if (opt) onChange(opt.value);
      }}
    >
      {(value == null || placeholder) && (
        <option value="" disabled>
          {placeholder ?? 'choose…'}
        </option>
      )}
      {options.map((o) => (
        <option key={String(o.value)} value={String(o.value)} disabled={o.disabled}>
          {o.label}
        </option>
      ))}
    </select>
  );
  if (!label) return select;
  return (
    <label className="field">
      {label}
      {select}
    </label>
  );
}
