/**
 * What the console learns at run time from `config.json`, served next to index.html:
 *
 * - deployed as static files, the file from the build (public/config.json), edited by whoever deploys:
 *   `api_url` is the HTTP API's URL (the stack's `ApiUrl` output);
 * - on the local stack, the gateway answers `/console/config.json` itself, from the running stack's
 *   facts: the API is the same origin, and `dev_token` is the dev workspace's token, so that the
 *   sign-in screen can offer it. Nothing else of the stack's (keys, other tokens) is in it.
 *
 * `oidc`, when present, names the identity provider the sign-in screen sends people to (Cognito's hosted
 * UI, any OIDC issuer, or the local stack's own issuer): see oidc.ts.
 */

export interface ConsoleConfig {
  /** The API's base URL without a trailing slash; "" means the origin that serves the console. */
  apiUrl: string;
  /** A token to pre-fill on the sign-in screen; only honoured on a loopback host. */
  devToken: string | null;
  /** Where this console runs, shown in the header ("local stack"), or null. */
  environment: string | null;
  /** The identity provider to sign in with, or null (a pasted token only). */
  oidc: OidcProvider | null;
}

/** Which of the token endpoint's tokens the API is called with. */
export type TokenUse = "id_token" | "access_token";

export interface OidcProvider {
  /** Shown on the button: "Sign in with Cognito". */
  name: string;
  issuer: string;
  clientId: string;
  scope: string;
  /** The API's bearer: the ID token by default, since Cognito's carries custom:workspace_id. */
  tokenUse: TokenUse;
  /** Endpoints given in config.json; what is missing comes from the issuer's discovery document. */
  authorizationEndpoint: string | null;
  tokenEndpoint: string | null;
  endSessionEndpoint: string | null;
}

interface ConfigDocument {
  api_url?: unknown;
  dev_token?: unknown;
  environment?: unknown;
  oidc?: unknown;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export async function loadConfig(): Promise<ConsoleConfig> {
  const url = `${import.meta.env.BASE_URL}config.json`;
  const response = await fetch(url, { cache: "no-store", headers: { Accept: "application/json" } });
  if (!response.ok) {
    throw new Error(`The console's configuration (${url}) could not be loaded: HTTP ${response.status}.`);
  }
  let document: ConfigDocument;
  try {
    document = (await response.json()) as ConfigDocument;
  } catch {
    throw new Error(`The console's configuration (${url}) is not JSON.`);
  }
  return parseConfig(document, window.location.hostname);
}

export function parseConfig(document: ConfigDocument, hostname: string): ConsoleConfig {
  const apiUrl = typeof document.api_url === "string" ? document.api_url.trim().replace(/\/+$/, "") : "";
  const devToken =
    typeof document.dev_token === "string" && document.dev_token && LOOPBACK_HOSTS.has(hostname)
      ? document.dev_token
      : null;
  const environment = typeof document.environment === "string" ? document.environment : null;
  return { apiUrl, devToken, environment, oidc: parseOidc(document.oidc) };
}

export function parseOidc(block: unknown): OidcProvider | null {
  if (block === undefined || block === null) return null;
  if (typeof block !== "object") throw new Error("config.json: oidc must be an object.");
  const fields = block as Record<string, unknown>;
  const text = (name: string, fallback: string | null = null): string | null => {
    const value = fields[name];
    if (value === undefined || value === null || value === "") return fallback;
    if (typeof value !== "string") throw new Error(`config.json: oidc.${name} must be a string.`);
    return value.trim();
  };
  const url = (name: string): string | null => {
    const value = text(name);
    if (value !== null && !/^https?:\/\/[^\s]+$/.test(value)) {
      throw new Error(`config.json: oidc.${name} must be an http(s) URL.`);
    }
    return value;
  };
  const issuer = url("issuer");
  const clientId = text("client_id");
  if (issuer === null || clientId === null) {
    throw new Error("config.json: oidc needs issuer and client_id.");
  }
  const tokenUse = text("token", "id_token");
  if (tokenUse !== "id_token" && tokenUse !== "access_token") {
    throw new Error('config.json: oidc.token must be "id_token" or "access_token".');
  }
  return {
    name: text("name", "your identity provider") ?? "your identity provider",
    issuer,
    clientId,
    scope: text("scope", "openid email profile") ?? "openid email profile",
    tokenUse,
    authorizationEndpoint: url("authorization_endpoint"),
    tokenEndpoint: url("token_endpoint"),
    endSessionEndpoint: url("end_session_endpoint"),
  };
}
