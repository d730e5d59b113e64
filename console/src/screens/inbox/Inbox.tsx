/**
 * The inbox: conversations newest first (all channels or one), each with its unread count and the
 * window's time left, and the open conversation beside them (on a phone, one or the other). The list is
 * polled, so new conversations and messages arrive without reloading.
 *
 *   /inbox?channel=ch_…                      the list, optionally of one channel
 *   /inbox/{channel_id}/{contact_id}?channel=…   the list and that conversation
 */

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Channel } from "../../api/channels";
import { contactName } from "../../api/contacts";
import { type Conversation, type Message, summaryOf } from "../../api/inbox";
import { useConsole } from "../../context";
import { Link, navigate, type RouteParams, useLocation } from "../../router";
import { ErrorNotice, Loading, LoadMore, Time } from "../../ui/components";
import { useDocumentTitle, useResource } from "../../ui/hooks";
import { useNow, windowState } from "./format";
import "./inbox.css";
import { useLiveList } from "./live";
import { snippet } from "./MessageView";
import { Thread, WindowBadge } from "./Thread";
import { conversationKey, onSeenChange, UNREAD_PAGE, unreadCount } from "./unread";

const LIST_POLL_MS = 10_000;

export function Inbox({ params }: { params: RouteParams }) {
  const { api } = useConsole();
  const { query } = useLocation();
  const filter = query.get("channel") || null;
  const openChannelId = params.channelId ?? null;
  const openContactId = params.contactId ?? null;
  const now = useNow(30_000);

  const channels = useResource((signal) => api.channels.list(null, 100, signal), []);
  const conversations = useLiveList(
    (cursor, signal) => api.inbox.conversations(filter, cursor, signal),
    (conversation: Conversation) => conversationKey(conversation.channel_id, conversation.contact.id),
    [filter],
    LIST_POLL_MS,
  );
  const unread = useUnreadCounts(conversations.items);
  const openChannel = useResource(
    (signal) => (openChannelId ? api.channels.get(openChannelId, signal) : Promise.resolve(null)),
    [openChannelId],
  );

  const channelList = channels.status === "ready" ? channels.data.items : [];
  const channelName = (id: string) => channelList.find((channel) => channel.id === id)?.name ?? id;
  const open =
    openChannelId && openContactId
      ? (conversations.items.find(
          (item) => item.channel_id === openChannelId && item.contact.id === openContactId,
        ) ?? null)
      : null;
  const openName = open ? contactName(open.contact) : null;
  useDocumentTitle(openContactId ? `${openName ?? "Conversation"} · Inbox` : "Inbox");

  const keepFilter = filter ? `?channel=${encodeURIComponent(filter)}` : "";
  const threadOpen = Boolean(openChannelId && openContactId);

  return (
    <section class={`inbox${threadOpen ? " inbox--thread-open" : ""}`}>
      <div class="page-header inbox__header">
        {threadOpen ? (
          <p class="inbox__title">Inbox</p>
        ) : (
          <h1 tabIndex={-1} class="inbox__title">
            Inbox
          </h1>
        )}
        <ChannelPicker
          channels={channelList}
          loading={channels.status === "loading"}
          value={filter}
          onChange={(channelId) => {
            const here = threadOpen
              ? `/inbox/${encodeURIComponent(openChannelId ?? "")}/${encodeURIComponent(openContactId ?? "")}`
              : "/inbox";
            navigate(`${here}${channelId ? `?channel=${encodeURIComponent(channelId)}` : ""}`, {
              replace: true,
            });
          }}
        />
      </div>
      {channels.status === "error" && (
        <ErrorNotice title="Could not load the channels" error={channels.error} onRetry={channels.reload} />
      )}
      <div class="inbox__panes">
        <nav class="inbox__list" aria-label="Conversations">
          {threadOpen && <h2 class="visually-hidden">Conversations</h2>}
          {conversations.status === "loading" && <Loading label="Loading conversations" />}
          {conversations.status === "error" && (
            <ErrorNotice
              title="Could not load the conversations"
              error={conversations.error}
              onRetry={conversations.refresh}
            />
          )}
          {conversations.refreshError != null && (
            <p class="thread__stale" role="status">
              Could not refresh the list; retrying.
            </p>
          )}
          {conversations.status === "ready" && conversations.items.length === 0 && (
            <div class="empty">
              <p>
                No conversation yet{filter ? ` on ${channelName(filter)}` : ""}. When a customer writes to a
                connected number, the conversation appears here.
              </p>
              <p>
                <Link href="/channels">The channels</Link>
              </p>
            </div>
          )}
          {conversations.items.length > 0 && (
            <ul class="conversations">
              {conversations.items.map((conversation) => {
                const key = conversationKey(conversation.channel_id, conversation.contact.id);
                const summary = summaryOf(conversation);
                const counted = unread(conversation);
                const state = windowState(conversation.window_expires_at, now);
                const name = contactName(conversation.contact);
                return (
                  <li key={key}>
                    <Link
                      class="conversation"
                      href={`/inbox/${encodeURIComponent(conversation.channel_id)}/${encodeURIComponent(conversation.contact.id)}${keepFilter}`}
                    >
                      <span class="conversation__avatar" aria-hidden="true">
                        {name.trim().charAt(0).toUpperCase() || "?"}
                      </span>
                      <span class="conversation__main">
                        <span class="conversation__top">
                          <span class="conversation__name">{name}</span>
                          {summary?.timestamp && (
                            <span class="conversation__time">
                              <Time iso={summary.timestamp} />
                            </span>
                          )}
                        </span>
                        <span class="conversation__last">
                          {summary?.direction === "outbound" && <span class="muted">You: </span>}
                          {summary
                            ? snippet({
                                type: summary.type ?? "text",
                                text: summary.text ?? null,
                                media: null,
                                interactive: null,
                                button: null,
                              })
                            : "No message yet"}
                        </span>
                        <span class="conversation__facts">
                          {!filter && (
                            <span class="conversation__channel">{channelName(conversation.channel_id)}</span>
                          )}
                          <WindowBadge state={state} compact />
                          {counted && counted.count > 0 && (
                            <span class="unread" data-unread={counted.count}>
                              {counted.count}
                              {counted.more ? "+" : ""}
                              <span class="visually-hidden"> unread</span>
                            </span>
                          )}
                        </span>
                      </span>
                    </Link>
                  </li>
                );
              })}
            </ul>
          )}
          {conversations.status === "ready" && (
            <LoadMore
              hasMore={conversations.hasMore}
              loadingMore={conversations.loadingMore}
              onLoadMore={conversations.loadMore}
              error={conversations.moreError}
            />
          )}
        </nav>
        <div class="inbox__thread">
          {threadOpen && openChannelId && openContactId ? (
            <>
              <p class="inbox__back">
                <Link href={`/inbox${keepFilter}`}>‹ All conversations</Link>
              </p>
              {openChannel.status === "error" ? (
                <ErrorNotice
                  title="Could not load the channel"
                  error={openChannel.error}
                  onRetry={openChannel.reload}
                />
              ) : (
                <Thread
                  key={`${openChannelId} ${openContactId}`}
                  channel={openChannel.status === "ready" ? openChannel.data : null}
                  channelId={openChannelId}
                  contactId={openContactId}
                  conversation={open}
                  fallbackName={openName}
                  onActivity={conversations.refresh}
                />
              )}
            </>
          ) : (
            <p class="inbox__placeholder">Choose a conversation to read it and reply.</p>
          )}
        </div>
      </div>
    </section>
  );
}

