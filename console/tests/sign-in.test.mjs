/** Sign-in through the identity provider config.json names: on the local stack its own issuer, which
 * plays Cognito's hosted UI (authorization code with PKCE). Cancelling, a forged return and signing out. */

import assert from "node:assert/strict";
import { consoleTest, env, expectText, PHONE } from "./harness.mjs";

const PROVIDER_BUTTON = { name: "Sign in with the local issuer" };

async function atProvider(page) {
  await page.getByRole("heading", { name: "Sign in to the local stack", level: 1 }).waitFor();
  assert.ok(page.url().startsWith(`${env.apiUrl}/local-issuer/oauth2/authorize?`), page.url());
  const request = new URL(page.url()).searchParams;
  assert.equal(request.get("response_type"), "code");
  assert.equal(request.get("code_challenge_method"), "S256");
  assert.equal(request.get("redirect_uri"), `${env.consoleUrl}sign-in/callback`);
  return request;
}

consoleTest(
  "signing in with the identity provider opens the screen the link pointed at",
  async ({ page, shot }) => {
    await page.goto(`${env.consoleUrl}contacts`);
    await page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
    await page.getByRole("button", PROVIDER_BUTTON).click();

    const request = await atProvider(page);
    assert.equal(await page.getByLabel("Workspace").inputValue(), "ws_local_dev");
    await page.getByLabel("E-mail").fill("agent@example.com");
    await shot("sign-in-provider");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();

    await page.getByRole("heading", { name: "Contacts", level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, new URL(`${env.consoleUrl}contacts`).pathname);
    await expectText(page.locator(".who"), "ws_local_dev");
    await expectText(page.locator(".who"), "agent@example.com");
    // The ID token is the session's: the API took it for the contacts list.
    const token = await page.evaluate(() => window.localStorage.getItem("wachannel.console.token"));
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    assert.equal(claims.email, "agent@example.com");
    assert.equal(claims.nonce, request.get("nonce"));
    assert.deepEqual(await page.evaluate(() => Object.keys(window.localStorage)), [
      "wachannel.console.token",
    ]);
    assert.equal(
      await page.evaluate(() => window.sessionStorage.length),
      0,
      "the verifier is gone once used",
    );

    // Signing out also ends the provider's session, which sends the browser back to sign-in.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, new URL(`${env.consoleUrl}sign-in`).pathname);
    assert.equal(await page.evaluate(() => window.localStorage.length), 0);
  },
);

consoleTest("by keyboard, at phone width, through the provider", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await page.goto(`${env.consoleUrl}sign-in`);
  await page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
  await page.getByRole("button", PROVIDER_BUTTON).focus();
  await page.keyboard.press("Enter");

  await atProvider(page);
  await page.getByLabel("E-mail").focus();
  await page.keyboard.press("Enter");

  // Signing in from the sign-in screen itself opens the console's home: the inbox.
  await page.getByRole("heading", { name: "Inbox", level: 1 }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
});

consoleTest("cancelling at the provider signs nobody in", async ({ page }) => {
  await page.goto(`${env.consoleUrl}sign-in`);
  await page.getByRole("button", PROVIDER_BUTTON).click();
  await atProvider(page);
  await page.getByRole("button", { name: "Cancel" }).click();

  await page.getByRole("heading", { name: "Sign-in failed", level: 1 }).waitFor();
  await expectText(page.getByRole("alert"), "Sign-in was cancelled.");
  assert.equal(new URL(page.url()).search, "", "the provider's answer is dropped from the address");
  assert.equal(await page.evaluate(() => window.localStorage.length), 0);
  await page.getByRole("link", { name: "Back to sign-in" }).click();
  await page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
});

consoleTest("a return the console did not start is refused", async ({ page, shot }) => {
  await page.goto(`${env.consoleUrl}sign-in/callback?code=stolen-code&state=forged`);

  await page.getByRole("heading", { name: "Sign-in failed", level: 1 }).waitFor();
  await expectText(page.getByRole("alert"), "does not belong to a sign-in started here");
  await shot("sign-in-refused");
  assert.equal(await page.evaluate(() => window.localStorage.length), 0);
});

consoleTest("a sign-in started in this tab accepts only its own state", async ({ page }) => {
  await page.goto(`${env.consoleUrl}sign-in`);
  await page.getByRole("button", PROVIDER_BUTTON).click();
  const request = await atProvider(page);

  // A link from elsewhere, with another state, lands while this tab's sign-in is pending.
  await page.goto(`${env.consoleUrl}sign-in/callback?code=other&state=not-${request.get("state")}`);
  await page.getByRole("heading", { name: "Sign-in failed", level: 1 }).waitFor();
  await expectText(page.getByRole("alert"), "does not belong to a sign-in started here");
  assert.equal(await page.evaluate(() => window.sessionStorage.length), 0, "the pending sign-in is spent");
});
