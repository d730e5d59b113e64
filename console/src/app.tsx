/** The console: configuration, the API client with the session's token, and the screen for the URL. */

import { useMemo } from "preact/hooks";
import { ApiClient, createApi } from "./api";
import type { ConsoleConfig } from "./config";
import { ConsoleContext } from "./context";
import { ROUTES } from "./routes";
import { matchRoute, navigate, Redirect, useLocation } from "./router";
import { NotFound } from "./screens/NotFound";
import { session, useToken } from "./session";
import { Layout } from "./ui/layout";

export function App({ config }: { config: ConsoleConfig }) {
  const token = useToken();
  const location = useLocation();
  const api = useMemo(
    () =>
      createApi(
        new ApiClient({
          baseUrl: config.apiUrl,
          token: session.token,
          // Whatever the screen, a refused token ends the session; sign-in brings the user back here.
          onUnauthorized: () => {
            if (session.token() === null) return;
            session.signOut();
            const path = window.location.pathname.replace(import.meta.env.BASE_URL.replace(/\/$/, ""), "");
            const here = `${path || "/"}${window.location.search}`;
            navigate(`/sign-in?reason=expired&next=${encodeURIComponent(here)}`, { replace: true });
          },
        }),
      ),
    [config],
  );
  const match = matchRoute(ROUTES, location.path);

  let screen;
  if (match === null) {
    screen = <NotFound />;
  } else if (!match.route.public && token === null) {
    const next = `${location.path}${location.query.size ? `?${location.query}` : ""}`;
    screen = <Redirect to={`/sign-in?next=${encodeURIComponent(next)}`} />;
  } else {
    const Screen = match.route.screen;
    screen = <Screen params={match.params} />;
  }

  return (
    <ConsoleContext.Provider value={{ api, config }}>
      <Layout>{screen}</Layout>
    </ConsoleContext.Provider>
  );
}
