/**
 * Unread counts. The contract has no read state for a customer's messages (`POST /messages/{id}/read`
 * sends the blue ticks to the customer and stores nothing), so the console derives the count from what
 * the API gives:
 *
 *   unread = the customer's messages newer than the business's last message in the conversation, and
 *            newer than the newest one this browser tab has shown in the open thread.
 *
 * A reply answers everything before it; opening a thread reads it. System messages (a number change)
 * are not the customer's, so they do not count. What the tab has shown is kept in memory only (nothing
 * but the token goes to local storage), so a reload counts from the last reply again.
 *
 * Counting needs the newest messages of a conversation whose last message is the customer's; they are
 * fetched once per new last message (`UNREAD_PAGE` at most, shown as "25+" beyond).
 */

import type { Message } from "../../api/inbox";

export const UNREAD_PAGE = 25;

/** Per conversation (channel and contact): the time of the newest customer message shown in the thread. */
const seenUntil = new Map<string, number>();
const listeners = new Set<() => void>();

export function conversationKey(channelId: string, contactId: string): string {
  return `${channelId} ${contactId}`;
}

export function markSeen(key: string, timestamp: string): void {
  const time = Date.parse(timestamp);
  if (Number.isNaN(time) || (seenUntil.get(key) ?? 0) >= time) return;
  seenUntil.set(key, time);
  for (const listener of listeners) listener();
}

export function onSeenChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function countsAsCustomerMessage(message: Pick<Message, "direction" | "type">): boolean {
  return message.direction === "inbound" && message.type !== "system";
}

/** The unread count from a conversation's newest messages (newest first); `more` when the page held
 * nothing but unread messages and there are older ones. */
export function unreadCount(
  key: string,
  newestFirst: readonly Pick<Message, "direction" | "type" | "timestamp">[],
  hasOlder: boolean,
): { count: number; more: boolean } {
  const seen = seenUntil.get(key) ?? 0;
  let count = 0;
  for (const message of newestFirst) {
    if (message.direction === "outbound") return { count, more: false };
    if (Date.parse(message.timestamp) <= seen) return { count, more: false };
    if (countsAsCustomerMessage(message)) count += 1;
  }
  return { count, more: hasOlder };
}
