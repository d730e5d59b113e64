/** A contact: what WhatsApp says of them, their conversations, and what the workspace keeps about them
 * (first and last name, e-mail, attributes), edited here. The API judges every value; its errors show
 * on the field, or on the attribute, they concern. */

import { useEffect, useId, useState } from "preact/hooks";
import type { Channel } from "../../api/channels";
import { ATTRIBUTE_LIMITS, type Contact, type ContactChanges, contactName } from "../../api/contacts";
import { ApiError, type FormErrors, formErrors, NO_FORM_ERRORS } from "../../api/errors";
import { useConsole } from "../../context";
import { Link, type RouteParams } from "../../router";
import {
  ErrorNotice,
  Form,
  Loading,
  Notice,
  PageHeader,
  SubmitButton,
  TextField,
  Time,
} from "../../ui/components";
import { useDocumentTitle, useResource } from "../../ui/hooks";
import "../inbox/inbox.css";

export function ContactPage({ params }: { params: RouteParams }) {
  const contactId = params.contactId ?? "";
  const { api } = useConsole();
  const contact = useResource((signal) => api.contacts.get(contactId, signal), [contactId]);
  const channels = useResource((signal) => api.channels.list(null, 100, signal), []);
  useDocumentTitle(contact.status === "ready" ? contactName(contact.data) : "Contact");

  if (contact.status === "loading") return <Loading label="Loading the contact" />;
  if (contact.status === "error") {
    if (contact.error instanceof ApiError && contact.error.code === "not_found") {
      return (
        <section>
          <PageHeader title="No such contact" />
          <p>
            This workspace has no contact {contactId}. <Link href="/contacts">Back to the contacts</Link>.
          </p>
        </section>
      );
    }
    return <ErrorNotice title="Could not load the contact" error={contact.error} onRetry={contact.reload} />;
  }
  const data = contact.data;
  const channelList = channels.status === "ready" ? channels.data.items : [];
  return (
    <section>
      <p class="breadcrumb">
        <Link href="/contacts">Contacts</Link> <span aria-hidden="true">›</span>
      </p>
      <PageHeader title={contactName(data)} />
      <p class="lead">
        {data.phone_number ?? data.whatsapp_id ?? "No number"}
        {data.profile_name && ` · WhatsApp name “${data.profile_name}”`}
      </p>
      <div class="block">
        <dl class="facts">
          <div>
            <dt>Phone number</dt>
            <dd>{data.phone_number ?? "unknown"}</dd>
          </div>
          <div>
            <dt>WhatsApp id</dt>
            <dd>{data.whatsapp_id ?? "unknown"}</dd>
          </div>
          <div>
            <dt>Last wrote</dt>
            <dd>
              <Time iso={data.last_inbound_at} />
            </dd>
          </div>
          <div>
            <dt>Known since</dt>
            <dd>
              <Time iso={data.created_at} />
            </dd>
          </div>
        </dl>
      </div>
      <Conversations
        contact={data}
        channels={channelList}
        loading={channels.status === "loading"}
        channelsError={channels.status === "error" ? channels.error : null}
        onRetryChannels={channels.reload}
      />
      <EditForm contact={data} onSaved={contact.status === "ready" ? contact.replace : () => undefined} />
    </section>
  );
}

