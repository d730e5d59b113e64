/** Configure a channel: its details, its API key (view, replace, refresh), and disconnecting it. */

import { useEffect, useRef, useState } from "preact/hooks";
import { type Channel, CHANNEL_ERROR_FIELDS, type ChannelChanges } from "../../api/channels";
import { describeError } from "../../api/errors";
import { useConsole } from "../../context";
import { Link, navigate, type RouteParams } from "../../router";
import { ConfirmDialog, Form, Notice, SubmitButton, TextArea, TextField } from "../../ui/components";
import { useSubmission } from "../../ui/hooks";
import { ChannelFrame, type ChannelTabProps } from "./ChannelFrame";

export function ChannelSettings({ params }: { params: RouteParams }) {
  const channelId = params.channelId ?? "";
  return (
    <ChannelFrame channelId={channelId} tab="Settings">
      {(props) => <SettingsPanel {...props} />}
    </ChannelFrame>
  );
}

function SettingsPanel({ channel, onChannelChanged }: ChannelTabProps) {
  // A link to a section (#api-key, from the health screen) lands on it.
  useEffect(() => {
    const target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    if (target) {
      target.scrollIntoView();
      target.querySelector<HTMLElement>("h2")?.focus();
    }
  }, []);

  if (channel.status === "disconnected") {
    return (
      <Notice tone="warning">
        This channel is disconnected; its history stays readable.{" "}
        <Link href={`/channels/new?phone=${encodeURIComponent(channel.phone_number)}`}>
          Connect the number again
        </Link>{" "}
        to use it.
      </Notice>
    );
  }
  return (
    <>
      <DetailsForm channel={channel} onChannelChanged={onChannelChanged} />
      <ApiKeySection channel={channel} onChannelChanged={onChannelChanged} />
      <DisconnectSection channel={channel} />
    </>
  );
}

const DETAIL_FIELDS = ["name", "greeting_message", "phone_number", "api_key"] as const;

function DetailsForm({ channel, onChannelChanged }: ChannelTabProps) {
  const { api } = useConsole();
  const [name, setName] = useState(channel.name);
  const [greeting, setGreeting] = useState(channel.greeting_message ?? "");
  const [phoneNumber, setPhoneNumber] = useState(channel.phone_number);
  const [newNumberKey, setNewNumberKey] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const numberChanges = phoneNumber.trim() !== channel.phone_number;

  const save = useSubmission(
    async () => {
      setSaved(null);
      const changes: ChannelChanges = {};
      if (name !== channel.name) changes.name = name;
      if (greeting.trim() !== (channel.greeting_message ?? "")) {
        changes.greeting_message = greeting.trim() ? greeting : null;
      }
      if (numberChanges) {
        changes.phone_number = phoneNumber;
        if (newNumberKey.trim()) changes.api_key = newNumberKey;
      }
      if (Object.keys(changes).length === 0) {
        setSaved("Nothing changed.");
        return;
      }
      const updated = await api.channels.update(channel.id, changes);
      onChannelChanged(updated);
      setName(updated.name);
      setGreeting(updated.greeting_message ?? "");
      setPhoneNumber(updated.phone_number);
      setNewNumberKey("");
      setSaved(numberChanges ? "Saved. 360dialog now sends the new number's messages here." : "Saved.");
    },
    { fields: DETAIL_FIELDS, codeFields: { ...CHANNEL_ERROR_FIELDS, invalid_api_key: "api_key" } },
  );
  const errors = save.errors.fields;

  return (
    <section class="block" aria-labelledby="details-heading">
      <h2 id="details-heading" tabIndex={-1}>
        Details
      </h2>
      {saved && <Notice tone="success">{saved}</Notice>}
      <Form errors={save.errors} busy={save.busy} onSubmit={() => void save.submit()} label="Channel details">
        <TextField
          label="Name"
          name="name"
          value={name}
          onValue={setName}
          required
          autoComplete="off"
          error={errors.name}
        />
        <TextArea
          label="Greeting"
          name="greeting_message"
          value={greeting}
          onValue={setGreeting}
          hint="Sent once to each new contact. Empty sends none."
          error={errors.greeting_message}
        />
        <TextField
          label="Phone number"
          name="phone_number"
          value={phoneNumber}
          onValue={setPhoneNumber}
          required
          type="tel"
          autoComplete="off"
          hint="Changing it moves the channel to another number: its webhook is registered for the new number first."
          error={errors.phone_number}
        />
        {(numberChanges || errors.api_key) && (
          <TextField
            label="API key of the new number"
            name="api_key"
            value={newNumberKey}
            onValue={setNewNumberKey}
            type="password"
            autoComplete="off"
            spellcheck={false}
            hint="Leave empty if the current key belongs to the new number too."
            error={errors.api_key}
          />
        )}
        <div class="form__actions">
          <SubmitButton busy={save.busy} busyLabel="Saving">
            Save details
          </SubmitButton>
        </div>
      </Form>
    </section>
  );
}

