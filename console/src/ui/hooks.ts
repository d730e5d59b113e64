/** Loading data, paging lists and submitting forms, with the states every screen shows. */

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Page } from "../api/client";
import { type FormErrors, formErrors, NO_FORM_ERRORS } from "../api/errors";

export type Resource<T> =
  | { status: "loading"; reload: () => void }
  | { status: "error"; error: unknown; reload: () => void }
  | { status: "ready"; data: T; reloading: boolean; reload: () => void; replace: (data: T) => void };

/** Loads once per change of `deps`; `reload` loads again and keeps showing the old data meanwhile. */
export function useResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
): Resource<T> {
  const [state, setState] = useState<
    | { status: "loading" }
    | { status: "error"; error: unknown }
    | { status: "ready"; data: T; reloading: boolean }
  >({ status: "loading" });
  const [version, setVersion] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // A change of what to load starts over from "loading".
  useEffect(() => setState({ status: "loading" }), deps);
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) =>
      previous.status === "ready" ? { ...previous, reloading: true } : { status: "loading" },
    );
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: "ready", data, reloading: false });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ status: "error", error });
      },
    );
    return () => controller.abort();
  }, [...deps, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const replace = useCallback((data: T) => setState({ status: "ready", data, reloading: false }), []);
  if (state.status === "ready") return { ...state, reload, replace };
  return { ...state, reload };
}

export interface PagedList<Item> {
  status: "loading" | "error" | "ready";
  items: Item[];
  error: unknown;
  /** The first page is asked again (a reload, other filters) while the old items stay on screen. */
  reloading: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

/**
 * A list the API pages with `next_cursor`: the first page, then more on request. Asking for the first page
 * again (`reload`, a change of `deps`) keeps the items on screen until the answer replaces them.
 */
export function usePagedList<Item>(
  loadPage: (cursor: string | null, signal: AbortSignal) => Promise<Page<Item>>,
  deps: readonly unknown[],
): PagedList<Item> {
  const [items, setItems] = useState<Item[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<PagedList<Item>["status"]>("loading");
  const [reloading, setReloading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [version, setVersion] = useState(0);
  const loadRef = useRef(loadPage);
  loadRef.current = loadPage;
  const moreController = useRef<AbortController | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    moreController.current?.abort();
    setStatus((previous) => (previous === "ready" ? "ready" : "loading"));
    setReloading(true);
    setError(null);
    setLoadingMore(false);
    loadRef.current(null, controller.signal).then(
      (page) => {
        if (controller.signal.aborted) return;
        setItems(page.items);
        setCursor(page.next_cursor);
        setStatus("ready");
        setReloading(false);
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return;
        // The old items answered other filters, or are what failed to refresh: not shown under the error.
        setItems([]);
        setCursor(null);
        setError(failure);
        setStatus("error");
        setReloading(false);
      },
    );
    return () => controller.abort();
  }, [...deps, version]);

  const loadMore = useCallback(() => {
    // While the first page is asked again, the cursor belongs to the list being replaced.
    if (cursor === null || loadingMore || reloading) return;
    const controller = new AbortController();
    moreController.current = controller;
    setLoadingMore(true);
    setError(null);
    loadRef.current(cursor, controller.signal).then(
      (page) => {
        if (controller.signal.aborted) return;
        setItems((previous) => [...previous, ...page.items]);
        setCursor(page.next_cursor);
        setLoadingMore(false);
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return;
        setError(failure);
        setLoadingMore(false);
      },
    );
  }, [cursor, loadingMore, reloading]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return {
    status,
    items,
    error,
    reloading: status === "ready" && reloading,
    hasMore: cursor !== null && !reloading,
    loadingMore,
    loadMore,
    reload,
  };
}

export interface Submission<Result> {
  submit: () => Promise<Result | undefined>;
  busy: boolean;
  errors: FormErrors;
  clearErrors: () => void;
}

/**
 * Runs a form's action once at a time; its error lands on the form's fields (`fields`, and codes that
 * concern one field, `codeFields`) or in the form's summary.
 */
export function useSubmission<Result>(
  action: () => Promise<Result>,
  {
    fields = [],
    codeFields = {},
  }: { fields?: readonly string[]; codeFields?: Readonly<Record<string, string>> } = {},
): Submission<Result> {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const busyRef = useRef(false);
  const submit = async (): Promise<Result | undefined> => {
    if (busyRef.current) return undefined;
    busyRef.current = true;
    setBusy(true);
    setErrors(NO_FORM_ERRORS);
    try {
      return await action();
    } catch (error) {
      setErrors(formErrors(error, fields, codeFields));
      return undefined;
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  };
  return { submit, busy, errors, clearErrors: () => setErrors(NO_FORM_ERRORS) };
}

/** Sets the browser tab's title while the screen shows. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · wachannel console`;
  }, [title]);
}
