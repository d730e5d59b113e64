/** The inbox's part of the contract (api.md, "Contacts, conversations, messages" and "Media"), plus the
 * two template routes the composer needs to send one (the sendable templates and the preview). */

import type { ApiClient, Page, Schemas } from "./client";

export type Conversation = Schemas["ConversationOut"];
export type Message = Schemas["MessageOut"];
export type SendMessage = Schemas["SendMessageRequest"];
export type MediaLink = Schemas["MediaLink"];
export type NewUpload = Schemas["NewUpload"];
export type Template = Schemas["TemplateOut"];
export type TemplatePreview = Schemas["TemplatePreview"];
export type TemplateParameters = Schemas["TemplateParameters"];

/** What `last_message` of a conversation holds (the contract types it as an open object). */
export interface MessageSummary {
  id?: string;
  direction?: "inbound" | "outbound";
  type?: string;
  text?: string | null;
  timestamp?: string;
}

export function summaryOf(conversation: Conversation): MessageSummary | null {
  return (conversation.last_message as MessageSummary | null) ?? null;
}

export function inboxApi(client: ApiClient) {
  return {
    conversations: (
      channelId: string | null,
      cursor: string | null = null,
      signal?: AbortSignal,
    ): Promise<Page<Conversation>> =>
      client.request("get", "/conversations", {
        query: { channel_id: channelId, cursor, limit: 25 },
        signal,
      }),
    /** A contact's messages on one channel, newest first. */
    messages: (
      contactId: string,
      channelId: string,
      cursor: string | null = null,
      limit = 50,
      signal?: AbortSignal,
    ): Promise<Page<Message>> =>
      client.request("get", "/contacts/{contact_id}/messages", {
        path: { contact_id: contactId },
        query: { channel_id: channelId, cursor, limit },
        signal,
      }),
    /** A short-lived signed URL of a message's file; 409 media_not_ready while it is being copied. */
    media: (messageId: string, signal?: AbortSignal) =>
      client.request("get", "/messages/{message_id}/media", { path: { message_id: messageId }, signal }),
    markRead: (messageId: string) =>
      client.request("post", "/messages/{message_id}/read", { path: { message_id: messageId } }),
    /** Sends; the same `idempotencyKey` for the same body never sends twice. */
    send: (channelId: string, body: SendMessage, idempotencyKey: string) =>
      client.request("post", "/channels/{channel_id}/messages", {
        path: { channel_id: channelId },
        body,
        headers: { "Idempotency-Key": idempotencyKey },
      }),
    /** Step one of sending a file: where to PUT it (the file then goes straight to the media bucket). */
    createUpload: (channelId: string, file: { filename: string; mime_type: string; file_size: number }) =>
      client.request("post", "/channels/{channel_id}/media/uploads", {
        path: { channel_id: channelId },
        body: file,
      }),
    /** The templates agents may send now on a channel: approved and enabled. */
    sendableTemplates: (channelId: string, signal?: AbortSignal) =>
      client.request("get", "/channels/{channel_id}/templates", {
        path: { channel_id: channelId },
        query: { offered: true, limit: 100 },
        signal,
      }),
    previewTemplate: (
      channelId: string,
      body: { name: string; language: string; contact_id: string; parameters: TemplateParameters },
      signal?: AbortSignal,
    ) =>
      client.request("post", "/channels/{channel_id}/templates/preview", {
        path: { channel_id: channelId },
        body,
        signal,
      }),
  };
}

export type InboxApi = ReturnType<typeof inboxApi>;
