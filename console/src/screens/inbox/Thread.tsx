/** One conversation: the contact, the window's time left, every message oldest to newest (polled, so new
 * messages and ticks arrive), reply and react on a message, and the composer. Opening it marks the
 * customer's newest message read (the blue ticks on their phone). */

import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Channel } from "../../api/channels";
import { type Contact, contactName } from "../../api/contacts";
import { ApiError, describeError } from "../../api/errors";
import type { Conversation, Message } from "../../api/inbox";
import { useConsole } from "../../context";
import { Link } from "../../router";
import { ErrorNotice, Loading } from "../../ui/components";
import { useResource } from "../../ui/hooks";
import { Composer } from "./Composer";
import { dayLabel, fullTime, useNow, type WindowState, windowState } from "./format";
import { type LiveList, useLiveList } from "./live";
import { MessageView, type ReactionsOn } from "./MessageView";
import { conversationKey, countsAsCustomerMessage, markSeen } from "./unread";

const THREAD_POLL_MS = 3_000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** WhatsApp takes read receipts for messages up to 30 days old. */
const READ_RECEIPT_MAX_AGE_MS = 30 * DAY_MS;
const REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"];

/** Messages marked read in this tab, so that reopening a thread does not mark them again. */
const markedRead = new Set<string>();

export function Thread({
  channel,
  channelId,
  contactId,
  conversation,
  fallbackName,
  onActivity,
}: {
  channel: Channel | null;
  channelId: string;
  contactId: string;
  /** The conversation as the list has it, when it is there (its window is the API's own). */
  conversation: Conversation | null;
  /** The contact's name as the list knows it, for the heading while the contact loads. */
  fallbackName: string | null;
  /** Something was sent: the list should look again. */
  onActivity: () => void;
}) {
  const { api } = useConsole();
  const contact = useResource((signal) => api.contacts.get(contactId, signal), [contactId]);
  const messages = useLiveList(
    (cursor, signal) => api.inbox.messages(contactId, channelId, cursor, 50, signal),
    (message) => message.id,
    [contactId, channelId],
    THREAD_POLL_MS,
  );

  const now = useNow(15_000);
  const newestCustomerMessage = messages.items.find(countsAsCustomerMessage) ?? null;
  // The window: the list's answer when it has the conversation, else the thread's newest customer message.
  const expiresAt =
    conversation?.window_expires_at ??
    (newestCustomerMessage
      ? new Date(Date.parse(newestCustomerMessage.timestamp) + DAY_MS).toISOString().replace(/\.\d+Z$/, "Z")
      : null);
  const serviceWindow = windowState(expiresAt, now);

  // The section and its heading stay the same elements while the contact loads, so that the heading
  // keeps the focus it takes when the conversation opens.
  const data = contact.status === "ready" ? contact.data : null;
  const missing =
    contact.status === "error" && contact.error instanceof ApiError && contact.error.code === "not_found";
  const name = data ? contactName(data) : missing ? "No such conversation" : (fallbackName ?? "Conversation");
  return (
    <section class="thread" aria-labelledby="thread-heading">
      <header class="thread__header">
        <div>
          <h1 id="thread-heading" class="thread__title" tabIndex={-1}>
            {name}
          </h1>
          {data && (
            <p class="thread__who">
              {data.phone_number ?? data.whatsapp_id}
              {data.profile_name && data.profile_name !== name && <> · WhatsApp name “{data.profile_name}”</>}
              {channel && <> · via {channel.name}</>}
              {" · "}
              <Link href={`/contacts/${encodeURIComponent(data.id)}`}>Contact details</Link>
            </p>
          )}
        </div>
        {data && messages.status === "ready" && <WindowBadge state={serviceWindow} />}
      </header>
      {contact.status === "loading" && <Loading label="Loading the conversation" />}
      {contact.status === "error" &&
        (missing ? (
          <p class="empty">
            This workspace has no contact {contactId}. <Link href="/inbox">Back to the inbox</Link>.
          </p>
        ) : (
          <ErrorNotice title="Could not load the contact" error={contact.error} onRetry={contact.reload} />
        ))}
      {data && (
        <ThreadBody
          channel={channel}
          channelId={channelId}
          contact={data}
          messages={messages}
          serviceWindow={serviceWindow}
          newestCustomerMessage={newestCustomerMessage}
          now={now}
          onActivity={onActivity}
        />
      )}
    </section>
  );
}

