/** A channel's templates: search and the API's filters, paging, Sync with 360dialog, and each template's
 * status, rejection reason, category, language, last sync and whether agents may send it (a switch). */

import { useEffect, useMemo, useState } from "preact/hooks";
import type { Channel } from "../../api/channels";
import { describeError } from "../../api/errors";
import { NO_TEMPLATE_FILTERS, type Template, type TemplateFilters } from "../../api/templates";
import { useConsole } from "../../context";
import { Link, navigate, type RouteParams, useLocation } from "../../router";
import { Badge, ErrorNotice, Loading, LoadMore, Notice, Time } from "../../ui/components";
import { usePagedList } from "../../ui/hooks";
import { SelectField } from "../../ui/select-field";
import { ChannelFrame } from "../channels/ChannelFrame";
import { CATEGORY_LABELS, rejectionReason, STATUSES, statusOf } from "./labels";
import { LANGUAGES } from "./rules";

export function TemplateListScreen({ params }: { params: RouteParams }) {
  const channelId = params.channelId ?? "";
  return (
    <ChannelFrame channelId={channelId} tab="Templates">
      {({ channel }) => <TemplatesPanel channel={channel} />}
    </ChannelFrame>
  );
}

export function templatesPath(channelId: string): string {
  return `/channels/${encodeURIComponent(channelId)}/templates`;
}

export function templatePath(channelId: string, name: string, language: string): string {
  return `${templatesPath(channelId)}/${encodeURIComponent(name)}/${encodeURIComponent(language)}`;
}

type Tristate = "" | "true" | "false";

function filtersFrom(query: URLSearchParams): TemplateFilters {
  const flag = (name: string) =>
    query.get(name) === "true" ? true : query.get(name) === "false" ? false : null;
  return {
    search: query.get("search") ?? "",
    status: query.get("status") ?? "",
    category: query.get("category") ?? "",
    language: query.get("language") ?? "",
    enabled: flag("enabled"),
    offered: flag("offered"),
  };
}

function queryOf(filters: TemplateFilters): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (value !== null && value !== "") query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `?${text}` : "";
}

const tristate = (value: boolean | null): Tristate => (value === null ? "" : value ? "true" : "false");
const fromTristate = (value: Tristate): boolean | null => (value === "" ? null : value === "true");

