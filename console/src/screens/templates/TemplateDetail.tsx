/** One template in one language: its status and facts, the preview as agents send it, the workspace's
 * settings for it (enabled for agents, label, parameter defaults: PATCH, checked by the API), and deleting
 * the name in every language behind a confirmation. */

import { useState } from "preact/hooks";
import type { Channel } from "../../api/channels";
import { ApiError, describeError } from "../../api/errors";
import type { Template, TemplateValues } from "../../api/templates";
import { useConsole } from "../../context";
import { Link, navigate, type RouteParams } from "../../router";
import {
  Badge,
  ConfirmDialog,
  ErrorNotice,
  Form,
  Loading,
  Notice,
  SubmitButton,
  Time,
} from "../../ui/components";
import { useResource, useSubmission } from "../../ui/hooks";
import { LimitedField } from "../../ui/limited-field";
import { ChannelFrame } from "../channels/ChannelFrame";
import { CATEGORY_LABELS, rejectionReason, statusOf } from "./labels";
import { PreviewCard, usePreview } from "./TemplatePreview";
import { templatesPath } from "./TemplateList";

export function TemplateDetailScreen({ params }: { params: RouteParams }) {
  const channelId = params.channelId ?? "";
  const name = params.name ?? "";
  const language = params.language ?? "";
  return (
    <ChannelFrame channelId={channelId} tab={`Template ${name}`}>
      {({ channel }) => <TemplateDetail channel={channel} name={name} language={language} />}
    </ChannelFrame>
  );
}

function TemplateDetail({ channel, name, language }: { channel: Channel; name: string; language: string }) {
  const { api } = useConsole();
  const found = useResource(
    (signal) => api.templates.find(channel.id, name, language, signal),
    [channel.id, name, language],
  );
  // Each save may change the defaults the preview fills in: it renders again.
  const [saves, setSaves] = useState(0);
  const back = (
    <p class="breadcrumb">
      <Link href={templatesPath(channel.id)}>‹ All templates</Link>
    </p>
  );
  if (found.status === "loading") return <Loading label="Loading the template" />;
  if (found.status === "error") {
    return (
      <>
        {back}
        <ErrorNotice title="Could not load the template" error={found.error} onRetry={found.reload} />
      </>
    );
  }
  if (found.data === null) {
    return (
      <>
        {back}
        <h2>No such template</h2>
        <p>
          This channel has no template {name} in {language}. It may have been deleted, or not synced yet.
        </p>
      </>
    );
  }
  const { template, lastSyncedAt } = found.data;
  const replace = (updated: Template) => {
    found.replace({ template: updated, lastSyncedAt });
    setSaves((count) => count + 1);
  };
  return (
    <>
      {back}
      <Facts template={template} />
      <div class="builder">
        <SettingsForm channel={channel} template={template} onSaved={replace} />
        <aside class="builder__preview" aria-label="Preview">
          <StoredPreview key={saves} channelId={channel.id} template={template} />
        </aside>
      </div>
      <DeleteSection channel={channel} template={template} />
    </>
  );
}

