/**
 * The composer: text and files inside the customer service window, a template outside it (or whenever
 * the agent prefers). Every submission carries an `Idempotency-Key` that stays the same while the draft
 * does, so a double click or a retry after a lost answer never sends twice; an edited draft gets a new
 * one. Files go to the media bucket first (POST …/media/uploads, then PUT to the signed URL) and are
 * sent by their upload id.
 */

import { useEffect, useId, useMemo, useRef, useState } from "preact/hooks";
import type { Contact } from "../../api/contacts";
import { ApiError, describeError, type FormErrors, formErrors, NO_FORM_ERRORS } from "../../api/errors";
import type { Message, SendMessage, Template, TemplateParameters, TemplatePreview } from "../../api/inbox";
import { useConsole } from "../../context";
import { Notice } from "../../ui/components";
import { useResource } from "../../ui/hooks";
import { fileSize, newIdempotencyKey, type WindowState } from "./format";
import { snippet } from "./MessageView";

export interface ComposerProps {
  channelId: string;
  contact: Contact;
  window: WindowState;
  replyTo: Message | null;
  onCancelReply: () => void;
  /** A message was accepted: show it now; polling brings its ticks. */
  onSent: (message: Message) => void;
  /** The API says the window has closed: look again. */
  onWindowClosed: () => void;
}

export function Composer(props: ComposerProps) {
  const [mode, setMode] = useState<"message" | "template">(props.window.open ? "message" : "template");
  useEffect(() => {
    if (!props.window.open) setMode("template");
  }, [props.window.open]);
  const tabsId = useId();

  return (
    <section class="composer" aria-label="Reply">
      {props.window.open ? (
        <div class="composer__modes" role="group" aria-label="What to send">
          <button
            type="button"
            class={`mode${mode === "message" ? " mode--current" : ""}`}
            aria-pressed={mode === "message"}
            aria-controls={tabsId}
            onClick={() => setMode("message")}
          >
            Message
          </button>
          <button
            type="button"
            class={`mode${mode === "template" ? " mode--current" : ""}`}
            aria-pressed={mode === "template"}
            aria-controls={tabsId}
            onClick={() => setMode("template")}
          >
            Template
          </button>
        </div>
      ) : (
        <Notice tone="warning">
          <p class="notice__title">The 24-hour window is closed</p>
          <p>
            {props.window.expiresAt
              ? `The customer last wrote more than a day ago (the window ${props.window.label}). `
              : "The customer has not written on this channel yet. "}
            WhatsApp only delivers an approved template until they write again.
          </p>
        </Notice>
      )}
      <div id={tabsId}>
        {mode === "message" && props.window.open ? <MessageForm {...props} /> : <TemplateForm {...props} />}
      </div>
    </section>
  );
}

/** The same key while the same body is submitted again; a new one for a new body. */
function useIdempotencyKeys() {
  const last = useRef<{ body: string; key: string } | null>(null);
  return {
    keyFor(body: unknown): string {
      const text = JSON.stringify(body);
      if (last.current?.body !== text) last.current = { body: text, key: newIdempotencyKey() };
      return last.current.key;
    },
    done() {
      last.current = null;
    },
  };
}

function sendKind(mimeType: string): SendMessage["type"] {
  if (mimeType === "image/webp") return "sticker";
  if (mimeType.startsWith("image/")) return "image";
  if (mimeType.startsWith("video/")) return "video";
  if (mimeType.startsWith("audio/")) return "audio";
  return "document";
}

const CAPTIONED = new Set(["image", "video", "document"]);

