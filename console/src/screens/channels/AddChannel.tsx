/** Connect a number: the API checks the key with 360dialog and registers its webhook before saving. */

import { useState } from "preact/hooks";
import { type ApiGeneration, CHANNEL_ERROR_FIELDS } from "../../api/channels";
import { useConsole } from "../../context";
import { Link, navigate, useLocation } from "../../router";
import { Form, PageHeader, RadioGroup, SubmitButton, TextArea, TextField } from "../../ui/components";
import { useDocumentTitle, useSubmission } from "../../ui/hooks";
import { GENERATIONS } from "./labels";

const FIELDS = ["name", "phone_number", "api_key", "api_generation", "greeting_message", "base_url"] as const;

export function AddChannel() {
  useDocumentTitle("Add a channel");
  const { api } = useConsole();
  const { query } = useLocation();
  const [name, setName] = useState("");
  const [phoneNumber, setPhoneNumber] = useState(query.get("phone") ?? "");
  const [apiKey, setApiKey] = useState("");
  const [generation, setGeneration] = useState<ApiGeneration>("cloud");
  const [greeting, setGreeting] = useState("");
  const [baseUrl, setBaseUrl] = useState("");

  const connect = useSubmission(
    async () => {
      const channel = await api.channels.connect({
        name,
        phone_number: phoneNumber,
        api_key: apiKey,
        api_generation: generation,
        ...(greeting.trim() ? { greeting_message: greeting } : {}),
        ...(baseUrl.trim() ? { base_url: baseUrl.trim() } : {}),
      });
      navigate(`/channels/${encodeURIComponent(channel.id)}`, {
        flash: `${channel.name} is connected: 360dialog now sends ${channel.phone_number}'s messages here.`,
      });
    },
    { fields: FIELDS, codeFields: CHANNEL_ERROR_FIELDS },
  );
  const errors = connect.errors.fields;

  return (
    <section class="narrow">
      <PageHeader title="Add a channel" />
      <p class="lead">
        Connecting checks the API key with 360dialog and points the number's webhook at this workspace.
      </p>
      <Form
        errors={connect.errors}
        busy={connect.busy}
        onSubmit={() => void connect.submit()}
        label="Add a channel"
      >
        <TextField
          label="Name"
          name="name"
          value={name}
          onValue={setName}
          required
          autoComplete="off"
          hint="How agents tell channels apart, e.g. “Support” or “Sales DE”."
          error={errors.name}
        />
        <TextField
          label="Phone number"
          name="phone_number"
          value={phoneNumber}
          onValue={setPhoneNumber}
          required
          type="tel"
          autoComplete="off"
          hint="The WhatsApp number with its country code, e.g. +49 151 10000001."
          error={errors.phone_number}
        />
        <TextField
          label="360dialog API key"
          name="api_key"
          value={apiKey}
          onValue={setApiKey}
          required
          type="password"
          autoComplete="off"
          spellcheck={false}
          hint="From the 360dialog hub (API keys of the number). It is stored encrypted; only its last 4 characters are shown later."
          error={errors.api_key}
        />
        <RadioGroup
          legend="API generation"
          name="api_generation"
          value={generation}
          options={GENERATIONS}
          onValue={setGeneration}
          error={errors.api_generation}
        />
        <TextArea
          label="Greeting"
          name="greeting_message"
          value={greeting}
          onValue={setGreeting}
          hint="Sent once to each new contact who writes to this number. Leave empty to send none."
          error={errors.greeting_message}
        />
        <details class="advanced" open={Boolean(errors.base_url)}>
          <summary>Advanced</summary>
          <TextField
            label="360dialog base URL"
            name="base_url"
            value={baseUrl}
            onValue={setBaseUrl}
            type="url"
            hint="Only when 360dialog gave this number its own API host; empty uses the usual one."
            error={errors.base_url}
          />
        </details>
        <div class="form__actions">
          <SubmitButton busy={connect.busy} busyLabel="Connecting">
            Connect the number
          </SubmitButton>
          <Link href="/channels" class="button button--secondary">
            Cancel
          </Link>
        </div>
      </Form>
    </section>
  );
}
