/** Sign-in with a bearer token: pasted, or the local stack's dev token offered on localhost. */

import { useState } from "preact/hooks";
import { ApiClient } from "../api";
import { ApiError } from "../api/errors";
import { useConsole } from "../context";
import { navigate, useLocation } from "../router";
import { hasExpired, readClaims, session } from "../session";
import { Form, Notice, PageHeader, SubmitButton, TextField } from "../ui/components";
import { useDocumentTitle, useSubmission } from "../ui/hooks";

export function SignIn() {
  useDocumentTitle("Sign in");
  const { config } = useConsole();
  const { query } = useLocation();
  const [token, setToken] = useState(() => session.token() ?? config.devToken ?? "");
  const next = safeNext(query.get("next"));
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
              ? "Pre-filled with the local stack's dev token (workspace ws_local_dev, valid 12 hours)."
              : "A JWT from your identity provider whose claims name your workspace (workspace_id or custom:workspace_id)."
          }
        />
        <div class="form__actions">
          <SubmitButton busy={signIn.busy} busyLabel="Checking the token">
            Sign in
          </SubmitButton>
        </div>
      </Form>
    </section>
  );
}

function fieldError(message: string): ApiError {
  return new ApiError(422, "validation_error", "The token cannot be used.", [{ field: "token", message }]);
}

/** Only a path inside the console, never another site. */
function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") && next !== "/sign-in" ? next : "/channels";
}
