/** The frame of every screen: a skip link, the header with the main navigation and who is signed in,
 * the flash message a previous screen left, and the screen. */

import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { useConsole } from "../context";
import { endSessionUrl } from "../oidc";
import { MAIN_NAVIGATION } from "../routes";
import { Link, navigate, useFlash, useLocation } from "../router";
import { readClaims, session, useToken } from "../session";
import { Notice } from "./components";

export function Layout({ children }: { children: ComponentChildren }) {
  const { config } = useConsole();
  const token = useToken();
  const claims = token ? readClaims(token) : null;
  const flash = useFlash();
  const { path } = useLocation();
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  // A token from the identity provider also ends the provider's session, which then comes back to
  // sign-in; otherwise the next "Sign in with …" would let the same person straight back in.
  async function signOut(signedOutToken: string): Promise<void> {
    const providerSignOut = config.oidc
      ? await endSessionUrl(config.oidc, signedOutToken).catch(() => null)
      : null;
    session.signOut();
    if (providerSignOut) window.location.assign(providerSignOut);
    else navigate("/sign-in", { flash: "You are signed out." });
  }

  // After navigating, the focus goes to the new screen's heading, as a page load would put it at the
  // top: keyboard and screen reader users start on the new content, not on the link they left.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const heading = main.current?.querySelector<HTMLElement>("h1");
    (heading ?? main.current)?.focus();
  }, [path]);

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <div class="topbar__inner">
          <Link href="/" class="brand">
            wachannel <span class="brand__sub">console</span>
          </Link>
          {config.environment && <span class="environment">{config.environment}</span>}
          {token && (
            <nav class="mainnav" aria-label="Main">
              <ul>
                {MAIN_NAVIGATION.map((item) => (
                  <li key={item.href}>
                    <Link href={item.href} current="section">
                      {item.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {token && (
            <div class="who">
              <span class="who__workspace" title="Workspace (from the token)">
                {claims?.workspaceId ?? "unknown workspace"}
              </span>
              {(claims?.email ?? claims?.subject) && (
                <span class="who__subject">{claims?.email ?? claims?.subject}</span>
              )}
              <button type="button" class="button button--quiet" onClick={() => void signOut(token)}>
                Sign out
              </button>
            </div>
          )}
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} class="main">
        {flash && <Notice tone="success">{flash}</Notice>}
        {children}
      </main>
    </>
  );
}
