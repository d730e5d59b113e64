/**
 * What the console learns at run time from `config.json`, served next to index.html:
 *
 * - deployed as static files, the file from the build (public/config.json), edited by whoever deploys:
 *   `api_url` is the HTTP API's URL (the stack's `ApiUrl` output);
 * - on the local stack, the gateway answers `/console/config.json` itself, from the running stack's
 *   facts: the API is the same origin, and `dev_token` is the dev workspace's token, so that the
 *   sign-in screen can offer it. Nothing else of the stack's (keys, other tokens) is in it.
 */

export interface ConsoleConfig {
  /** The API's base URL without a trailing slash; "" means the origin that serves the console. */
  apiUrl: string;
  /** A token to pre-fill on the sign-in screen; only honoured on a loopback host. */
  devToken: string | null;
  /** Where this console runs, shown in the header ("local stack"), or null. */
  environment: string | null;
}

interface ConfigDocument {
  api_url?: unknown;
  dev_token?: unknown;
  environment?: unknown;
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
  return { apiUrl, devToken, environment };
}
