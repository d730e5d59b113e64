/** The Channels section of the contract (api.md, "Channels"). */

import type { ApiClient, Page, Schemas } from "./client";

export type Channel = Schemas["ChannelOut"];
export type ChannelHealth = Schemas["HealthOut"];
export type HealthProblem = Schemas["ProblemOut"];
export type AuditEntry = Schemas["AuditEntryOut"];
export type AuditAction = AuditEntry["action"];
export type ApiGeneration = Channel["api_generation"];
export type ConnectChannel = Schemas["ConnectChannelRequest"];
export type ChannelChanges = Schemas["UpdateChannelRequest"];

/** Errors of these codes concern one field of a channel form. */
export const CHANNEL_ERROR_FIELDS = {
  invalid_api_key: "api_key",
  channel_exists: "phone_number",
} as const;

export function channelsApi(client: ApiClient) {
  const channel = (channelId: string) => ({ channel_id: channelId });
  return {
    list: (cursor: string | null = null, limit = 25, signal?: AbortSignal): Promise<Page<Channel>> =>
      client.request("get", "/channels", { query: { cursor, limit }, signal }),
    get: (channelId: string, signal?: AbortSignal) =>
      client.request("get", "/channels/{channel_id}", { path: channel(channelId), signal }),
    connect: (body: ConnectChannel) => client.request("post", "/channels", { body }),
    update: (channelId: string, body: ChannelChanges) =>
      client.request("patch", "/channels/{channel_id}", { path: channel(channelId), body }),
    disconnect: (channelId: string) =>
      client.request("delete", "/channels/{channel_id}", { path: channel(channelId) }),
    viewApiKey: (channelId: string) =>
      client.request("get", "/channels/{channel_id}/api-key", { path: channel(channelId) }),
    replaceApiKey: (channelId: string, apiKey: string) =>
      client.request("put", "/channels/{channel_id}/api-key", {
        path: channel(channelId),
        body: { api_key: apiKey },
      }),
    refreshApiKey: (channelId: string) =>
      client.request("post", "/channels/{channel_id}/api-key/refresh", { path: channel(channelId) }),
    health: (channelId: string, signal?: AbortSignal) =>
      client.request("get", "/channels/{channel_id}/health", { path: channel(channelId), signal }),
    audit: (
      channelId: string,
      cursor: string | null = null,
      signal?: AbortSignal,
    ): Promise<Page<AuditEntry>> =>
      client.request("get", "/channels/{channel_id}/audit", {
        path: channel(channelId),
        query: { cursor, limit: 50 },
        signal,
      }),
    syncTemplates: (channelId: string) =>
      client.request("post", "/channels/{channel_id}/templates/sync", { path: channel(channelId) }),
    syncProfile: (channelId: string) =>
      client.request("post", "/channels/{channel_id}/profile/sync", { path: channel(channelId) }),
  };
}

export type ChannelsApi = ReturnType<typeof channelsApi>;