function MessageForm({ channelId, contact, replyTo, onCancelReply, onSent, onWindowClosed }: ComposerProps) {
  const { api } = useConsole();
  const [text, setText] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [stage, setStage] = useState<string | null>(null);
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const keys = useIdempotencyKeys();
  const uploads = useRef(new WeakMap<File, string>());
  const fileInput = useRef<HTMLInputElement>(null);
  const textArea = useRef<HTMLTextAreaElement>(null);
  const busyRef = useRef(false);
  const id = useId();

  useEffect(() => {
    if (replyTo) textArea.current?.focus();
  }, [replyTo]);

  const upload = async (chosen: File): Promise<string> => {
    const known = uploads.current.get(chosen);
    if (known) return known;
    setStage(`Uploading ${chosen.name}`);
    const mimeType = chosen.type || "application/octet-stream";
    const slot = await api.inbox.createUpload(channelId, {
      filename: chosen.name,
      mime_type: mimeType,
      file_size: chosen.size,
    });
    let response: Response;
    try {
      response = await fetch(slot.upload_url, {
        method: "PUT",
        body: chosen,
        headers: { "Content-Type": mimeType },
      });
    } catch (cause) {
      throw new Error(`The file could not be uploaded to the media bucket (${String(cause)}).`);
    }
    if (!response.ok) {
      throw new Error(`The media bucket refused the file: HTTP ${response.status}. Try again.`);
    }
    uploads.current.set(chosen, slot.upload_id);
    return slot.upload_id;
  };

  const submit = async () => {
    if (busyRef.current) return;
    const body = text.trim() ? text : "";
    if (!body && !file) {
      setErrors({ summary: null, fields: { text: "Write a message or attach a file." } });
      return;
    }
    busyRef.current = true;
    setBusy(true);
    setErrors(NO_FORM_ERRORS);
    const replyId = replyTo?.id;
    try {
      if (file) {
        const uploadId = await upload(file);
        const kind = sendKind(file.type);
        const withCaption = CAPTIONED.has(kind) && body !== "";
        const request: SendMessage = {
          to: contact.id,
          type: kind,
          media: {
            upload_id: uploadId,
            ...(withCaption ? { caption: body } : {}),
            ...(kind === "document" ? { filename: file.name } : {}),
          },
          ...(replyId ? { reply_to: replyId } : {}),
        };
        setStage(`Sending ${file.name}`);
        const sent = await api.inbox.send(channelId, request, keys.keyFor(request));
        keys.done();
        onSent(sent);
        setFile(null);
        if (fileInput.current) fileInput.current.value = "";
        if (body && !withCaption) {
          // Audio and stickers take no caption: the text follows as a message of its own.
          const textRequest: SendMessage = { to: contact.id, type: "text", text: body };
          onSent(await api.inbox.send(channelId, textRequest, keys.keyFor(textRequest)));
          keys.done();
        }
      } else {
        const request: SendMessage = {
          to: contact.id,
          type: "text",
          text: body,
          ...(replyId ? { reply_to: replyId } : {}),
        };
        setStage("Sending");
        const sent = await api.inbox.send(channelId, request, keys.keyFor(request));
        keys.done();
        onSent(sent);
      }
      setText("");
      onCancelReply();
      textArea.current?.focus();
    } catch (error) {
      const placed = formErrors(error, ["text", "media", "file", "reply_to"], {
        payload_too_large: "file",
      });
      // The upload's own rules (type, size, name) concern the file.
      if (
        error instanceof ApiError &&
        error.fieldProblems.some((p) => /^(mime_type|file_size|filename)/.test(p.field))
      ) {
        placed.fields.file = error.fieldProblems.map((p) => p.message).join(" ");
        placed.summary = error.message;
      }
      if (placed.fields.media && !placed.fields.file) placed.fields.file = placed.fields.media;
      setErrors(placed);
      if (error instanceof ApiError && error.code === "outside_customer_service_window") onWindowClosed();
    } finally {
      busyRef.current = false;
      setBusy(false);
      setStage(null);
    }
  };

  const kind = file ? sendKind(file.type) : null;
  return (
    <form
      class="composer__form"
      noValidate
      aria-label="Send a message"
      aria-busy={busy}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      {errors.summary && (
        <div class="notice notice--error" role="alert">
          {errors.summary}
        </div>
      )}
      {replyTo && (
        <div class="composer__reply">
          <span>
            Replying to <q>{snippet(replyTo).slice(0, 100)}</q>
          </span>
          <button type="button" class="button button--secondary button--small" onClick={onCancelReply}>
            Cancel reply
          </button>
        </div>
      )}
      <div class={`field${errors.fields.text ? " field--invalid" : ""}`}>
        <label for={`${id}-text`} class="field__label">
          {file && kind && CAPTIONED.has(kind) ? "Caption" : "Message"}
        </label>
        <p id={`${id}-hint`} class="field__hint">
          Enter sends, Shift+Enter starts a new line.
        </p>
        <textarea
          ref={textArea}
          id={`${id}-text`}
          name="text"
          rows={3}
          value={text}
          aria-invalid={errors.fields.text ? "true" : undefined}
          aria-describedby={[errors.fields.text ? `${id}-text-error` : null, `${id}-hint`]
            .filter(Boolean)
            .join(" ")}
          onInput={(event) => setText(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (
              event.key === "Enter" &&
              !event.shiftKey &&
              !event.ctrlKey &&
              !event.altKey &&
              !event.isComposing
            ) {
              event.preventDefault();
              void submit();
            }
          }}
        />
        {errors.fields.text && (
          <p id={`${id}-text-error`} class="field__error">
            <span aria-hidden="true">⚠ </span>
            {errors.fields.text}
          </p>
        )}
      </div>
      <div class={`field${errors.fields.file ? " field--invalid" : ""}`}>
        {file ? (
          <p class="composer__file">
            <span>
              <span aria-hidden="true">📎 </span>
              {file.name}{" "}
              <span class="muted">({[file.type || "unknown type", fileSize(file.size)].join(", ")})</span>
            </span>
            <button
              type="button"
              class="button button--secondary button--small"
              onClick={() => {
                setFile(null);
                if (fileInput.current) fileInput.current.value = "";
                setErrors(NO_FORM_ERRORS);
              }}
            >
              Remove the file
            </button>
          </p>
        ) : null}
        {errors.fields.file && (
          <p id={`${id}-file-error`} class="field__error">
            <span aria-hidden="true">⚠ </span>
            {errors.fields.file}
          </p>
        )}
      </div>
      <div class="composer__actions">
        <span class="file-picker">
          <input
            ref={fileInput}
            id={`${id}-file`}
            type="file"
            name="file"
            class="file-picker__input"
            aria-invalid={errors.fields.file ? "true" : undefined}
            aria-describedby={errors.fields.file ? `${id}-file-error` : undefined}
            onChange={(event) => {
              setFile(event.currentTarget.files?.[0] ?? null);
              setErrors(NO_FORM_ERRORS);
            }}
          />
          <label for={`${id}-file`} class="button button--secondary">
            {file ? "Another file" : "Attach a file"}
          </label>
        </span>
        <button type="submit" class="button button--primary" disabled={busy}>
          {busy ? `${stage ?? "Sending"}…` : "Send"}
        </button>
      </div>
    </form>
  );
}

