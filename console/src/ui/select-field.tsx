/** A labelled <select>, with a hint and the API's error tied to it like the other fields. */

import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";

export function SelectField<Value extends string>({
  label,
  name,
  value,
  options,
  onValue,
  error,
  hint,
  required = true,
}: {
  label: string;
  name: string;
  value: Value;
  options: readonly { value: Value; label: string }[];
  onValue: (value: Value) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
  required?: boolean;
}) {
  const id = `field-${name.replace(/[^\w-]/g, "-")}-${useId()}`;
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ");
  return (
    <div class={`field${error ? " field--invalid" : ""}`} data-field={name}>
      <label for={id} class="field__label">
        {label}
        {!required && <span class="field__optional"> (optional)</span>}
      </label>
      {hint && (
        <p id={`${id}-hint`} class="field__hint">
          {hint}
        </p>
      )}
      <select
        id={id}
        name={name}
        value={value}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy || undefined}
        onChange={(event) => onValue(event.currentTarget.value as Value)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {error && (
        <p id={`${id}-error`} class="field__error">
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </div>
  );
}