function ApiKeySection({ channel, onChannelChanged }: ChannelTabProps) {
  const { api } = useConsole();
  const [asking, setAsking] = useState<"view" | "refresh" | null>(null);
  const [shownKey, setShownKey] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [replacement, setReplacement] = useState("");
  const [copied, setCopied] = useState<"copied" | "select" | null>(null);
  const keyInput = useRef<HTMLInputElement>(null);

  // The clipboard API exists in secure contexts only (https, localhost): elsewhere, or refused, the key is
  // selected for the user's own Ctrl+C.
  const copy = async (key: string) => {
    try {
      if (!navigator.clipboard) throw new Error("no clipboard API on this origin");
      await navigator.clipboard.writeText(key);
      setCopied("copied");
    } catch {
      keyInput.current?.focus();
      keyInput.current?.select();
      setCopied("select");
    }
  };

  const confirm = async () => {
    setBusy(true);
    setOutcome(null);
    try {
      if (asking === "view") {
        setShownKey((await api.channels.viewApiKey(channel.id)).api_key);
        setCopied(null);
      } else if (asking === "refresh") {
        const updated = await api.channels.refreshApiKey(channel.id);
        onChannelChanged(updated);
        setShownKey(null);
        setOutcome({
          tone: "success",
          text: `360dialog issued a new key (${updated.api_key_masked}); the old one no longer works.`,
        });
      }
    } catch (error) {
      setOutcome({ tone: "error", text: describeError(error) });
    } finally {
      setBusy(false);
      setAsking(null);
    }
  };

  const replace = useSubmission(
    async () => {
      setOutcome(null);
      const updated = await api.channels.replaceApiKey(channel.id, replacement);
      onChannelChanged(updated);
      setReplacement("");
      setShownKey(null);
      setOutcome({
        tone: "success",
        text: `Key replaced (${updated.api_key_masked}); the webhook is registered with it.`,
      });
    },
    { fields: ["api_key"], codeFields: CHANNEL_ERROR_FIELDS },
  );

  return (
    <section class="block" id="api-key" aria-labelledby="api-key-heading">
      <h2 id="api-key-heading" tabIndex={-1}>
        API key
      </h2>
      <p>
        360dialog's key for {channel.phone_number}: <code class="key-masked">{channel.api_key_masked}</code>
      </p>
      {outcome && <Notice tone={outcome.tone}>{outcome.text}</Notice>}
      {shownKey === null ? (
        <div class="button-row">
          <button type="button" class="button button--secondary" onClick={() => setAsking("view")}>
            Show the key
          </button>
          <button type="button" class="button button--secondary" onClick={() => setAsking("refresh")}>
            Get a new key from 360dialog
          </button>
        </div>
      ) : (
        <div class="key-reveal">
          <label for="revealed-key" class="field__label">
            Full API key
          </label>
          <input
            id="revealed-key"
            ref={keyInput}
            class="key-reveal__value"
            readOnly
            value={shownKey}
            spellcheck={false}
          />
          <div class="button-row">
            <button type="button" class="button button--secondary" onClick={() => void copy(shownKey)}>
              {copied === "copied" ? "Copied" : "Copy"}
            </button>
            <button type="button" class="button button--secondary" onClick={() => setShownKey(null)}>
              Hide the key
            </button>
          </div>
          <p class="field__hint" role="status">
            {copied === "select" && "The key is selected: copy it with Ctrl+C (⌘C on a Mac)."}
          </p>
        </div>
      )}

      <h3>Replace the key</h3>
      <Form
        errors={replace.errors}
        busy={replace.busy}
        onSubmit={() => void replace.submit()}
        label="Replace the API key"
      >
        <TextField
          label="New API key"
          name="api_key"
          value={replacement}
          onValue={setReplacement}
          required
          type="password"
          autoComplete="off"
          spellcheck={false}
          hint="A key you made in the 360dialog hub. It is checked with 360dialog and the webhook registered with it before it is saved."
          error={replace.errors.fields.api_key}
        />
        <div class="form__actions">
          <SubmitButton busy={replace.busy} busyLabel="Replacing">
            Replace the key
          </SubmitButton>
        </div>
      </Form>

      <ConfirmDialog
        open={asking === "view"}
        title="Show the full API key?"
        confirmLabel="Show the key"
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={() => setAsking(null)}
      >
        <p>
          Whoever has the key can send messages as {channel.phone_number}. Viewing it is recorded in the
          channel's audit trail.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={asking === "refresh"}
        title="Get a new key from 360dialog?"
        confirmLabel="Get a new key"
        tone="danger"
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={() => setAsking(null)}
      >
        <p>
          360dialog revokes the current key at once: any other tool using it stops working. This needs the
          stack's Partner API credentials.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function DisconnectSection({ channel }: { channel: Channel }) {
  const { api } = useConsole();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const disconnect = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.channels.disconnect(channel.id);
      navigate("/channels", {
        flash: `${channel.name} is disconnected. Its conversations and messages stay readable.`,
      });
    } catch (failure) {
      setError(failure);
      setBusy(false);
      setAsking(false);
    }
  };

  return (
    <section class="block block--danger" aria-labelledby="disconnect-heading">
      <h2 id="disconnect-heading" tabIndex={-1}>
        Disconnect
      </h2>
      <p>
        Stops this channel: 360dialog's webhook for {channel.phone_number} is cleared and nothing is sent or
        received through it. Conversations and messages stay readable.
      </p>
      {error != null && <Notice tone="error">{describeError(error)}</Notice>}
      <button type="button" class="button button--danger" onClick={() => setAsking(true)}>
        Disconnect {channel.name}
      </button>
      <ConfirmDialog
        open={asking}
        title={`Disconnect ${channel.name}?`}
        confirmLabel="Disconnect"
        tone="danger"
        busy={busy}
        onConfirm={() => void disconnect()}
        onCancel={() => setAsking(false)}
      >
        <p>
          Customers writing to {channel.phone_number} will no longer reach this workspace. Connecting the
          number again later is possible.
        </p>
      </ConfirmDialog>
    </section>
  );
}
