/**
 * Sign-in: through the identity provider config.json names (Cognito's hosted UI, any OIDC issuer, the
 * local stack's issuer), or with a bearer token, pasted or the local stack's dev token offered on localhost.
 */

import { useState } from "preact/hooks";
import { ApiClient } from "../api";
import { ApiError } from "../api/errors";
import { useConsole } from "../context";
import type { OidcProvider } from "../config";
import { beginSignIn } from "../oidc";
import { navigate, useLocation } from "../router";
import { hasExpired, readClaims, session } from "../session";
import {
  absoluteTime,
  ErrorNotice,
  Form,
  Notice,
  PageHeader,
  SubmitButton,
  TextField,
} from "../ui/components";
import { useDocumentTitle, useSubmission } from "../ui/hooks";

export function SignIn() {
  useDocumentTitle("Sign in");
  const { config } = useConsole();
  const { query } = useLocation();
  const [token, setToken] = useState(() => session.token() ?? config.devToken ?? "");
  const next = safeNextPath(query.get("next"));
  const ended = query.get("reason") === "expired";

  const signIn = useSubmission(
    async () => {
      const candidate = token.trim();
      const claims = readClaims(candidate);
      if (!candidate || claims === null) {
        throw fieldError("A token is three base64url parts separated by dots (a JWT).");
      }
      if (hasExpired(claims)) throw fieldError("This token has expired. Get a new one.");
      // The API is the judge: one cheap call with the candidate token, before keeping it.
      const probe = new ApiClient({ baseUrl: config.apiUrl, token: () => candidate });
      try {
        await probe.request("get", "/channels", { query: { limit: 1 } });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          throw fieldError(`The API refused this token: ${error.message}`);
        }
        throw error;
      }
      session.signIn(candidate);
      navigate(next, { replace: true });
    },
    { fields: ["token"] },
  );

  return (
    <section class="narrow">
      <PageHeader title="Sign in" />
      {ended && <Notice tone="warning">Your token was refused or has expired. Sign in again.</Notice>}
      {config.oidc && <ProviderSignIn provider={config.oidc} next={next} />}
      {config.oidc && <h2>Or use a token</h2>}
      <p>
        The console acts with a workspace's token: every call to the API carries it, and the API decides what
        it may see. It is kept in this browser (local storage) until you sign out.
      </p>
      <Form errors={signIn.errors} busy={signIn.busy} onSubmit={() => void signIn.submit()} label="Sign in">
        <TextField
          label="Token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={token}
          onValue={setToken}
          required
          error={signIn.errors.fields.token}
          hint={
            config.devToken && token === config.devToken
              ? devTokenHint(config.devToken)
              : "A JWT from your identity provider whose claims name your workspace (workspace_id or custom:workspace_id)."
          }
        />
        <div class="form__actions">
          <SubmitButton
            busy={signIn.busy}
            busyLabel="Checking the token"
            tone={config.oidc ? "secondary" : "primary"}
          >
            Use this token
          </SubmitButton>
        </div>
      </Form>
    </section>
  );
}

function ProviderSignIn({ provider, next }: { provider: OidcProvider; next: string }) {
  const [state, setState] = useState<{ busy: boolean; error: unknown }>({ busy: false, error: null });
  const start = () => {
    setState({ busy: true, error: null });
    // On success the browser leaves for the provider; only a failure comes back here.
    beginSignIn(provider, next).catch((error: unknown) => setState({ busy: false, error }));
  };
  return (
    <div class="provider-sign-in">
      <p>Your workspace's people sign in with {provider.name}, which gives the console its token.</p>
      {state.error !== null && <ErrorNotice title="Sign-in could not start" error={state.error} />}
      <button
        type="button"
        class="button button--primary"
        onClick={start}
        disabled={state.busy}
        aria-busy={state.busy}
      >
        {state.busy ? `Opening ${provider.name}…` : `Sign in with ${provider.name}`}
      </button>
    </div>
  );
}

function devTokenHint(devToken: string): string {
  const claims = readClaims(devToken);
  const expiresAt = claims?.expiresAt;
  const validity = !expiresAt
    ? "no expiry"
    : hasExpired(claims)
      ? `expired ${absoluteTime(expiresAt)}: restart the stack for a new one`
      : `valid until ${absoluteTime(expiresAt)}`;
  return `Pre-filled with the local stack's dev token (workspace ${claims?.workspaceId ?? "unknown"}, ${validity}).`;
}

function fieldError(message: string): ApiError {
  return new ApiError(422, "validation_error", "The token cannot be used.", [{ field: "token", message }]);
}

/**
 * Only a path inside the console, never another site, nor back to signing in; else the console's home.
 * "//host" names another site, and so do "/\host" and a tab or newline after the slash, which URLs drop.
 */
export function safeNextPath(next: string | null): string {
  return next &&
    next.startsWith("/") &&
    !next.startsWith("//") &&
    !/[\\\u0000-\u001f]/.test(next) &&
    !next.startsWith("/sign-in")
    ? next
    : "/";
}