function ThreadBody({
  channel,
  channelId,
  contact,
  messages,
  serviceWindow,
  newestCustomerMessage,
  now,
  onActivity,
}: {
  channel: Channel | null;
  channelId: string;
  contact: Contact;
  messages: LiveList<Message>;
  serviceWindow: WindowState;
  newestCustomerMessage: Message | null;
  now: number;
  onActivity: () => void;
}) {
  const { api } = useConsole();
  const name = contactName(contact);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [readError, setReadError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const log = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const stickToBottom = useRef(true);
  // The thread's size when it was last brought to its newest message.
  const bottomSize = useRef("");
  const key = conversationKey(channelId, contact.id);

  const oldestFirst = useMemo(() => messages.items.slice().reverse(), [messages.items]);
  const byId = useMemo(
    () => new Map(messages.items.map((message) => [message.id, message])),
    [messages.items],
  );
  const byWamid = useMemo(
    () =>
      new Map(
        messages.items
          .filter((message) => message.whatsapp_message_id)
          .map((message) => [message.whatsapp_message_id as string, message]),
      ),
    [messages.items],
  );
  // Each side's latest reaction per message; a reaction without an emoji takes it back.
  const reactions = useMemo(() => {
    const on = new Map<string, ReactionsOn>();
    for (const message of oldestFirst) {
      if (message.type !== "reaction" || message.status === "failed") continue;
      const reaction = message.reaction as { message_id?: string; emoji?: string | null } | null;
      if (!reaction?.message_id) continue;
      const current = on.get(reaction.message_id) ?? { customer: null, business: null };
      const emoji = reaction.emoji || null;
      on.set(
        reaction.message_id,
        message.direction === "inbound" ? { ...current, customer: emoji } : { ...current, business: emoji },
      );
    }
    return on;
  }, [oldestFirst]);

  const disconnected = channel?.status === "disconnected";
  const visible = useVisible();

  // What is shown is read: the unread count drops, and the customer gets their blue ticks.
  useEffect(() => {
    if (!newestCustomerMessage || !visible) return;
    markSeen(key, newestCustomerMessage.timestamp);
    // The receipt goes to the newest message proper (marking it marks all before it), not a reaction.
    const receiptFor = messages.items.find(
      (message) =>
        countsAsCustomerMessage(message) && message.type !== "reaction" && message.whatsapp_message_id,
    );
    if (!receiptFor) return;
    const { id, timestamp } = receiptFor;
    if (disconnected || markedRead.has(id) || Date.now() - Date.parse(timestamp) > READ_RECEIPT_MAX_AGE_MS)
      return;
    markedRead.add(id);
    api.inbox.markRead(id).then(
      () => setReadError(null),
      (error: unknown) => {
        markedRead.delete(id);
        setReadError(error);
      },
    );
  }, [newestCustomerMessage?.id, key, disconnected, visible]);

  // Open at the newest message; follow new ones unless the agent has scrolled up to read.
  const newestId = messages.items[0]?.id;
  useLayoutEffect(() => {
    const element = log.current;
    if (element && stickToBottom.current) toBottom(element);
  }, [newestId, messages.status]);
  // Photos, players and files take their size once loaded, and a narrower screen rewraps the bubbles:
  // while the agent has not scrolled up, the newest message stays in view.
  const ready = messages.status === "ready";
  useEffect(() => {
    const element = log.current;
    if (!ready || !element || !list.current) return;
    const observer = new ResizeObserver(() => {
      if (stickToBottom.current) toBottom(element);
    });
    observer.observe(element);
    observer.observe(list.current);
    return () => observer.disconnect();
  }, [ready]);

  function toBottom(element: HTMLElement) {
    element.scrollTop = element.scrollHeight;
    bottomSize.current = sizeOf(element);
  }

  const sent = (message: Message) => {
    stickToBottom.current = true;
    messages.upsert(message);
    messages.refresh();
    onActivity();
  };

  const react = async (target: Message, emoji: string) => {
    try {
      const sentReaction = await api.inbox.send(
        channelId,
        { to: contact.id, type: "reaction", reaction: { message_id: target.id, emoji } },
        `console-reaction-${target.id}-${Date.now()}`,
      );
      sent(sentReaction);
    } catch (error) {
      setReadError(null);
      setActionError(error);
    }
  };

  let lastDay = "";
  return (
    <>
      {messages.refreshError != null && (
        <p class="thread__stale" role="status">
          Could not refresh: {describeError(messages.refreshError)} Retrying…
        </p>
      )}
      {readError != null && (
        <p class="thread__stale" role="status">
          Could not mark the customer's message read: {describeError(readError)}
        </p>
      )}
      {actionError != null && (
        <div class="notice notice--error" role="alert">
          {describeError(actionError)}{" "}
          <button
            type="button"
            class="button button--secondary button--small"
            onClick={() => setActionError(null)}
          >
            Dismiss
          </button>
        </div>
      )}
      {messages.status === "loading" && <Loading label="Loading the messages" />}
      {messages.status === "error" && (
        <ErrorNotice title="Could not load the messages" error={messages.error} onRetry={messages.refresh} />
      )}
      {messages.status === "ready" && (
        <div
          class="thread__scroller"
          ref={log}
          tabIndex={0}
          role="log"
          aria-label={`Messages with ${name}`}
          onScroll={(event) => {
            const element = event.currentTarget;
            // At a new size, the browser scrolls to keep what is shown in place (scroll anchoring), and that
            // scroll may come before the ResizeObserver: it is not the agent's, so the thread stays down.
            if (stickToBottom.current && sizeOf(element) !== bottomSize.current) {
              toBottom(element);
              return;
            }
            stickToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 120;
          }}
        >
          {messages.hasMore && (
            <p class="thread__older">
              <button
                type="button"
                class="button button--secondary button--small"
                onClick={() => {
                  stickToBottom.current = false;
                  messages.loadMore();
                }}
                disabled={messages.loadingMore}
              >
                {messages.loadingMore ? "Loading older messages…" : "Load older messages"}
              </button>
            </p>
          )}
          {messages.moreError != null && (
            <ErrorNotice
              title="Could not load older messages"
              error={messages.moreError}
              onRetry={messages.loadMore}
            />
          )}
          {oldestFirst.length === 0 && (
            <p class="muted thread__empty">No message in this conversation yet.</p>
          )}
          <ol class="messages" ref={list} aria-label="Messages">
            {oldestFirst.map((message) => {
              const day = dayLabel(message.timestamp, now);
              const separator = day !== lastDay ? day : null;
              lastDay = day;
              const reactionTarget =
                message.type === "reaction"
                  ? byWamid.get((message.reaction as { message_id?: string } | null)?.message_id ?? "")
                  : undefined;
              const canAct =
                serviceWindow.open &&
                !disconnected &&
                message.whatsapp_message_id !== null &&
                message.status !== "failed" &&
                message.type !== "reaction" &&
                message.type !== "system";
              return (
                <li
                  key={message.id}
                  class={`messages__item messages__item--${message.direction === "inbound" ? "in" : "out"}`}
                >
                  {separator && (
                    <p class="day" role="separator">
                      {separator}
                    </p>
                  )}
                  <MessageView
                    message={message}
                    quoted={message.context ? (byId.get(message.context) ?? null) : undefined}
                    reactions={
                      message.whatsapp_message_id ? reactions.get(message.whatsapp_message_id) : undefined
                    }
                    reactedTo={reactionTarget ?? null}
                    customerName={name}
                    actions={
                      canAct ? (
                        <MessageActions
                          message={message}
                          ownReaction={
                            message.whatsapp_message_id
                              ? (reactions.get(message.whatsapp_message_id)?.business ?? null)
                              : null
                          }
                          onReply={() => setReplyTo(message)}
                          onReact={(emoji) => void react(message, emoji)}
                        />
                      ) : undefined
                    }
                  />
                </li>
              );
            })}
          </ol>
        </div>
      )}
      {disconnected ? (
        <p class="notice notice--warning">
          {channel?.name} is disconnected: its history stays readable, nothing can be sent through it.
        </p>
      ) : (
        channel && (
          <Composer
            channelId={channelId}
            contact={contact}
            window={serviceWindow}
            replyTo={replyTo}
            onCancelReply={() => setReplyTo(null)}
            onSent={sent}
            onWindowClosed={() => {
              messages.refresh();
              onActivity();
            }}
          />
        )
      )}
    </>
  );
}

function sizeOf(element: HTMLElement): string {
  return `${element.scrollHeight}×${element.clientHeight}`;
}

/** Whether the tab is in front: a message that arrived while it was not is read once it is. */
function useVisible(): boolean {
  const [visible, setVisible] = useState(document.visibilityState === "visible");
  useEffect(() => {
    const update = () => setVisible(document.visibilityState === "visible");
    document.addEventListener("visibilitychange", update);
    return () => document.removeEventListener("visibilitychange", update);
  }, []);
  return visible;
}

/** The window's state in words: "Window open · 23 h 5 min left", "Window closed · closed 2 h ago". */
export function WindowBadge({ state, compact = false }: { state: WindowState; compact?: boolean }) {
  const title = state.expiresAt
    ? `${state.open ? "Closes" : "Closed"} ${fullTime(state.expiresAt.toISOString())}`
    : undefined;
  const text = state.open
    ? `${compact ? "Open" : "Window open"} · ${state.label}`
    : compact
      ? "Window closed"
      : `Window closed${state.expiresAt ? ` · ${state.label}` : ""}`;
  return (
    <span
      class={`window-state window-state--${state.open ? "open" : "closed"}`}
      data-window={state.open ? "open" : "closed"}
      title={title}
    >
      {text}
    </span>
  );
}

function MessageActions({
  message,
  ownReaction,
  onReply,
  onReact,
}: {
  message: Message;
  ownReaction: string | null;
  onReply: () => void;
  onReact: (emoji: string) => void;
}) {
  const [picking, setPicking] = useState(false);
  const first = useRef<HTMLButtonElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (picking) first.current?.focus();
  }, [picking]);
  const close = () => {
    setPicking(false);
    toggle.current?.focus();
  };
  const about = message.direction === "inbound" ? "the customer's message" : "your message";
  return (
    <div class="bubble__actions">
      <button type="button" class="action" onClick={onReply} aria-label={`Reply to ${about}`}>
        Reply
      </button>
      <button
        type="button"
        class="action"
        ref={toggle}
        aria-expanded={picking}
        aria-label={`React to ${about}`}
        onClick={() => setPicking((open) => !open)}
      >
        React
      </button>
      {picking && (
        <div
          class="reaction-picker"
          role="group"
          aria-label="Reactions"
          onKeyDown={(event) => {
            if (event.key === "Escape") {
              event.stopPropagation();
              close();
            }
          }}
        >
          {REACTIONS.map((emoji, index) => (
            <button
              type="button"
              key={emoji}
              ref={index === 0 ? first : undefined}
              class={`reaction-picker__emoji${ownReaction === emoji ? " reaction-picker__emoji--current" : ""}`}
              aria-pressed={ownReaction === emoji}
              onClick={() => {
                onReact(emoji);
                close();
              }}
            >
              {emoji}
            </button>
          ))}
          {ownReaction && (
            <button
              type="button"
              class="action"
              onClick={() => {
                onReact("");
                close();
              }}
            >
              Remove my reaction
            </button>
          )}
        </div>
      )}
    </div>
  );
}