function Facts({ template }: { template: Template }) {
  const status = statusOf(template.status);
  return (
    <section class="block" aria-labelledby="template-heading">
      <div class="panel-actions">
        <h2 id="template-heading" class="template-title">
          {template.name} <code>{template.language}</code>
        </h2>
        <Badge tone={status.tone}>{status.label}</Badge>
      </div>
      {template.label && <p class="lead">{template.label}</p>}
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd>
            {status.label}
            {template.rejected_reason && (
              <span class="fact-note fact-note--bad">
                Rejected: {rejectionReason(template.rejected_reason)}
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>Category</dt>
          <dd>{CATEGORY_LABELS[template.category] ?? template.category}</dd>
        </div>
        <div>
          <dt>Agents</dt>
          <dd>
            {template.offered ? "Offered" : "Not offered"}
            <span class="fact-note">
              {template.enabled ? "Enabled" : "Disabled"} by this workspace
              {template.enabled && !template.offered ? "; offered once approved" : ""}
            </span>
          </dd>
        </div>
        <div>
          <dt>Quality</dt>
          <dd>
            {template.quality_score ? (
              template.quality_score.toLowerCase()
            ) : (
              <span class="muted">unknown</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Last synced</dt>
          <dd>
            <Time iso={template.last_synced_at} never="not yet" />
          </dd>
        </div>
        <div>
          <dt>Changed</dt>
          <dd>
            <Time iso={template.updated_at} />
          </dd>
        </div>
      </dl>
    </section>
  );
}

function StoredPreview({ channelId, template }: { channelId: string; template: Template }) {
  const preview = usePreview(channelId, { name: template.name, language: template.language }, 0);
  return <PreviewCard state={preview} title="Preview (samples, or the defaults)" />;
}

interface DefaultsGroup {
  /** The API's path: parameter_defaults.header, .body or .buttons.<i>. */
  path: string;
  title: string;
  count: number;
  samples: string[];
}

function defaultGroups(template: Template): DefaultsGroup[] {
  const counts = template.parameter_count;
  const header = find(template, "HEADER");
  const body = find(template, "BODY");
  const buttons = Array.isArray(find(template, "BUTTONS")?.buttons)
    ? (find(template, "BUTTONS")?.buttons as Record<string, unknown>[])
    : [];
  const headerFormat = typeof header?.format === "string" ? header.format.toUpperCase() : "TEXT";
  const groups: DefaultsGroup[] = [];
  if ((counts.header ?? 0) > 0) {
    groups.push({
      path: "parameter_defaults.header",
      title: headerFormat === "TEXT" ? "Header" : `Header (${headerFormat.toLowerCase()} link)`,
      count: counts.header ?? 0,
      samples: strings(example(header)?.header_text ?? example(header)?.header_handle),
    });
  }
  if ((counts.body ?? 0) > 0) {
    const rows = example(body)?.body_text;
    groups.push({
      path: "parameter_defaults.body",
      title: "Body",
      count: counts.body ?? 0,
      samples: strings(Array.isArray(rows) ? rows[0] : undefined),
    });
  }
  (counts.buttons ?? []).forEach((count, index) => {
    if (count === 0) return;
    const button = buttons[index];
    const label = typeof button?.text === "string" ? ` “${button.text}”` : "";
    groups.push({
      path: `parameter_defaults.buttons.${index}`,
      title: `Button ${index + 1}${label}`,
      count,
      samples: [urlSampleValue(button)],
    });
  });
  return groups;
}

/** The part of a URL button's example that stands for its {{1}} (the example is the whole URL). */
function urlSampleValue(button: Record<string, unknown> | undefined): string {
  const url = typeof button?.url === "string" ? button.url : "";
  const example = strings(button?.example)[0] ?? "";
  const at = url.search(/\{\{\s*\d+\s*\}\}/);
  return at >= 0 && example.startsWith(url.slice(0, at)) ? example.slice(at) : "";
}

function find(template: Template, type: string): Record<string, unknown> | undefined {
  return template.components.find(
    (component) => typeof component.type === "string" && component.type.toUpperCase() === type,
  );
}

function example(component: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const value = component?.example;
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map((item) => (typeof item === "string" ? item : "")) : [];
}

function valuesOf(defaults: TemplateValues, path: string): string[] {
  if (path === "parameter_defaults.header") return defaults.header ?? [];
  if (path === "parameter_defaults.body") return defaults.body ?? [];
  const index = Number(path.split(".").pop());
  return defaults.buttons?.[index] ?? [];
}

function SettingsForm({
  channel,
  template,
  onSaved,
}: {
  channel: Channel;
  template: Template;
  onSaved: (template: Template) => void;
}) {
  const { api } = useConsole();
  const groups = defaultGroups(template);
  const [enabled, setEnabled] = useState(template.enabled);
  const [label, setLabel] = useState(template.label ?? "");
  const [defaults, setDefaults] = useState<Record<string, string[]>>(() =>
    Object.fromEntries(
      groups.map((group) => [
        group.path,
        Array.from(
          { length: group.count },
          (_, i) => valuesOf(template.parameter_defaults, group.path)[i] ?? "",
        ),
      ]),
    ),
  );
  const [saved, setSaved] = useState(false);

  const part = (path: string): string[] => {
    const values = defaults[path] ?? [];
    return values.some((value) => value.trim()) ? values : [];
  };
  const fields = [
    "enabled",
    "label",
    "parameter_defaults",
    ...groups.flatMap((group) => [
      group.path,
      ...Array.from({ length: group.count }, (_, i) => `${group.path}.${i}`),
    ]),
    "parameter_defaults.buttons",
  ].sort((a, b) => b.length - a.length);

  const save = useSubmission(
    async () => {
      setSaved(false);
      const buttonCount = template.parameter_count.buttons?.length ?? 0;
      const buttons = Array.from({ length: buttonCount }, (_, i) => part(`parameter_defaults.buttons.${i}`));
      const updated = await api.templates.updateSettings(channel.id, template.name, template.language, {
        enabled,
        label: label.trim() || null,
        parameter_defaults: {
          header: part("parameter_defaults.header"),
          body: part("parameter_defaults.body"),
          buttons: buttons.some((values) => values.length > 0) ? buttons : [],
        },
      });
      onSaved(updated);
      setSaved(true);
    },
    { fields },
  );
  const errors = save.errors.fields;
  const active = channel.status === "active";

  return (
    <section class="block" aria-labelledby="settings-heading">
      <h3 id="settings-heading">Settings for agents</h3>
      <Form
        errors={save.errors}
        busy={save.busy}
        onSubmit={() => void save.submit()}
        label="Template settings"
      >
        {saved && <Notice tone="success">Saved.</Notice>}
        <label class="choice">
          <input
            type="checkbox"
            role="switch"
            checked={enabled}
            disabled={!active}
            onChange={(event) => setEnabled(event.currentTarget.checked)}
          />
          <span>
            Enabled for agents
            <span class="choice__hint">
              Agents may send it once WhatsApp approved it. Disabled, it stays here but isn't offered.
            </span>
          </span>
        </label>
        {errors.enabled && <p class="field__error">⚠ {errors.enabled}</p>}
        <LimitedField
          label="Label"
          name="label"
          value={label}
          onValue={setLabel}
          limit={100}
          hint="What agents see beside the name, like “Shipping update (German)”."
          error={errors.label}
        />
        {groups.length === 0 ? (
          <p class="muted">This template has no variables, so it needs no defaults.</p>
        ) : (
          <fieldset class="group">
            <legend>Parameter defaults</legend>
            <p class="field__hint">
              Filled in when a send leaves a part out. Text, or variables such as {"{{contact.first_name}}"},{" "}
              {"{{contact.attributes.order_id}}"} or {"{{channel.name}}"}; {"{{contact.first_name|there}}"}{" "}
              gives a fallback. Leave a part empty to have each send give it.
            </p>
            {errors.parameter_defaults && <p class="field__error">⚠ {errors.parameter_defaults}</p>}
            {errors["parameter_defaults.buttons"] && (
              <p class="field__error">⚠ {errors["parameter_defaults.buttons"]}</p>
            )}
            {groups.map((group) => (
              <div key={group.path} class="defaults-group">
                {errors[group.path] && <p class="field__error">⚠ {errors[group.path]}</p>}
                {Array.from({ length: group.count }, (_, index) => {
                  const path = `${group.path}.${index}`;
                  const sample = group.samples[index];
                  return (
                    <LimitedField
                      key={path}
                      label={`${group.title} {{${index + 1}}}`}
                      name={path}
                      value={defaults[group.path]?.[index] ?? ""}
                      onValue={(value) =>
                        setDefaults((current) => ({
                          ...current,
                          [group.path]: (current[group.path] ?? []).map((old, i) =>
                            i === index ? value : old,
                          ),
                        }))
                      }
                      hint={sample ? `Sample: ${sample}` : undefined}
                      spellcheck={false}
                      error={errors[path]}
                    />
                  );
                })}
              </div>
            ))}
          </fieldset>
        )}
        <div class="form__actions">
          <SubmitButton busy={save.busy} busyLabel="Saving">
            Save settings
          </SubmitButton>
        </div>
      </Form>
    </section>
  );
}

function DeleteSection({ channel, template }: { channel: Channel; template: Template }) {
  const { api } = useConsole();
  const [asking, setAsking] = useState(false);
  // The name's languages, for the confirmation; `failed` when they could not be looked up.
  const [languages, setLanguages] = useState<string[] | { failed: unknown } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const ask = () => {
    setAsking(true);
    setLanguages(null);
    api.templates
      .languagesOf(channel.id, template.name)
      .then(setLanguages, (failure: unknown) => setLanguages({ failed: failure }));
  };
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.templates.remove(channel.id, template.name);
      navigate(templatesPath(channel.id), {
        flash: `${template.name} is deleted in every language. WhatsApp keeps the name blocked for about 30 days.`,
      });
    } catch (failure) {
      setError(failure);
      setBusy(false);
      setAsking(false);
    }
  };

  if (channel.status !== "active") return null;
  return (
    <section class="block block--danger" aria-labelledby="delete-heading">
      <h2 id="delete-heading" tabIndex={-1}>
        Delete
      </h2>
      <p>
        Deletes {template.name} at WhatsApp in <strong>every language</strong>, not only {template.language}.
        Messages already sent stay in their conversations.
      </p>
      {error != null && (
        <Notice tone="error">
          {error instanceof ApiError && error.code === "not_found"
            ? "WhatsApp no longer has this template; sync to update the list."
            : describeError(error)}
        </Notice>
      )}
      <button type="button" class="button button--danger" onClick={ask}>
        Delete {template.name}
      </button>
      <ConfirmDialog
        open={asking}
        title={`Delete ${template.name}?`}
        confirmLabel="Delete in every language"
        tone="danger"
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setAsking(false)}
      >
        <p>
          {languages === null
            ? "Looking up its languages…"
            : !Array.isArray(languages)
              ? "It is deleted in every language of this name."
              : languages.length > 1
                ? `It is deleted in all ${languages.length} languages: ${languages.join(", ")}.`
                : `It is deleted in ${languages[0] ?? template.language}.`}{" "}
          WhatsApp blocks the name for about 30 days, so a new template can't take it at once.
        </p>
        {languages !== null && !Array.isArray(languages) && (
          <Notice tone="warning">
            Its languages could not be looked up. {describeError(languages.failed)}
          </Notice>
        )}
      </ConfirmDialog>
    </section>
  );
}