function Conversations({
  contact,
  channels,
  loading,
  channelsError,
  onRetryChannels,
}: {
  contact: Contact;
  channels: Channel[];
  loading: boolean;
  /** The channels' names could not be loaded: the links name channel ids until a retry works. */
  channelsError: unknown;
  onRetryChannels: () => void;
}) {
  return (
    <section class="block" aria-labelledby="conversations-heading">
      <h2 id="conversations-heading">Conversations</h2>
      {channelsError != null && contact.channels.length > 0 && (
        <ErrorNotice
          title="Could not load the channels' names"
          error={channelsError}
          onRetry={onRetryChannels}
        />
      )}
      {contact.channels.length === 0 ? (
        <p class="muted">No conversation yet.</p>
      ) : (
        <ul class="conversation-links">
          {contact.channels.map((channelId) => {
            const channel = channels.find((candidate) => candidate.id === channelId);
            return (
              <li key={channelId}>
                <Link href={`/inbox/${encodeURIComponent(channelId)}/${encodeURIComponent(contact.id)}`}>
                  {channel
                    ? `Conversation on ${channel.name} (${channel.phone_number})`
                    : loading
                      ? "Conversation"
                      : `Conversation on ${channelId}`}
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

interface AttributeRow {
  key: number;
  name: string;
  value: string;
}

let nextRowKey = 0;

function rowsOf(attributes: Record<string, string>): AttributeRow[] {
  return Object.entries(attributes).map(([name, value]) => ({ key: nextRowKey++, name, value }));
}

const FIELDS = ["first_name", "last_name", "email", "attributes"] as const;

function EditForm({ contact, onSaved }: { contact: Contact; onSaved: (contact: Contact) => void }) {
  const { api } = useConsole();
  const [firstName, setFirstName] = useState(contact.first_name ?? "");
  const [lastName, setLastName] = useState(contact.last_name ?? "");
  const [email, setEmail] = useState(contact.email ?? "");
  const [rows, setRows] = useState<AttributeRow[]>(() => rowsOf(contact.attributes));
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const [rowErrors, setRowErrors] = useState<Record<number, { name?: string; value?: string }>>({});
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [focusRow, setFocusRow] = useState<number | null>(null);
  const id = useId();

  useEffect(() => {
    if (focusRow === null) return;
    document.getElementById(`${id}-attr-name-${focusRow}`)?.focus();
    setFocusRow(null);
  }, [focusRow]);

  const save = async () => {
    if (busy) return;
    setSaved(null);
    const changes: ContactChanges = {};
    const orNull = (text: string) => (text.trim() ? text.trim() : null);
    if (orNull(firstName) !== (contact.first_name ?? null)) changes.first_name = orNull(firstName);
    if (orNull(lastName) !== (contact.last_name ?? null)) changes.last_name = orNull(lastName);
    if (orNull(email) !== (contact.email ?? null)) changes.email = orNull(email);
    // Rows without a name are left out: an empty line is not an attribute.
    const attributes = Object.fromEntries(
      rows.filter((row) => row.name.trim()).map((row) => [row.name.trim(), row.value]),
    );
    if (JSON.stringify(attributes) !== JSON.stringify(contact.attributes)) changes.attributes = attributes;
    if (Object.keys(changes).length === 0) {
      setErrors(NO_FORM_ERRORS);
      setRowErrors({});
      setSaved("Nothing changed.");
      return;
    }
    setBusy(true);
    setErrors(NO_FORM_ERRORS);
    setRowErrors({});
    try {
      const updated = await api.contacts.update(contact.id, changes);
      onSaved(updated);
      setFirstName(updated.first_name ?? "");
      setLastName(updated.last_name ?? "");
      setEmail(updated.email ?? "");
      setRows(rowsOf(updated.attributes));
      setSaved("Saved.");
    } catch (error) {
      const placed = formErrors(error, FIELDS);
      // An attribute's problem (`attributes.<name>` or `attributes.<name>.[key]`) goes to its row.
      const perRow: Record<number, { name?: string; value?: string }> = {};
      const unplaced: string[] = [];
      if (error instanceof ApiError) {
        for (const problem of error.fieldProblems) {
          if (!problem.field.startsWith("attributes")) continue;
          const match = /^attributes\.(.*?)(\.\[key\])?$/.exec(problem.field);
          const row = match ? rows.find((candidate) => candidate.name.trim() === match[1]) : undefined;
          if (row && match) {
            const slot = match[2] ? "name" : "value";
            const entry = (perRow[row.key] ??= {});
            entry[slot] = entry[slot] ? `${entry[slot]} ${problem.message}` : problem.message;
          } else {
            unplaced.push(problem.message);
          }
        }
      }
      if (Object.keys(perRow).length > 0) {
        delete placed.fields.attributes;
        if (unplaced.length > 0) placed.fields.attributes = unplaced.join(" ");
      }
      setRowErrors(perRow);
      setErrors(placed);
    } finally {
      setBusy(false);
    }
  };

  const full = rows.length >= ATTRIBUTE_LIMITS.count;
  return (
    <section class="block" aria-labelledby="edit-heading">
      <h2 id="edit-heading">Details</h2>
      {saved && <Notice tone="success">{saved}</Notice>}
      <Form errors={errors} busy={busy} onSubmit={() => void save()} label="Contact details">
        <TextField
          label="First name"
          name="first_name"
          value={firstName}
          onValue={setFirstName}
          autoComplete="off"
          error={errors.fields.first_name}
        />
        <TextField
          label="Last name"
          name="last_name"
          value={lastName}
          onValue={setLastName}
          autoComplete="off"
          error={errors.fields.last_name}
        />
        <TextField
          label="E-mail"
          name="email"
          type="email"
          value={email}
          onValue={setEmail}
          autoComplete="off"
          spellcheck={false}
          error={errors.fields.email}
        />
        <fieldset
          class={`field attributes${errors.fields.attributes ? " field--invalid" : ""}`}
          aria-describedby={`${id}-attr-hint`}
        >
          <legend class="field__label">Attributes</legend>
          <p id={`${id}-attr-hint`} class="field__hint">
            What templates can use as <code>{"{{contact.attributes.<name>}}"}</code>. Up to{" "}
            {ATTRIBUTE_LIMITS.count} attributes ({rows.length} now); names of letters, digits and _ (at most{" "}
            {ATTRIBUTE_LIMITS.nameLength}), values of at most {ATTRIBUTE_LIMITS.valueLength} characters.
          </p>
          {rows.length === 0 && <p class="muted">No attribute.</p>}
          {rows.map((row, index) => {
            const problem = rowErrors[row.key] ?? {};
            const nameId = `${id}-attr-name-${row.key}`;
            const valueId = `${id}-attr-value-${row.key}`;
            const update = (patch: Partial<AttributeRow>) =>
              setRows((current) =>
                current.map((candidate) =>
                  candidate.key === row.key ? { ...candidate, ...patch } : candidate,
                ),
              );
            return (
              <div class="attribute-row" key={row.key} role="group" aria-label={`Attribute ${index + 1}`}>
                <div class={`field${problem.name ? " field--invalid" : ""}`}>
                  <label for={nameId} class="field__label">
                    Name <span class="visually-hidden">of attribute {index + 1}</span>
                  </label>
                  <input
                    id={nameId}
                    name={`attribute-name-${index}`}
                    value={row.name}
                    autoComplete="off"
                    spellcheck={false}
                    aria-invalid={problem.name ? "true" : undefined}
                    aria-describedby={problem.name ? `${nameId}-error` : undefined}
                    onInput={(event) => update({ name: event.currentTarget.value })}
                  />
                  {problem.name && (
                    <p id={`${nameId}-error`} class="field__error">
                      <span aria-hidden="true">⚠ </span>
                      {problem.name}
                    </p>
                  )}
                </div>
                <div class={`field${problem.value ? " field--invalid" : ""}`}>
                  <label for={valueId} class="field__label">
                    Value <span class="visually-hidden">of attribute {index + 1}</span>
                  </label>
                  <input
                    id={valueId}
                    name={`attribute-value-${index}`}
                    value={row.value}
                    autoComplete="off"
                    aria-invalid={problem.value ? "true" : undefined}
                    aria-describedby={problem.value ? `${valueId}-error` : undefined}
                    onInput={(event) => update({ value: event.currentTarget.value })}
                  />
                  {problem.value && (
                    <p id={`${valueId}-error`} class="field__error">
                      <span aria-hidden="true">⚠ </span>
                      {problem.value}
                    </p>
                  )}
                </div>
                <button
                  type="button"
                  class="button button--secondary button--small attribute-row__remove"
                  aria-label={`Remove attribute ${row.name || index + 1}`}
                  onClick={() =>
                    setRows((current) => current.filter((candidate) => candidate.key !== row.key))
                  }
                >
                  Remove
                </button>
              </div>
            );
          })}
          {errors.fields.attributes && (
            <p class="field__error">
              <span aria-hidden="true">⚠ </span>
              {errors.fields.attributes}
            </p>
          )}
          <p>
            <button
              type="button"
              class="button button--secondary"
              disabled={full}
              onClick={() => {
                const key = nextRowKey++;
                setRows((current) => [...current, { key, name: "", value: "" }]);
                setFocusRow(key);
              }}
            >
              {full
                ? `${ATTRIBUTE_LIMITS.count} attributes: the most a contact can have`
                : "Add an attribute"}
            </button>
          </p>
        </fieldset>
        <div class="form__actions">
          <SubmitButton busy={busy} busyLabel="Saving">
            Save the contact
          </SubmitButton>
        </div>
      </Form>
    </section>
  );
}