// ---------------------------------------------------------------- templates

type Component = Record<string, unknown>;

interface Values {
  header: string[];
  body: string[];
  buttons: string[][];
}

interface ParameterField {
  /** The API's name for it: parameters.body.0 */
  name: string;
  label: string;
  placeholder: string;
  example: string | null;
  value: string;
  set: (values: Values, value: string) => Values;
}

function componentOf(template: Template, type: string): Component | undefined {
  return template.components.find((component) => String(component.type).toUpperCase() === type);
}

function examples(template: Template): { header: string[]; body: string[]; buttons: string[][] } {
  const header = componentOf(template, "HEADER");
  const body = componentOf(template, "BODY");
  const buttons = componentOf(template, "BUTTONS");
  const headerExample = (header?.example as { header_text?: unknown } | undefined)?.header_text;
  const bodyExample = (body?.example as { body_text?: unknown } | undefined)?.body_text;
  const asStrings = (value: unknown): string[] =>
    Array.isArray(value) ? value.map((item) => String(item)) : [];
  return {
    header: asStrings(headerExample),
    body: Array.isArray(bodyExample) ? asStrings(bodyExample[0]) : [],
    buttons: (Array.isArray(buttons?.buttons) ? (buttons.buttons as Component[]) : []).map((button) =>
      asStrings(button.example),
    ),
  };
}

