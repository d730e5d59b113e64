/** A list that stays fresh: the newest page is polled (while the tab is visible), older pages load on
 * request, and a failed refresh keeps what is shown and says so. Polling is how ticks, new messages and
 * new conversations arrive: the API has no push channel. */

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Page } from "../../api/client";

export interface LiveList<Item> {
  status: "loading" | "error" | "ready";
  items: Item[];
  /** Why the first load failed. */
  error: unknown;
  /** Why the last refresh failed (what is shown is older); null when it worked. */
  refreshError: unknown;
  hasMore: boolean;
  loadingMore: boolean;
  moreError: unknown;
  loadMore: () => void;
  /** Loads the newest page now (after a send, or "Try again"). */
  refresh: () => void;
  /** Puts an item the screen already has (a message just sent) in place, newest first. */
  upsert: (item: Item) => void;
}

export function useLiveList<Item>(
  loadPage: (cursor: string | null, signal: AbortSignal) => Promise<Page<Item>>,
  keyOf: (item: Item) => string,
  deps: readonly unknown[],
  intervalMs: number,
): LiveList<Item> {
  const [status, setStatus] = useState<LiveList<Item>["status"]>("loading");
  const [items, setItems] = useState<Item[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [refreshError, setRefreshError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const loadRef = useRef(loadPage);
  loadRef.current = loadPage;
  const keyRef = useRef(keyOf);
  keyRef.current = keyOf;
  const current = useRef({ items, cursor });
  current.current = { items, cursor };
  const generation = useRef(0);
  const inFlight = useRef<AbortController | null>(null);

  const poll = useCallback((initial: boolean) => {
    if (!initial && inFlight.current) return;
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    const mine = generation.current;
    loadRef.current(null, controller.signal).then(
      (page) => {
        if (controller.signal.aborted || mine !== generation.current) return;
        inFlight.current = null;
        const merged = initial
          ? { items: page.items, cursor: page.next_cursor }
          : mergeNewest(page, current.current.items, current.current.cursor, keyRef.current);
        setItems(merged.items);
        setCursor(merged.cursor);
        setStatus("ready");
        setRefreshError(null);
      },
      (failure: unknown) => {
        if (controller.signal.aborted || mine !== generation.current) return;
        inFlight.current = null;
        if (initial) {
          setError(failure);
          setStatus("error");
        } else {
          setRefreshError(failure);
        }
      },
    );
  }, []);

  // A change of what to list starts over.
  useEffect(() => {
    generation.current += 1;
    setStatus("loading");
    setItems([]);
    setCursor(null);
    setError(null);
    setRefreshError(null);
    setMoreError(null);
    setLoadingMore(false);
    poll(true);
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") poll(false);
    }, intervalMs);
    const onVisible = () => {
      if (document.visibilityState === "visible") poll(false);
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
      inFlight.current?.abort();
      inFlight.current = null;
    };
  }, deps);

  const loadMore = useCallback(() => {
    const from = current.current.cursor;
    if (from === null || loadingMore) return;
    const mine = generation.current;
    setLoadingMore(true);
    setMoreError(null);
    loadRef.current(from, new AbortController().signal).then(
      (page) => {
        if (mine !== generation.current) return;
        setItems((previous) => {
          const known = new Set(previous.map(keyRef.current));
          return [...previous, ...page.items.filter((item) => !known.has(keyRef.current(item)))];
        });
        setCursor(page.next_cursor);
        setLoadingMore(false);
      },
      (failure: unknown) => {
        if (mine !== generation.current) return;
        setMoreError(failure);
        setLoadingMore(false);
      },
    );
  }, [loadingMore]);

  const refresh = useCallback(() => {
    if (current.current.items.length === 0 && status !== "ready") {
      setStatus("loading");
      poll(true);
    } else {
      inFlight.current?.abort();
      inFlight.current = null;
      poll(false);
    }
  }, [status]);

  const upsert = useCallback((item: Item) => {
    setItems((previous) => {
      const key = keyRef.current(item);
      const index = previous.findIndex((candidate) => keyRef.current(candidate) === key);
      if (index === -1) return [item, ...previous];
      const next = previous.slice();
      next[index] = item;
      return next;
    });
  }, []);

  return {
    status,
    items,
    error,
    refreshError,
    hasMore: cursor !== null,
    loadingMore,
    moreError,
    loadMore,
    refresh,
    upsert,
  };
}

/** The newest page in front of the older items already loaded, if the two still meet; otherwise (more
 * arrived than a page holds) only the newest page, with its cursor. */
export function mergeNewest<Item>(
  page: Page<Item>,
  shown: readonly Item[],
  shownCursor: string | null,
  keyOf: (item: Item) => string,
): { items: Item[]; cursor: string | null } {
  if (page.next_cursor === null || shown.length === 0) return { items: page.items, cursor: page.next_cursor };
  const fresh = new Set(page.items.map(keyOf));
  let lastOverlap = -1;
  shown.forEach((item, index) => {
    if (fresh.has(keyOf(item))) lastOverlap = index;
  });
  if (lastOverlap === -1) return { items: page.items, cursor: page.next_cursor };
  const older = shown.slice(lastOverlap + 1).filter((item) => !fresh.has(keyOf(item)));
  return older.length === 0
    ? { items: page.items, cursor: page.next_cursor }
    : { items: [...page.items, ...older], cursor: shownCursor };
}