function ChannelPicker({
  channels,
  loading,
  value,
  onChange,
}: {
  channels: Channel[];
  loading: boolean;
  value: string | null;
  onChange: (channelId: string | null) => void;
}) {
  return (
    <div class="channel-picker">
      <label for="inbox-channel" class="field__label">
        Channel
      </label>
      <select
        id="inbox-channel"
        value={value ?? ""}
        disabled={loading}
        onChange={(event) => onChange(event.currentTarget.value || null)}
      >
        <option value="">All channels</option>
        {value && !channels.some((channel) => channel.id === value) && <option value={value}>{value}</option>}
        {channels.map((channel) => (
          <option key={channel.id} value={channel.id}>
            {channel.name} ({channel.phone_number})
            {channel.status === "disconnected" ? " · disconnected" : ""}
          </option>
        ))}
      </select>
    </div>
  );
}

interface Head {
  lastId: string;
  newestFirst: Message[];
  hasOlder: boolean;
}

/** The unread count of each conversation (see unread.ts for how it is derived): the newest messages
 * of a conversation whose last message is the customer's are fetched once per new last message. */
function useUnreadCounts(conversations: Conversation[]) {
  const { api } = useConsole();
  const heads = useRef(new Map<string, Head>());
  const [, setVersion] = useState(0);
  const bump = useCallback(() => setVersion((version) => version + 1), []);
  useEffect(() => onSeenChange(bump), [bump]);

  useEffect(() => {
    const controller = new AbortController();
    const wanted = conversations.filter((conversation) => {
      const summary = summaryOf(conversation);
      if (summary?.direction !== "inbound" || !summary.id) return false;
      const key = conversationKey(conversation.channel_id, conversation.contact.id);
      return heads.current.get(key)?.lastId !== summary.id;
    });
    void (async () => {
      // A few at a time: a page of conversations is at most 25 small requests.
      for (let start = 0; start < wanted.length && !controller.signal.aborted; start += 4) {
        await Promise.all(
          wanted.slice(start, start + 4).map((conversation) =>
            api.inbox
              .messages(
                conversation.contact.id,
                conversation.channel_id,
                null,
                UNREAD_PAGE,
                controller.signal,
              )
              .then(
                (page) => {
                  heads.current.set(conversationKey(conversation.channel_id, conversation.contact.id), {
                    lastId: summaryOf(conversation)?.id ?? "",
                    newestFirst: page.items,
                    hasOlder: page.next_cursor !== null,
                  });
                  bump();
                },
                () => undefined, // No count is shown; the next refresh tries again.
              ),
          ),
        );
      }
    })();
    return () => controller.abort();
  }, [conversations]);

  return (conversation: Conversation): { count: number; more: boolean } | null => {
    const summary = summaryOf(conversation);
    if (summary?.direction !== "inbound") return { count: 0, more: false };
    const key = conversationKey(conversation.channel_id, conversation.contact.id);
    const head = heads.current.get(key);
    if (!head || head.lastId !== summary.id) return null;
    return unreadCount(key, head.newestFirst, head.hasOlder);
  };
}
