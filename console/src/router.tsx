/**
 * A small history router for the console's screens, under Vite's base path (/console/ on the local
 * stack). Routes are data (routes.tsx); a path such as `/channels/:channelId/audit` matches one whole
 * URL path and gives its parameters, decoded.
 */

import type { ComponentChildren, ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

export type RouteParams = Record<string, string>;

export interface RouteDefinition {
  path: string;
  screen: ComponentType<{ params: RouteParams }>;
  /** Reachable without signing in. */
  public?: boolean;
}

export interface RouteMatch {
  route: RouteDefinition;
  params: RouteParams;
}

export interface Location {
  /** The path inside the console, always starting with "/". */
  path: string;
  query: URLSearchParams;
}

const BASE = import.meta.env.BASE_URL.replace(/\/+$/, "");

export function href(to: string): string {
  return `${BASE}${to.startsWith("/") ? to : `/${to}`}`;
}

function readLocation(): Location {
  const { pathname, search } = window.location;
  const inside = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  return { path: inside.replace(/\/+$/, "") || "/", query: new URLSearchParams(search) };
}

type Listener = (location: Location) => void;
const listeners = new Set<Listener>();
let flash: { text: string; path: string } | null = null;

function notify(): void {
  const location = readLocation();
  for (const listener of listeners) listener(location);
}

window.addEventListener("popstate", () => {
  flash = null;
  notify();
});

export interface NavigateOptions {
  replace?: boolean;
  /** A message for the next screen (e.g. "Channel connected."), shown once, there only. */
  flash?: string;
}

export function navigate(to: string, options: NavigateOptions = {}): void {
  const url = href(to);
  if (options.replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  flash = options.flash ? { text: options.flash, path: readLocation().path } : null;
  notify();
}

export function useLocation(): Location {
  const [location, setLocation] = useState(readLocation);
  useEffect(() => {
    listeners.add(setLocation);
    // A child's effect (a Redirect) may have navigated before this listener existed.
    const current = readLocation();
    setLocation((rendered) =>
      rendered.path === current.path && rendered.query.toString() === current.query.toString()
        ? rendered
        : current,
    );
    return () => listeners.delete(setLocation);
  }, []);
  return location;
}

/** The message `navigate(..., {flash})` left for this screen, if any. */
export function useFlash(): string | null {
  const { path } = useLocation();
  return flash !== null && flash.path === path ? flash.text : null;
}

export function matchRoute(routes: readonly RouteDefinition[], path: string): RouteMatch | null {
  const segments = path.split("/").filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split("/").filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const params: RouteParams = {};
    const matches = pattern.every((part, index) => {
      const segment = segments[index] ?? "";
      if (part.startsWith(":")) {
        try {
          params[part.slice(1)] = decodeURIComponent(segment);
        } catch {
          return false;
        }
        return true;
      }
      return part === segment;
    });
    if (matches) return { route, params };
  }
  return null;
}

interface LinkProps {
  href: string;
  class?: string;
  /** "section": also current on the screens below it (main navigation). */
  current?: "page" | "section";
  children?: ComponentChildren;
}

/** An anchor to a screen of the console: a real link (new tab, copy address), navigated in place. */
export function Link({ href: to, current = "page", class: className, children }: LinkProps) {
  const path = useLocation().path;
  const target = to.split("?")[0] ?? to;
  const isPage = path === target;
  const inSection = current === "section" && path.startsWith(`${target}/`);
  return (
    <a
      class={className}
      href={href(to)}
      aria-current={isPage ? "page" : inSection ? "true" : undefined}
      onClick={(event) => {
        if (
          event.defaultPrevented ||
          event.button !== 0 ||
          event.metaKey ||
          event.ctrlKey ||
          event.shiftKey ||
          event.altKey
        ) {
          return;
        }
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

/** Goes elsewhere as soon as it renders (e.g. to sign-in). */
export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
