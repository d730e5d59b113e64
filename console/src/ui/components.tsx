/** The console's building blocks: states (loading, error, empty), form fields, dialogs, times. */

import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";
import { describeError, type FormErrors } from "../api/errors";
import type { Resource } from "./hooks";

export function Loading({ label }: { label: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}…
    </p>
  );
}

export function ErrorNotice({
  error,
  title = "Something went wrong",
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  return (
    <div class="notice notice--error" role="alert">
      <p class="notice__title">{title}</p>
      <p>{describeError(error)}</p>
      {onRetry && (
        <button type="button" class="button button--secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Notice({
  tone = "info",
  children,
}: {
  tone?: "info" | "success" | "warning" | "error";
  children: ComponentChildren;
}) {
  return (
    <div class={`notice notice--${tone}`} role={tone === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/** Shows what a resource holds, or that it is loading, or why it failed with a way to retry. */
export function Loaded<T>({
  resource,
  label,
  children,
}: {
  resource: Resource<T>;
  label: string;
  children: (data: T) => ComponentChildren;
}) {
  if (resource.status === "loading") return <Loading label={`Loading ${label}`} />;
  if (resource.status === "error") {
    return <ErrorNotice title={`Could not load ${label}`} error={resource.error} onRetry={resource.reload} />;
  }
  return <>{children(resource.data)}</>;
}

/**
 * A form whose errors come from the API: the summary is announced, and the first field with an error
 * takes the focus, so a keyboard user lands where the problem is. The API is the judge of every rule,
 * so the browser's own validation is off.
 */
export function Form({
  errors,
  onSubmit,
  busy,
  children,
  label,
}: {
  errors: FormErrors;
  onSubmit: () => void;
  busy: boolean;
  children: ComponentChildren;
  label?: string;
}) {
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!errors.summary && Object.keys(errors.fields).length === 0) return;
    const target =
      form.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      form.current?.querySelector<HTMLElement>(".form__summary");
    target?.focus();
  }, [errors]);
  return (
    <form
      ref={form}
      class="form"
      noValidate
      aria-label={label}
      aria-busy={busy}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {errors.summary && (
        <div class="notice notice--error form__summary" role="alert" tabIndex={-1}>
          {errors.summary}
        </div>
      )}
      {children}
    </form>
  );
}

interface InputProps {
  type?: "text" | "tel" | "password" | "url" | "email" | "search";
  required?: boolean;
  autoComplete?: string;
  spellcheck?: boolean;
  placeholder?: string;
}

interface FieldProps {
  label: string;
  name: string;
  value: string;
  onValue: (value: string) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
}

function FieldFrame({
  id,
  label,
  error,
  hint,
  required,
  children,
}: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: ComponentChildren;
  required?: boolean;
  children: ComponentChildren;
}) {
  return (
    <div class={`field${error ? " field--invalid" : ""}`}>
      <label for={id} class="field__label">
        {label}
        {!required && <span class="field__optional"> (optional)</span>}
      </label>
      {hint && (
        <p id={`${id}-hint`} class="field__hint">
          {hint}
        </p>
      )}
      {children}
      {error && (
        <p id={`${id}-error`} class="field__error">
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </div>
  );
}

function describedBy(id: string, error?: string, hint?: ComponentChildren): string | undefined {
  return [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
}

export function TextField({
  label,
  name,
  value,
  onValue,
  error,
  hint,
  required,
  type = "text",
  autoComplete,
  spellcheck,
  placeholder,
}: FieldProps & InputProps) {
  const id = `field-${name}-${useId()}`;
  return (
    <FieldFrame id={id} label={label} error={error} hint={hint} required={Boolean(required)}>
      <input
        // Preact's input types are a union keyed on one literal `type`; any of ours is a text input.
        type={type as "text"}
        autoComplete={autoComplete}
        spellcheck={spellcheck}
        placeholder={placeholder}
        id={id}
        name={name}
        value={value}
        required={required}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(id, error, hint)}
        onInput={(event) => onValue(event.currentTarget.value)}
      />
    </FieldFrame>
  );
}

export function TextArea({
  label,
  name,
  value,
  onValue,
  error,
  hint,
  required,
  rows = 3,
}: FieldProps & { required?: boolean; rows?: number }) {
  const id = `field-${name}-${useId()}`;
  return (
    <FieldFrame id={id} label={label} error={error} hint={hint} required={Boolean(required)}>
      <textarea
        id={id}
        name={name}
        value={value}
        rows={rows}
        required={required}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(id, error, hint)}
        onInput={(event) => onValue(event.currentTarget.value)}
      />
    </FieldFrame>
  );
}

export function RadioGroup<Value extends string>({
  legend,
  name,
  value,
  options,
  onValue,
  error,
}: {
  legend: string;
  name: string;
  value: Value;
  options: readonly { value: Value; label: string; hint?: string }[];
  onValue: (value: Value) => void;
  error?: string | undefined;
}) {
  const id = `field-${name}-${useId()}`;
  return (
    <fieldset
      class={`field field--choices${error ? " field--invalid" : ""}`}
      aria-describedby={error ? `${id}-error` : undefined}
    >
      <legend class="field__label">{legend}</legend>
      {options.map((option) => (
        <label class="choice" key={option.value}>
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={value === option.value}
            aria-invalid={error ? "true" : undefined}
            onChange={() => onValue(option.value)}
          />
          <span>
            {option.label}
            {option.hint && <span class="choice__hint">{option.hint}</span>}
          </span>
        </label>
      ))}
      {error && (
        <p id={`${id}-error`} class="field__error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

export function SubmitButton({
  busy,
  busyLabel,
  children,
  tone = "primary",
}: {
  busy: boolean;
  busyLabel: string;
  children: ComponentChildren;
  tone?: "primary" | "danger" | "secondary";
}) {
  return (
    <button type="submit" class={`button button--${tone}`} disabled={busy} aria-disabled={busy}>
      {busy ? `${busyLabel}…` : children}
    </button>
  );
}

/**
 * A modal question (the browser's own <dialog>: focus stays inside, Escape cancels). The safe answer
 * has the focus when it opens.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  tone = "primary",
  busy = false,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  tone?: "primary" | "danger";
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const titleId = `dialog-${useId()}`;
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      element.showModal();
      cancel.current?.focus();
    } else if (!open && element.open) {
      element.close();
    }
  }, [open]);
  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id={titleId} class="dialog__title">
        {title}
      </h2>
      <div class="dialog__body">{children}</div>
      <div class="dialog__actions">
        <button
          ref={cancel}
          type="button"
          class="button button--secondary"
          onClick={onCancel}
          disabled={busy}
        >
          Cancel
        </button>
        <button type="button" class={`button button--${tone}`} onClick={onConfirm} disabled={busy}>
          {busy ? "Working…" : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

const absoluteFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A moment as the user's locale writes it, to the minute. */
export function absoluteTime(date: Date): string {
  return absoluteFormat.format(date);
}

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

export function relativeTime(date: Date, now = Date.now()): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return Math.abs(seconds) < 10 ? "just now" : relativeFormat.format(seconds, "second");
}

/** A timestamp of the API: relative ("5 minutes ago"), the exact time on hover and for machines. */
export function Time({ iso, never = "never" }: { iso: string | null | undefined; never?: string }) {
  if (!iso) return <span class="muted">{never}</span>;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return <span>{iso}</span>;
  return (
    <time dateTime={iso} title={absoluteTime(date)}>
      {relativeTime(date)}
    </time>
  );
}

export function Badge({
  tone,
  children,
}: {
  tone: "good" | "bad" | "warn" | "neutral";
  children: ComponentChildren;
}) {
  return <span class={`badge badge--${tone}`}>{children}</span>;
}

export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="page-header">
      <h1 tabIndex={-1}>{title}</h1>
      {children && <div class="page-header__actions">{children}</div>}
    </div>
  );
}

export function LoadMore({
  hasMore,
  loadingMore,
  onLoadMore,
  error,
}: {
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  error: unknown;
}) {
  return (
    <>
      {error != null && <ErrorNotice title="Could not load more" error={error} onRetry={onLoadMore} />}
      {hasMore && (
        <p class="load-more">
          <button type="button" class="button button--secondary" onClick={onLoadMore} disabled={loadingMore}>
            {loadingMore ? "Loading more…" : "Load more"}
          </button>
        </p>
      )}
    </>
  );
}
