/**
 * The signed-in user: a bearer token, kept in localStorage (the only thing the console keeps there),
 * and what its claims say about the workspace. The claims are read for display only; the API checks
 * the token.
 */

import { useEffect, useState } from "preact/hooks";

const TOKEN_KEY = "wachannel.console.token";

export interface TokenClaims {
  workspaceId: string | null;
  subject: string | null;
  email: string | null;
  expiresAt: Date | null;
}

type Listener = () => void;
const listeners = new Set<Listener>();

export const session = {
  token(): string | null {
    try {
      return window.localStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  },

  signIn(token: string): void {
    window.localStorage.setItem(TOKEN_KEY, token);
    notify();
  },

  signOut(): void {
    window.localStorage.removeItem(TOKEN_KEY);
    notify();
  },
};

function notify(): void {
  for (const listener of listeners) listener();
}

// Another tab signing in or out changes this one too.
window.addEventListener("storage", (event) => {
  if (event.key === TOKEN_KEY || event.key === null) notify();
});

/** The current token; re-renders when it changes. */
export function useToken(): string | null {
  const [token, setToken] = useState(session.token);
  useEffect(() => {
    const listener = () => setToken(session.token());
    listeners.add(listener);
    listener(); // a child's effect may have signed in or out before this listener existed
    return () => listeners.delete(listener);
  }, []);
  return token;
}

/** The payload of a JWT, without checking it; null when it is not a JWT. */
export function readJwtPayload(token: string): Record<string, unknown> | null {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const json = atob(parts[1].replace(/-/g, "+").replace(/_/g, "/"));
    const payload: unknown = JSON.parse(decodeURIComponent(escapeBytes(json)));
    return typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** What a JWT's claims say about who is signed in, without checking it; null when it is not a JWT. */
export function readClaims(token: string): TokenClaims | null {
  const claims = readJwtPayload(token);
  if (claims === null) return null;
  const workspace = claims.workspace_id ?? claims["custom:workspace_id"];
  return {
    workspaceId: typeof workspace === "string" ? workspace : null,
    subject: typeof claims.sub === "string" ? claims.sub : null,
    email: typeof claims.email === "string" ? claims.email : null,
    expiresAt: typeof claims.exp === "number" ? new Date(claims.exp * 1000) : null,
  };
}

function escapeBytes(binary: string): string {
  return Array.from(binary, (char) => `%${char.charCodeAt(0).toString(16).padStart(2, "0")}`).join("");
}

export function hasExpired(claims: TokenClaims | null, now = new Date()): boolean {
  return claims?.expiresAt != null && claims.expiresAt <= now;
}