function TemplatesPanel({ channel }: { channel: Channel }) {
  const { api } = useConsole();
  // The filters live in the address, so a filtered list can be bookmarked, shared and reloaded, and the
  // browser's back and forward buttons step through them.
  const { query } = useLocation();
  const queryText = query.toString();
  const filters = useMemo(() => filtersFrom(new URLSearchParams(queryText)), [queryText]);
  const [search, setSearch] = useState(filters.search);
  const [language, setLanguage] = useState(filters.language);
  useEffect(() => setSearch(filters.search), [filters.search]);
  useEffect(() => setLanguage(filters.language), [filters.language]);
  const [version, setVersion] = useState(0);
  const [lastSyncedAt, setLastSyncedAt] = useState<string | null | undefined>(undefined);
  const [changed, setChanged] = useState<Record<string, Template>>({});
  const [sync, setSync] = useState<{
    busy: boolean;
    outcome: { tone: "success" | "error"; text: string } | null;
  }>({ busy: false, outcome: null });
  const active = channel.status === "active";

  // A choice is a step back can undo; typing replaces the address's filters instead of adding a step.
  const apply = (next: Partial<TemplateFilters>, { replace = false } = {}) => {
    const current = filtersFrom(new URLSearchParams(window.location.search));
    const wanted = queryOf({ ...current, ...next });
    if (wanted !== queryOf(current)) navigate(`${templatesPath(channel.id)}${wanted}`, { replace });
  };

  // Typing pauses before the list is asked again.
  useEffect(() => {
    if (search === filters.search && language.trim() === filters.language) return;
    const timer = window.setTimeout(
      () => apply({ search, language: language.trim() }, { replace: true }),
      300,
    );
    return () => window.clearTimeout(timer);
  }, [search, language]);

  const list = usePagedList(
    async (cursor, signal) => {
      const page = await api.templates.list(channel.id, filters, cursor, signal);
      if (cursor === null) {
        setLastSyncedAt(page.last_synced_at);
        setChanged({});
      }
      return page;
    },
    [channel.id, JSON.stringify(filters), version],
  );

  const runSync = async () => {
    setSync({ busy: true, outcome: null });
    try {
      const result = await api.templates.sync(channel.id);
      setSync({
        busy: false,
        outcome: {
          tone: "success",
          text: `Synced with 360dialog: ${result.created} new, ${result.updated} changed, ${result.deleted} deleted, ${result.unchanged} unchanged.`,
        },
      });
      setLastSyncedAt(result.last_synced_at);
      setVersion((v) => v + 1);
    } catch (error) {
      setSync({ busy: false, outcome: { tone: "error", text: `The sync failed. ${describeError(error)}` } });
    }
  };

  const filtered = queryOf(filters) !== "";
  const clear = () => {
    setSearch("");
    setLanguage("");
    apply(NO_TEMPLATE_FILTERS);
  };

  return (
    <>
      <div class="panel-actions">
        <h2>Templates</h2>
        <div class="button-row">
          {active && (
            <Link href={`${templatesPath(channel.id)}/new`} class="button button--primary">
              New template
            </Link>
          )}
          <button
            type="button"
            class="button button--secondary"
            onClick={() => void runSync()}
            disabled={sync.busy || !active}
          >
            {sync.busy ? "Syncing…" : "Sync with 360dialog"}
          </button>
        </div>
      </div>
      <p class="muted">
        Last synced with 360dialog:{" "}
        {lastSyncedAt === undefined ? "…" : <Time iso={lastSyncedAt} never="never (sync to fetch them)" />}.
        Statuses also arrive by webhook as WhatsApp reviews them.
      </p>
      {sync.outcome && <Notice tone={sync.outcome.tone}>{sync.outcome.text}</Notice>}

      <form
        class="filters"
        role="search"
        aria-label="Filter templates"
        onSubmit={(event) => {
          event.preventDefault();
          apply({ search, language: language.trim() }, { replace: true });
        }}
      >
        <div class="field filters__search">
          <label for="template-search" class="field__label">
            Search
          </label>
          <input
            id="template-search"
            type="search"
            value={search}
            placeholder="Name or body text"
            onInput={(event) => setSearch(event.currentTarget.value)}
          />
        </div>
        <SelectField
          label="Status"
          name="status"
          value={filters.status}
          options={[{ value: "", label: "Any" }, ...STATUSES.map(({ value, label }) => ({ value, label }))]}
          onValue={(status) => apply({ status })}
        />
        <SelectField
          label="Category"
          name="category"
          value={filters.category}
          options={[
            { value: "", label: "Any" },
            ...Object.entries(CATEGORY_LABELS).map(([value, label]) => ({ value, label })),
          ]}
          onValue={(category) => apply({ category })}
        />
        <div class="field">
          <label for="template-language" class="field__label">
            Language
          </label>
          <input
            id="template-language"
            value={language}
            list="template-languages"
            placeholder="Any, or e.g. en_US"
            autoComplete="off"
            spellcheck={false}
            onInput={(event) => setLanguage(event.currentTarget.value)}
          />
          <datalist id="template-languages">
            {LANGUAGES.map((code) => (
              <option key={code} value={code} />
            ))}
          </datalist>
        </div>
        <SelectField<Tristate>
          label="Enabled"
          name="enabled"
          value={tristate(filters.enabled)}
          options={[
            { value: "", label: "Any" },
            { value: "true", label: "Enabled" },
            { value: "false", label: "Disabled" },
          ]}
          onValue={(value) => apply({ enabled: fromTristate(value) })}
        />
        <SelectField<Tristate>
          label="Offered to agents"
          name="offered"
          value={tristate(filters.offered)}
          options={[
            { value: "", label: "Any" },
            { value: "true", label: "Offered" },
            { value: "false", label: "Not offered" },
          ]}
          onValue={(value) => apply({ offered: fromTristate(value) })}
        />
        {(filtered || search || language) && (
          <div class="filters__clear">
            <button type="button" class="button button--secondary" onClick={clear}>
              Clear filters
            </button>
          </div>
        )}
      </form>

      {list.status === "loading" && <Loading label="Loading the templates" />}
      {list.reloading && <Loading label="Updating the templates" />}
      {list.status === "error" && (
        <ErrorNotice title="Could not load the templates" error={list.error} onRetry={list.reload} />
      )}
      {list.status === "ready" && list.items.length === 0 && (
        <div class="empty">
          {filtered ? (
            <p>No template matches these filters.</p>
          ) : (
            <p>
              No templates yet. Sync to fetch this number's templates from 360dialog
              {active ? ", or create a new one" : ""}.
            </p>
          )}
        </div>
      )}
      {list.status === "ready" && list.items.length > 0 && (
        <table class="table templates" aria-busy={list.reloading}>
          <caption class="visually-hidden">Templates{filtered ? ", filtered" : ""}</caption>
          <thead>
            <tr>
              <th scope="col">Template</th>
              <th scope="col">Language</th>
              <th scope="col">Category</th>
              <th scope="col">Status</th>
              <th scope="col">Agents</th>
              <th scope="col">Last synced</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((item) => {
              const key = `${item.name}/${item.language}`;
              return (
                <TemplateRow
                  key={key}
                  channel={channel}
                  template={changed[key] ?? item}
                  onChanged={(template) => setChanged((current) => ({ ...current, [key]: template }))}
                />
              );
            })}
          </tbody>
        </table>
      )}
      {list.status === "ready" && (
        <LoadMore
          hasMore={list.hasMore}
          loadingMore={list.loadingMore}
          onLoadMore={list.loadMore}
          error={list.error}
        />
      )}
    </>
  );
}