/** The values a send starts with: the workspace's saved defaults; where there are none, the first
 * value of the body greets the contact by a dynamic variable the API fills in, with a fallback for a
 * contact without any name, so that the prefill always resolves. */
export function prefilledValues(template: Template, contact: Contact): Values {
  const counts = template.parameter_count;
  const defaults = template.parameter_defaults;
  const greeting = contact.first_name?.trim() ? "{{contact.first_name}}" : "{{contact.name|there}}";
  const body = Array.from({ length: counts.body ?? 0 }, (_, index) => defaults.body?.[index] ?? "");
  if (body.length > 0 && !(defaults.body?.length ?? 0)) body[0] = greeting;
  return {
    header: Array.from({ length: counts.header ?? 0 }, (_, index) => defaults.header?.[index] ?? ""),
    body,
    buttons: (counts.buttons ?? []).map((count, button) =>
      Array.from({ length: count }, (_, index) => defaults.buttons?.[button]?.[index] ?? ""),
    ),
  };
}

function fieldsOf(template: Template, values: Values): ParameterField[] {
  const sample = examples(template);
  const header = componentOf(template, "HEADER");
  const headerFormat = String(header?.format ?? "TEXT").toUpperCase();
  const buttonComponents = componentOf(template, "BUTTONS");
  const buttons = Array.isArray(buttonComponents?.buttons) ? (buttonComponents.buttons as Component[]) : [];
  const fields: ParameterField[] = [];
  values.header.forEach((value, index) => {
    fields.push({
      name: `parameters.header.${index}`,
      label:
        headerFormat === "TEXT"
          ? `Header {{${index + 1}}}`
          : `Header ${headerFormat.toLowerCase()} (https link)`,
      placeholder: `{{${index + 1}}}`,
      example: sample.header[index] ?? null,
      value,
      set: (current, next) => ({
        ...current,
        header: current.header.map((v, i) => (i === index ? next : v)),
      }),
    });
  });
  values.body.forEach((value, index) => {
    fields.push({
      name: `parameters.body.${index}`,
      label: `Body {{${index + 1}}}`,
      placeholder: `{{${index + 1}}}`,
      example: sample.body[index] ?? null,
      value,
      set: (current, next) => ({ ...current, body: current.body.map((v, i) => (i === index ? next : v)) }),
    });
  });
  values.buttons.forEach((buttonValues, button) => {
    buttonValues.forEach((value, index) => {
      fields.push({
        name: `parameters.buttons.${button}.${index}`,
        label: `Button “${String(buttons[button]?.text ?? button + 1)}” {{${index + 1}}}`,
        placeholder: `{{${index + 1}}}`,
        example: sample.buttons[button]?.[index] ?? null,
        value,
        set: (current, next) => ({
          ...current,
          buttons: current.buttons.map((values, b) =>
            b === button ? values.map((v, i) => (i === index ? next : v)) : values,
          ),
        }),
      });
    });
  });
  return fields;
}

/** For the preview, an empty value stays visible as its placeholder instead of the template's sample. */
function previewParameters(values: Values): TemplateParameters {
  const shown = (list: string[]) => list.map((value, index) => (value.trim() ? value : `{{${index + 1}}}`));
  return { header: shown(values.header), body: shown(values.body), buttons: values.buttons.map(shown) };
}

