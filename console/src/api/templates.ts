/** The Templates section of the contract (api.md, "Templates"). */

import type { ApiClient, Schemas } from "./client";

export type Template = Schemas["TemplateOut"];
export type TemplatePage = Schemas["TemplatePage"];
export type TemplateSyncResult = Schemas["SyncResult"];
export type RenderedTemplate = Schemas["TemplatePreview"];
export type TemplateValues = Schemas["TemplateValues"];
export type TemplateSettingsChanges = Schemas["UpdateTemplateSettingsRequest"];
export type PreviewRequest = Schemas["PreviewTemplateRequest"];

/** A component in 360dialog's shape: HEADER, BODY, FOOTER or BUTTONS. */
export type TemplateComponent = Record<string, unknown>;

export interface NewTemplate {
  name: string;
  category: string;
  language: string;
  components: TemplateComponent[];
  allow_category_change?: boolean;
}

/** What the list can be narrowed to; "" (or null) is any. */
export interface TemplateFilters {
  search: string;
  status: string;
  category: string;
  language: string;
  enabled: boolean | null;
  offered: boolean | null;
}

export const NO_TEMPLATE_FILTERS: TemplateFilters = {
  search: "",
  status: "",
  category: "",
  language: "",
  enabled: null,
  offered: null,
};

export function templatesApi(client: ApiClient) {
  const channel = (channelId: string) => ({ channel_id: channelId });
  return {
    list: (
      channelId: string,
      filters: TemplateFilters,
      cursor: string | null = null,
      signal?: AbortSignal,
      limit = 25,
    ): Promise<TemplatePage> =>
      client.request("get", "/channels/{channel_id}/templates", {
        path: channel(channelId),
        query: {
          search: filters.search.trim() || null,
          status: filters.status || null,
          category: filters.category || null,
          language: filters.language.trim() || null,
          enabled: filters.enabled,
          offered: filters.offered,
          limit,
          cursor,
        },
        signal,
      }),
    /** One template by name and language: the list narrowed to it (the contract has no single GET). */
    async find(channelId: string, name: string, language: string, signal?: AbortSignal) {
      const filters = { ...NO_TEMPLATE_FILTERS, search: name, language };
      let cursor: string | null = null;
      do {
        const page: TemplatePage = await this.list(channelId, filters, cursor, signal, 100);
        const found = page.items.find((item) => item.name === name && item.language === language);
        if (found) return { template: found, lastSyncedAt: page.last_synced_at };
        cursor = page.next_cursor;
      } while (cursor !== null);
      return null;
    },
    /** Every language a name has (for the delete confirmation). */
    async languagesOf(channelId: string, name: string, signal?: AbortSignal): Promise<string[]> {
      const filters = { ...NO_TEMPLATE_FILTERS, search: name };
      const languages: string[] = [];
      let cursor: string | null = null;
      do {
        const page: TemplatePage = await this.list(channelId, filters, cursor, signal, 100);
        languages.push(...page.items.filter((item) => item.name === name).map((item) => item.language));
        cursor = page.next_cursor;
      } while (cursor !== null);
      return languages.sort();
    },
    sync: (channelId: string): Promise<TemplateSyncResult> =>
      client.request("post", "/channels/{channel_id}/templates/sync", { path: channel(channelId) }),
    submit: (channelId: string, body: NewTemplate): Promise<Template> =>
      client.request("post", "/channels/{channel_id}/templates", { path: channel(channelId), body }),
    preview: (channelId: string, body: PreviewRequest, signal?: AbortSignal): Promise<RenderedTemplate> =>
      client.request("post", "/channels/{channel_id}/templates/preview", {
        path: channel(channelId),
        body,
        signal,
      }),
    updateSettings: (channelId: string, name: string, language: string, body: TemplateSettingsChanges) =>
      client.request("patch", "/channels/{channel_id}/templates/{name}/{language}", {
        path: { channel_id: channelId, name, language },
        body,
      }),
    /** Deletes the name in every language. */
    remove: (channelId: string, name: string) =>
      client.request("delete", "/channels/{channel_id}/templates/{name}", {
        path: { channel_id: channelId, name },
      }),
  };
}

export type TemplatesApi = ReturnType<typeof templatesApi>;
