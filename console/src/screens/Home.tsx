import { Redirect } from "../router";

/** The console opens on the channels until the inbox exists. */
export function Home() {
  return <Redirect to="/channels" />;
}