export function bodyText(template: Template): string {
  const body = template.components.find(
    (component) => typeof component.type === "string" && component.type.toUpperCase() === "BODY",
  );
  return typeof body?.text === "string" ? body.text : "";
}

function TemplateRow({
  channel,
  template,
  onChanged,
}: {
  channel: Channel;
  template: Template;
  onChanged: (template: Template) => void;
}) {
  const status = statusOf(template.status);
  const body = bodyText(template);
  return (
    <tr data-template={`${template.name}/${template.language}`} data-status={template.status}>
      <td data-label="Template">
        <Link href={templatePath(channel.id, template.name, template.language)} class="template__name">
          {template.name}
        </Link>
        {template.label && <span class="template__label">{template.label}</span>}
        {body && <span class="template__excerpt">{body.length > 100 ? `${body.slice(0, 99)}…` : body}</span>}
      </td>
      <td data-label="Language">
        <code>{template.language}</code>
      </td>
      <td data-label="Category">{CATEGORY_LABELS[template.category] ?? template.category}</td>
      <td data-label="Status">
        <Badge tone={status.tone}>{status.label}</Badge>
        {template.rejected_reason && (
          <span class="fact-note fact-note--bad">{rejectionReason(template.rejected_reason)}</span>
        )}
      </td>
      <td data-label="Agents">
        <EnabledSwitch channel={channel} template={template} onChanged={onChanged} />
      </td>
      <td data-label="Last synced">
        <Time iso={template.last_synced_at} never="not yet" />
      </td>
    </tr>
  );
}

/** Whether agents may send the template: saved at once (PATCH), put back if the API refuses. */
export function EnabledSwitch({
  channel,
  template,
  onChanged,
}: {
  channel: Channel;
  template: Template;
  onChanged: (template: Template) => void;
}) {
  const { api } = useConsole();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [shown, setShown] = useState(template.enabled);
  useEffect(() => setShown(template.enabled), [template.enabled]);

  const toggle = async (enabled: boolean) => {
    setBusy(true);
    setError(null);
    setShown(enabled);
    try {
      onChanged(
        await api.templates.updateSettings(channel.id, template.name, template.language, { enabled }),
      );
    } catch (failure) {
      setShown(template.enabled);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="switch-cell">
      <label class="switch">
        <input
          type="checkbox"
          role="switch"
          checked={shown}
          disabled={busy || channel.status !== "active"}
          aria-label={`Enabled for agents: ${template.name} (${template.language})`}
          onChange={(event) => void toggle(event.currentTarget.checked)}
        />
        <span>Enabled for agents</span>
      </label>
      <span class={`fact-note${template.offered ? "" : " muted"}`}>
        {template.offered
          ? "Offered to agents"
          : template.enabled
            ? "Not offered until approved"
            : "Not offered"}
      </span>
      {error != null && (
        <span class="fact-note fact-note--bad" role="alert">
          {describeError(error)}
        </span>
      )}
    </div>
  );
}