const TEMPLATE_ERROR_FIELDS = {
  template_not_found: "template",
  template_not_approved: "template",
  template_not_enabled: "template",
} as const;

function TemplateForm({ channelId, contact, onSent }: ComposerProps) {
  const { api } = useConsole();
  const [syncVersion, setSyncVersion] = useState(0);
  const templates = useResource(
    (signal) => api.inbox.sendableTemplates(channelId, signal),
    [channelId, syncVersion],
  );
  const [syncing, setSyncing] = useState(false);
  const [syncError, setSyncError] = useState<unknown>(null);
  const [selected, setSelected] = useState("");
  const [values, setValues] = useState<Values>({ header: [], body: [], buttons: [] });
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<{ data: TemplatePreview | null; error: unknown; loading: boolean }>({
    data: null,
    error: null,
    loading: false,
  });
  const keys = useIdempotencyKeys();
  const busyRef = useRef(false);
  const form = useRef<HTMLFormElement>(null);
  // Set by a refused send: once its errors are shown, the first value in error takes the focus.
  const focusFirstError = useRef(false);
  const id = useId();

  const offered = templates.status === "ready" ? templates.data : null;
  const available = offered?.items ?? [];
  const template = available.find((item) => `${item.name}|${item.language}` === selected) ?? null;

  // The first template is chosen as soon as the list is there, and again whenever a new list (after a
  // sync) no longer offers the chosen one.
  useEffect(() => {
    if (!template && available.length > 0) choose(`${available[0]!.name}|${available[0]!.language}`);
  }, [offered]);

  useEffect(() => {
    if (!focusFirstError.current) return;
    focusFirstError.current = false;
    (
      form.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      form.current?.querySelector<HTMLElement>(".form__summary")
    )?.focus();
  }, [errors]);

  const refuse = (refusal: FormErrors) => {
    focusFirstError.current = true;
    setErrors(refusal);
  };

  const choose = (key: string) => {
    setSelected(key);
    setErrors(NO_FORM_ERRORS);
    const next = available.find((item) => `${item.name}|${item.language}` === key);
    setValues(next ? prefilledValues(next, contact) : { header: [], body: [], buttons: [] });
  };

  const fields = useMemo(() => (template ? fieldsOf(template, values) : []), [template, values]);
  const variables = useMemo(
    () => [
      "{{contact.first_name}}",
      "{{contact.last_name}}",
      "{{contact.name}}",
      "{{contact.profile_name}}",
      "{{contact.phone_number}}",
      "{{contact.email}}",
      ...Object.keys(contact.attributes).map((key) => `{{contact.attributes.${key}}}`),
      "{{channel.name}}",
    ],
    [contact],
  );

  // The live preview: the API renders the template with these values, variables filled from the contact.
  useEffect(() => {
    if (!template) {
      setPreview({ data: null, error: null, loading: false });
      return;
    }
    const controller = new AbortController();
    setPreview((previous) => ({ ...previous, loading: true }));
    const timer = window.setTimeout(() => {
      api.inbox
        .previewTemplate(
          channelId,
          {
            name: template.name,
            language: template.language,
            contact_id: contact.id,
            parameters: previewParameters(values),
          },
          controller.signal,
        )
        .then(
          (data) => {
            if (!controller.signal.aborted) setPreview({ data, error: null, loading: false });
          },
          (error: unknown) => {
            if (!controller.signal.aborted)
              setPreview((previous) => ({ ...previous, error, loading: false }));
          },
        );
    }, 250);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [template, values, contact.id, channelId]);

  const previewFieldErrors =
    preview.error instanceof ApiError
      ? formErrors(
          preview.error,
          fields.map((field) => field.name),
        ).fields
      : {};

  const sync = async () => {
    setSyncing(true);
    setSyncError(null);
    try {
      await api.channels.syncTemplates(channelId);
      setSyncVersion((n) => n + 1);
    } catch (error) {
      setSyncError(error);
    } finally {
      setSyncing(false);
    }
  };

  const submit = async () => {
    if (busyRef.current) return;
    if (!template) {
      refuse({ summary: null, fields: { template: "Choose the template to send." } });
      return;
    }
    const missing: Record<string, string> = {};
    for (const field of fields) {
      if (!field.value.trim()) {
        missing[field.name] = `Fill this in: WhatsApp would show ${field.placeholder} to the customer.`;
      }
    }
    if (Object.keys(missing).length > 0) {
      refuse({ summary: "Every value of the template needs filling in.", fields: missing });
      return;
    }
    busyRef.current = true;
    setBusy(true);
    setErrors(NO_FORM_ERRORS);
    const request: SendMessage = {
      to: contact.id,
      type: "template",
      template: {
        name: template.name,
        language: template.language,
        parameters: { header: values.header, body: values.body, buttons: values.buttons },
      },
    };
    try {
      const sent = await api.inbox.send(channelId, request, keys.keyFor(request));
      keys.done();
      onSent(sent);
      setValues(prefilledValues(template, contact));
    } catch (error) {
      refuse(formErrors(error, ["template", ...fields.map((field) => field.name)], TEMPLATE_ERROR_FIELDS));
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  };

  if (templates.status === "loading") {
    return (
      <p class="loading" role="status">
        <span class="spinner" aria-hidden="true" />
        Loading the templates…
      </p>
    );
  }
  if (templates.status === "error") {
    return (
      <div class="notice notice--error" role="alert">
        <p class="notice__title">Could not load the templates</p>
        <p>{describeError(templates.error)}</p>
        <button type="button" class="button button--secondary" onClick={templates.reload}>
          Try again
        </button>
      </div>
    );
  }

  const syncButton = (
    <button type="button" class="button button--secondary" onClick={() => void sync()} disabled={syncing}>
      {syncing ? "Syncing…" : "Sync templates from 360dialog"}
    </button>
  );

  if (available.length === 0) {
    return (
      <div class="empty">
        <p>
          No template can be sent on this channel: none is both approved by WhatsApp and enabled for agents.
          Templates made in the 360dialog hub appear after a sync.
        </p>
        {syncError != null && <Notice tone="error">{describeError(syncError)}</Notice>}
        {syncButton}
      </div>
    );
  }

  return (
    <form
      ref={form}
      class="composer__form template-form"
      noValidate
      aria-label="Send a template"
      aria-busy={busy}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      {errors.summary && (
        <div class="notice notice--error form__summary" role="alert" tabIndex={-1}>
          {errors.summary}
        </div>
      )}
      <div class="template-form__columns">
        <div class="template-form__fields">
          <div class={`field${errors.fields.template ? " field--invalid" : ""}`}>
            <label for={`${id}-template`} class="field__label">
              Template
            </label>
            <select
              id={`${id}-template`}
              name="template"
              value={selected}
              aria-invalid={errors.fields.template ? "true" : undefined}
              aria-describedby={errors.fields.template ? `${id}-template-error` : undefined}
              onChange={(event) => choose(event.currentTarget.value)}
            >
              {available.map((item) => (
                <option key={`${item.name}|${item.language}`} value={`${item.name}|${item.language}`}>
                  {item.label
                    ? `${item.label} (${item.name}, ${item.language})`
                    : `${item.name} (${item.language})`}
                </option>
              ))}
            </select>
            {errors.fields.template && (
              <p id={`${id}-template-error`} class="field__error">
                <span aria-hidden="true">⚠ </span>
                {errors.fields.template}
              </p>
            )}
          </div>
          {fields.length === 0 && <p class="muted">This template has no values to fill in.</p>}
          {fields.map((field) => {
            const fieldId = `${id}-${field.name.replace(/\./g, "-")}`;
            const error = errors.fields[field.name] ?? previewFieldErrors[field.name];
            const hint = field.example ? `Example: ${field.example}` : null;
            return (
              <div class={`field${error ? " field--invalid" : ""}`} key={field.name}>
                <label for={fieldId} class="field__label">
                  {field.label}
                </label>
                {hint && (
                  <p id={`${fieldId}-hint`} class="field__hint">
                    {hint}
                  </p>
                )}
                <input
                  id={fieldId}
                  name={field.name}
                  type="text"
                  list={`${id}-variables`}
                  autoComplete="off"
                  spellcheck={false}
                  value={field.value}
                  placeholder={field.placeholder}
                  aria-invalid={error ? "true" : undefined}
                  aria-describedby={
                    [error ? `${fieldId}-error` : null, hint ? `${fieldId}-hint` : null]
                      .filter(Boolean)
                      .join(" ") || undefined
                  }
                  onInput={(event) => {
                    const next = event.currentTarget.value;
                    setValues((current) => field.set(current, next));
                    if (errors.fields[field.name]) {
                      const { [field.name]: _fixed, ...others } = errors.fields;
                      setErrors({
                        summary: Object.keys(others).length ? errors.summary : null,
                        fields: others,
                      });
                    }
                  }}
                />
                {error && (
                  <p id={`${fieldId}-error`} class="field__error">
                    <span aria-hidden="true">⚠ </span>
                    {error}
                  </p>
                )}
              </div>
            );
          })}
          <datalist id={`${id}-variables`}>
            {variables.map((variable) => (
              <option key={variable} value={variable} />
            ))}
          </datalist>
          {fields.length > 0 && (
            <p class="field__hint">
              A value may be text or a variable the API fills in from the contact, such as{" "}
              <code>{"{{contact.first_name}}"}</code> or <code>{"{{contact.attributes.order_id}}"}</code>;{" "}
              <code>{"{{contact.first_name|there}}"}</code> gives a fallback.
            </p>
          )}
        </div>
        <div class="template-form__preview">
          <p class="field__label" id={`${id}-preview-label`}>
            Preview for this contact
          </p>
          <TemplatePreviewView preview={preview} labelledBy={`${id}-preview-label`} />
        </div>
      </div>
      <div class="composer__actions">
        {syncButton}
        <button type="submit" class="button button--primary" disabled={busy}>
          {busy ? "Sending…" : "Send the template"}
        </button>
      </div>
      {syncError != null && <Notice tone="error">{describeError(syncError)}</Notice>}
    </form>
  );
}

function TemplatePreviewView({
  preview,
  labelledBy,
}: {
  preview: { data: TemplatePreview | null; error: unknown; loading: boolean };
  labelledBy: string;
}) {
  const { data, error, loading } = preview;
  return (
    <div
      class="template-preview"
      role="region"
      aria-labelledby={labelledBy}
      aria-busy={loading}
      aria-live="polite"
    >
      {error != null && (
        <p class="template-preview__stale">
          {data ? "Out of date: " : ""}
          {describeError(error)}
        </p>
      )}
      {data ? (
        <div class="bubble bubble--out bubble--preview">
          {data.header && <p class="bubble__header">{data.header}</p>}
          {data.header_format && data.header_format !== "TEXT" && !data.header && (
            <p class="muted">[{data.header_format.toLowerCase()} header]</p>
          )}
          <p class="bubble__text">{data.body}</p>
          {data.footer && <p class="bubble__footer">{data.footer}</p>}
          {data.buttons.length > 0 && (
            <ul class="choices" aria-label="Buttons">
              {data.buttons.map((button, index) => (
                <li key={index}>
                  {button.text}
                  {button.url && <span class="muted"> → {button.url}</span>}
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : (
        !error && <p class="muted">{loading ? "Rendering…" : "Choose a template."}</p>
      )}
    </div>
  );
}
