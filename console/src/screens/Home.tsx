import { Redirect } from "../router";

/** The console opens on the inbox, where agents spend their day. */
export function Home() {
  return <Redirect to="/inbox" />;
}
