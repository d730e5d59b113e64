/**
 * A text field that shows WhatsApp's limits as the user types: a character count against the limit, and
 * the rules the value breaks right now (checked in the browser, for instant feedback). The API's own
 * error after a submit shows below them, as on every other field, and is what `aria-invalid` reflects.
 */

import type { ComponentChildren, RefObject } from "preact";
import { useId } from "preact/hooks";

export function LimitedField({
  label,
  name,
  value,
  onValue,
  limit,
  min,
  problems = [],
  error,
  hint,
  required,
  multiline = false,
  rows = 3,
  type = "text",
  placeholder,
  inputRef,
  list,
  spellcheck,
  autoComplete = "off",
}: {
  label: string;
  name: string;
  value: string;
  onValue: (value: string) => void;
  /** The most characters WhatsApp takes; a count shows against it. */
  limit?: number;
  /** The fewest characters WhatsApp takes (shown in the count's wording). */
  min?: number;
  /** The rules the value breaks now, as sentences. */
  problems?: readonly string[];
  error?: string | undefined;
  hint?: ComponentChildren;
  required?: boolean;
  multiline?: boolean;
  rows?: number;
  type?: "text" | "url" | "email" | "tel";
  placeholder?: string;
  inputRef?: RefObject<HTMLInputElement | HTMLTextAreaElement | null>;
  list?: string;
  spellcheck?: boolean;
  autoComplete?: string;
}) {
  const id = `field-${name.replace(/[^\w-]/g, "-")}-${useId()}`;
  // A rule the API's error already states is said once.
  const rules = error ? problems.filter((problem) => !error.includes(problem)) : problems;
  const count = Array.from(value).length;
  const over = limit !== undefined && count > limit;
  const describedBy = [
    error ? `${id}-error` : null,
    rules.length > 0 ? `${id}-rules` : null,
    hint ? `${id}-hint` : null,
    limit !== undefined ? `${id}-count` : null,
  ]
    .filter(Boolean)
    .join(" ");
  const common = {
    id,
    name,
    value,
    placeholder,
    spellcheck,
    autoComplete,
    "aria-invalid": error ? ("true" as const) : undefined,
    "aria-describedby": describedBy || undefined,
    onInput: (event: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) =>
      onValue(event.currentTarget.value),
  };
  return (
    <div
      class={`field limited${error ? " field--invalid" : ""}${rules.length > 0 ? " field--rules" : ""}`}
      data-field={name}
    >
      <label for={id} class="field__label">
        {label}
        {!required && <span class="field__optional"> (optional)</span>}
      </label>
      {hint && (
        <p id={`${id}-hint`} class="field__hint">
          {hint}
        </p>
      )}
      {multiline ? (
        <textarea {...common} rows={rows} ref={inputRef as RefObject<HTMLTextAreaElement> | undefined} />
      ) : (
        <input
          {...common}
          // Preact's input types are a union keyed on one literal `type`; any of ours is a text input.
          type={type as "text"}
          list={list as string}
          ref={inputRef as RefObject<HTMLInputElement> | undefined}
        />
      )}
      {limit !== undefined && (
        <p id={`${id}-count`} class={`counter${over ? " counter--over" : ""}`}>
          {count} / {limit}
          <span class="visually-hidden">
            {" "}
            characters{min !== undefined ? `, ${min} to ${limit} allowed` : `, at most ${limit}`}
          </span>
        </p>
      )}
      {rules.length > 0 && (
        <ul id={`${id}-rules`} class="field__rules">
          {rules.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
      {error && (
        <p id={`${id}-error`} class="field__error">
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </div>
  );
}
