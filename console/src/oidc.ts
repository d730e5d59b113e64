/**
 * Sign-in through an identity provider: OAuth 2.0's authorization code flow with PKCE (RFC 7636), as a
 * public client in the browser. Cognito's hosted UI, any OIDC issuer, and the local stack's issuer alike.
 *
 * 1. `beginSignIn` keeps a random state, nonce and code verifier in sessionStorage (this tab only, gone
 *    once used) and sends the browser to the authorization endpoint with the verifier's S256 challenge.
 * 2. The provider sends the browser back to `/sign-in/callback?code=…&state=…`; `completeSignIn` checks
 *    the state, trades the code and the verifier at the token endpoint, checks the ID token's nonce, and
 *    gives the token the API is called with. Nothing but that token is kept (by session.ts); no refresh
 *    token: when the token expires, signing in again goes through the provider's own session.
 */

import type { OidcProvider } from "./config";
import { href } from "./router";
import { readJwtPayload } from "./session";

const PENDING_KEY = "wachannel.console.sign-in";
const CALLBACK_PATH = "/sign-in/callback";
const SIGN_IN_PATH = "/sign-in";

interface Endpoints {
  authorization: string;
  token: string;
  endSession: string | null;
}

interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  next: string;
}

export class SignInError extends Error {}

/** The provider's endpoints: those config.json names, the rest from the issuer's discovery document. */
export async function endpointsOf(provider: OidcProvider): Promise<Endpoints> {
  if (provider.authorizationEndpoint && provider.tokenEndpoint) {
    return {
      authorization: provider.authorizationEndpoint,
      token: provider.tokenEndpoint,
      endSession: provider.endSessionEndpoint,
    };
  }
  const url = `${provider.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  let discovery: Record<string, unknown>;
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    discovery = (await response.json()) as Record<string, unknown>;
  } catch (error) {
    throw new SignInError(
      `${provider.name}'s discovery document (${url}) could not be read: ${reason(error)}.`,
    );
  }
  if (discovery.issuer !== provider.issuer) {
    throw new SignInError(`${url} names the issuer ${String(discovery.issuer)}, not ${provider.issuer}.`);
  }
  const authorization = provider.authorizationEndpoint ?? stringOrNull(discovery.authorization_endpoint);
  const token = provider.tokenEndpoint ?? stringOrNull(discovery.token_endpoint);
  if (authorization === null || token === null) {
    throw new SignInError(`${url} names no authorization or token endpoint.`);
  }
  return {
    authorization,
    token,
    endSession: provider.endSessionEndpoint ?? stringOrNull(discovery.end_session_endpoint),
  };
}

/** Sends the browser to the provider; it comes back to the callback screen. */
export async function beginSignIn(provider: OidcProvider, next: string): Promise<void> {
  const endpoints = await endpointsOf(provider);
  const pending: PendingSignIn = {
    state: randomText(),
    nonce: randomText(),
    verifier: randomText(),
    redirectUri: absolute(CALLBACK_PATH),
    next,
  };
  window.sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(endpoints.authorization);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", provider.clientId);
  url.searchParams.set("redirect_uri", pending.redirectUri);
  url.searchParams.set("scope", provider.scope);
  url.searchParams.set("state", pending.state);
  url.searchParams.set("nonce", pending.nonce);
  url.searchParams.set("code_challenge", await challengeOf(pending.verifier));
  url.searchParams.set("code_challenge_method", "S256");
  window.location.assign(url.toString());
}

/** The token the provider's answer in `query` gives, and where to go next. Runs once per sign-in. */
export async function completeSignIn(
  provider: OidcProvider,
  query: URLSearchParams,
): Promise<{ token: string; next: string }> {
  const pending = takePending();
  const refusal = query.get("error");
  if (refusal !== null) {
    const description = query.get("error_description");
    throw new SignInError(
      refusal === "access_denied"
        ? "Sign-in was cancelled."
        : `${provider.name} refused the sign-in: ${description ?? refusal}.`,
    );
  }
  if (pending === null || query.get("state") !== pending.state) {
    // Not the answer to a sign-in this tab started (or one already used): a forged or replayed link.
    throw new SignInError("This sign-in link does not belong to a sign-in started here. Sign in again.");
  }
  const code = query.get("code");
  if (!code) throw new SignInError(`${provider.name} sent no authorization code.`);

  const endpoints = await endpointsOf(provider);
  const tokens = await redeem(provider, endpoints.token, code, pending);
  const idToken = typeof tokens.id_token === "string" ? tokens.id_token : null;
  if (idToken !== null && readJwtPayload(idToken)?.nonce !== pending.nonce) {
    throw new SignInError(
      `${provider.name}'s ID token is not the answer to this sign-in (nonce). Sign in again.`,
    );
  }
  const token = tokens[provider.tokenUse];
  if (typeof token !== "string" || !token) {
    throw new SignInError(`${provider.name} gave no ${provider.tokenUse.replace("_", " ")}.`);
  }
  return { token, next: pending.next };
}

/**
 * Where to send the browser to end the provider's own session after signing out, or null when the token
 * did not come from it (a pasted one) or it has no such endpoint. Cognito reads `logout_uri`, OIDC
 * providers `post_logout_redirect_uri`; each ignores the other's.
 */
export async function endSessionUrl(provider: OidcProvider, token: string): Promise<string | null> {
  if (readJwtPayload(token)?.iss !== provider.issuer) return null;
  const endpoints = await endpointsOf(provider);
  if (endpoints.endSession === null) return null;
  const url = new URL(endpoints.endSession);
  const back = absolute(SIGN_IN_PATH);
  url.searchParams.set("client_id", provider.clientId);
  url.searchParams.set("logout_uri", back);
  url.searchParams.set("post_logout_redirect_uri", back);
  return url.toString();
}

async function redeem(
  provider: OidcProvider,
  tokenEndpoint: string,
  code: string,
  pending: PendingSignIn,
): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(tokenEndpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: provider.clientId,
        code,
        redirect_uri: pending.redirectUri,
        code_verifier: pending.verifier,
      }),
    });
  } catch (error) {
    throw new SignInError(`${provider.name}'s token endpoint could not be reached: ${reason(error)}.`);
  }
  let answer: Record<string, unknown>;
  try {
    answer = (await response.json()) as Record<string, unknown>;
  } catch {
    throw new SignInError(`${provider.name}'s token endpoint answered HTTP ${response.status}, not JSON.`);
  }
  if (!response.ok) {
    const description = stringOrNull(answer.error_description) ?? stringOrNull(answer.error);
    throw new SignInError(
      `${provider.name} would not give a token (HTTP ${response.status}${description ? `: ${description}` : ""}). Sign in again.`,
    );
  }
  return answer;
}

function takePending(): PendingSignIn | null {
  const stored = window.sessionStorage.getItem(PENDING_KEY);
  window.sessionStorage.removeItem(PENDING_KEY);
  if (stored === null) return null;
  try {
    return JSON.parse(stored) as PendingSignIn;
  } catch {
    return null;
  }
}

/** 32 random bytes, base64url: 43 characters, a valid PKCE verifier and an unguessable state. */
function randomText(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function absolute(path: string): string {
  return new URL(href(path), window.location.origin).toString();
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value ? value : null;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
