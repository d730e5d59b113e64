/** Where the identity provider sends the browser back: the code becomes the session's token. */

import { useEffect, useState } from "preact/hooks";
import { useConsole } from "../context";
import { completeSignIn } from "../oidc";
import { Link, navigate, useLocation } from "../router";
import { session } from "../session";
import { ErrorNotice, Loading, PageHeader } from "../ui/components";
import { useDocumentTitle } from "../ui/hooks";
import { safeNextPath } from "./SignIn";

export function SignInCallback() {
  useDocumentTitle("Signing in");
  const { config } = useConsole();
  const { query } = useLocation();
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (config.oidc === null) {
      setError(new Error("This console has no identity provider configured (config.json has no oidc)."));
      return;
    }
    // The code and state are single-use: drop them from the address before anything can reuse them.
    const answer = new URLSearchParams(query);
    window.history.replaceState(null, "", window.location.pathname);
    completeSignIn(config.oidc, answer).then(
      ({ token, next }) => {
        session.signIn(token);
        navigate(safeNextPath(next), { replace: true });
      },
      (failure: unknown) => setError(failure),
    );
    // Once per arrival: the answer is the address the browser came back to, read on the first render.
  }, []);

  return (
    <section class="narrow">
      <PageHeader title={error === null ? "Signing in" : "Sign-in failed"} />
      {error === null ? (
        <Loading label={`Checking ${config.oidc?.name ?? "the identity provider"}'s answer`} />
      ) : (
        <>
          <ErrorNotice title="You are not signed in" error={error} />
          <p>
            <Link href="/sign-in">Back to sign-in</Link>
          </p>
        </>
      )}
    </section>
  );
}
