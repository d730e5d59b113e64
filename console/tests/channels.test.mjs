/** Channels: sign in, connect a number, see its health, configure it (name, greeting, number, key), view
 * its key, read the audit trail, disconnect it; at laptop and phone width, by mouse and by keyboard. */

import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import {
  consoleTest,
  env,
  expectText,
  failNextApiCall,
  fieldError,
  LAPTOP,
  PHONE,
  signIn,
} from "./harness.mjs";

async function expectNoOverflow(page, screen) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${screen} is ${overflow}px wider than a phone`);
}

async function eventually(check, what, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

consoleTest(
  "a channel from connecting to disconnecting",
  async ({ page, shot, simulator, allowConsoleError }) => {
    const number = await simulator.newNumber("cloud");
    const e164 = `+${number.phone_number}`;
    const name = `Support ${number.phone_number.slice(-4)}`;

    await page.goto(process.env.CONSOLE_URL);
    await page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
    // The dev token's hint says until when it is valid: its own expiry, in the browser's time zone (UTC).
    const expiry = new Date(
      JSON.parse(Buffer.from(env.devToken.split(".")[1], "base64url").toString()).exp * 1000,
    );
    const hint = await expectText(page.getByRole("form", { name: "Sign in" }), "valid until");
    assert.ok(hint.includes(expiry.toISOString().slice(11, 16)), `the token's expiry time in: ${hint}`);
    assert.ok(hint.includes(String(expiry.getUTCFullYear())), `the token's expiry year in: ${hint}`);
    await shot("sign-in");
    await signIn(page);
    await shot("channels");

    // Add: a key 360dialog refuses is shown on the key's field, and nothing else is lost.
    await page.getByRole("link", { name: "Add a channel" }).click();
    await page.getByRole("heading", { name: "Add a channel", level: 1 }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Phone number", { exact: true }).fill(e164);
    await page.getByLabel("360dialog API key", { exact: true }).fill("not-the-key-of-this-number");
    await page.getByRole("radio", { name: /Cloud API/ }).check();
    await page.getByLabel("Greeting (optional)").fill("Hello! We answer within the hour.");
    const refusedKey = allowConsoleError(/status of 422/);
    await page.getByRole("button", { name: "Connect the number" }).click();
    assert.match(await fieldError(page, "360dialog API key"), /360dialog refused the API key/);
    refusedKey();
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute("name")),
      "api_key",
      "the field with the error has the focus",
    );
    assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), name);
    await shot("add-channel-error");

    await page.getByLabel("360dialog API key", { exact: true }).fill(number.api_key);
    await page.getByRole("button", { name: "Connect the number" }).click();

    // Health: live checks, and every problem with what to do about it.
    await page.getByRole("heading", { name, level: 1 }).waitFor();
    await expectText(page.getByRole("status").first(), "is connected");
    await expectText(page.locator(".facts").first(), "accepted by 360dialog");
    await expectText(page.locator(".facts").first(), "points at this channel");
    const problems = page.locator(".problem");
    await expectText(problems, "Templates have never been synced");
    await expectText(problems, "No delivery from 360dialog yet");
    await page
      .locator('[data-code="templates_never_synced"]')
      .getByRole("button", { name: "Sync templates now" })
      .waitFor();
    await shot("channel-health");

    // A customer writes: the next check finds the delivery, and that problem is gone.
    await simulator.customerSays(number, { text: "Hi, is my order on its way?" });
    await page.getByRole("button", { name: "Check again" }).click();
    await expectText(
      page.getByRole("region", { name: "Deliveries from 360dialog" }),
      /Messages received\s*1\b/i,
    );
    assert.equal(await page.locator('[data-code="no_webhook_received"]').count(), 0);

    // A problem's action fixes it from here: the sync runs, and the next check no longer lists it.
    await page.getByRole("button", { name: "Sync templates now" }).click();
    await expectText(page.getByRole("status"), /Templates synced: \d+ new/);
    await page.locator('[data-code="templates_never_synced"]').waitFor({ state: "detached" });

    // Settings: rename.
    await page.getByRole("navigation", { name: "Channel" }).getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Details", level: 2 }).waitFor();
    const renamed = `${name} (DE)`;
    await page.getByLabel("Name", { exact: true }).fill(renamed);
    await page.getByRole("button", { name: "Save details" }).click();
    await expectText(page.getByRole("status"), "Saved.");
    await page.getByRole("heading", { name: renamed, level: 1 }).waitFor();

    // The key is shown only after a confirmation; Escape backs out of it.
    await page.getByRole("button", { name: "Show the key" }).click();
    const dialog = page.getByRole("dialog", { name: "Show the full API key?" });
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    assert.equal(
      await page.getByLabel("Full API key", { exact: true }).count(),
      0,
      "no key without confirming",
    );
    await page.getByRole("button", { name: "Show the key" }).click();
    await dialog.getByRole("button", { name: "Show the key" }).click();
    assert.equal(await page.getByLabel("Full API key", { exact: true }).inputValue(), number.api_key);
    await shot("channel-settings");

    // The audit trail records the registration, the change and the view, newest first, never the key.
    await page
      .getByRole("navigation", { name: "Channel" })
      .getByRole("link", { name: "Audit trail" })
      .click();
    const rows = page.locator("table.audit tbody tr");
    await rows.first().waitFor();
    const actions = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.action));
    assert.deepEqual(actions, ["api_key_viewed", "channel_updated", "webhook_registered"]);
    await expectText(rows.first(), "API key viewed");
    await expectText(rows.first(), "dev-user");
    assert.ok(
      !(await page.locator("main").innerText()).includes(number.api_key),
      "the audit trail shows no key",
    );
    await shot("channel-audit");

    // Phone width: the same screens, one column.
    await page.setViewportSize(PHONE);
    await page.getByRole("navigation", { name: "Channel" }).getByRole("link", { name: "Health" }).click();
    await page.getByRole("heading", { name: "Health", level: 2 }).waitFor();
    await page.locator(".facts").first().waitFor();
    await shot("channel-health-phone");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone`);

    // The list, by keyboard: the main navigation is reachable with Tab and followed with Enter.
    await page.keyboard.press("Shift+Tab");
    const channelsLink = page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Channels" });
    await channelsLink.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Channels", level: 1 }).waitFor();
    const card = page.locator(".card").filter({ hasText: e164 });
    await expectText(card, renamed);
    await expectText(card, "active");
    await shot("channels-phone");
    await page.setViewportSize({ width: 1280, height: 800 });

    // Disconnect, behind a confirmation.
    await card.getByRole("link", { name: renamed }).click();
    await page.getByRole("navigation", { name: "Channel" }).getByRole("link", { name: "Settings" }).click();
    await page.getByRole("button", { name: `Disconnect ${renamed}` }).click();
    await page
      .getByRole("dialog", { name: `Disconnect ${renamed}?` })
      .getByRole("button", { name: "Disconnect" })
      .click();
    await page.getByRole("heading", { name: "Channels", level: 1 }).waitFor();
    await expectText(page.getByRole("status").first(), "is disconnected");
    await expectText(page.locator(".card").filter({ hasText: e164 }), "disconnected");
    assert.equal((await simulator.admin("GET", `/numbers/${number.phone_number}`)).webhook, null);
  },
);

consoleTest("a deep link asks for sign-in, then opens where it pointed", async ({ page, api, simulator }) => {
  const number = await simulator.newNumber("on_premise");
  const channel = await api.connect(number, { name: "Deep link" });

  await page.goto(`${process.env.CONSOLE_URL}channels/${channel.id}/audit`);
  await page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
  await page.getByRole("button", { name: "Use this token" }).click();

  await page.getByRole("heading", { name: "Deep link", level: 1 }).waitFor();
  await page.locator('table.audit tr[data-action="webhook_registered"]').waitFor();
  assert.match(page.url(), new RegExp(`/console/channels/${channel.id}/audit$`));
  assert.deepEqual(
    await page.evaluate(() => Object.keys(window.localStorage)),
    ["wachannel.console.token"],
    "the token is all the console keeps",
  );
});

consoleTest("a token the API refuses ends the session", async ({ page, allowConsoleError }) => {
  await page.goto(process.env.CONSOLE_URL);
  await page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
  const forged =
    "eyJhbGciOiJSUzI1NiJ9.eyJ3b3Jrc3BhY2VfaWQiOiJ3c19sb2NhbF9kZXYiLCJzdWIiOiJtYWxsb3J5In0.c2lnbmF0dXJl";
  await page.evaluate((token) => window.localStorage.setItem("wachannel.console.token", token), forged);
  const refusedOnScreen = allowConsoleError(/status of 401/);

  await page.goto(`${process.env.CONSOLE_URL}contacts?query=Ana`);

  await page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
  await expectText(page.getByRole("status"), "Your token was refused or has expired");
  refusedOnScreen();
  // The way back keeps the search.
  assert.match(page.url(), /\/sign-in\?reason=expired&next=%2Fcontacts%3Fquery%3DAna$/);
  assert.equal(await page.evaluate(() => window.localStorage.length), 0);

  // Signing in with it again is refused on the token's field.
  const refusedAtSignIn = allowConsoleError(/status of 401/);
  await page.getByLabel("Token").fill(forged);
  await page.getByRole("button", { name: "Use this token" }).click();
  assert.match(await fieldError(page, "Token"), /The API refused this token/);
  refusedAtSignIn();

  // A good token returns to the screen, with its search.
  await page.getByLabel("Token").fill(env.devToken);
  await page.getByRole("button", { name: "Use this token" }).click();
  await page.getByRole("heading", { name: "Contacts", level: 1 }).waitFor();
  assert.match(page.url(), /\/console\/contacts\?query=Ana$/);
  assert.equal(await page.getByRole("searchbox", { name: "Search" }).inputValue(), "Ana");
});

consoleTest("a next address elsewhere is refused at sign-in", async ({ page }) => {
  for (const elsewhere of ["//example.org/phish", "/\\example.org/phish", "https://example.org/phish"]) {
    await page.goto(`${env.consoleUrl}sign-in?next=${encodeURIComponent(elsewhere)}`);
    await page.getByRole("button", { name: "Use this token" }).click();
    await page.getByRole("heading", { name: "Inbox", level: 1 }).waitFor();
    assert.equal(new URL(page.url()).origin, new URL(env.consoleUrl).origin, elsewhere);
    await page.evaluate(() => window.localStorage.clear());
  }
});

consoleTest(
  "a list that failed to load recovers with Try again",
  async ({ page, api, simulator, allowConsoleError }) => {
    await api.connect(await simulator.newNumber("cloud"), { name: "Recovers" });
    await signIn(page);
    const unavailable = allowConsoleError(/status of 503/);
    await failNextApiCall(page, "/channels");
    await page.reload();
    const alert = page.getByRole("alert");
    await expectText(alert, "Could not load the channels");
    unavailable();

    await alert.getByRole("button", { name: "Try again" }).click();
    await page.getByRole("list", { name: "Channels" }).waitFor();
    assert.equal(await page.getByRole("alert").count(), 0, "no error left under the list that loaded");
  },
);

consoleTest(
  "a channel's greeting, number and key, changed in its settings",
  async ({ page, api, simulator }) => {
    const number = await simulator.newNumber("cloud");
    const channel = await api.connect(number, { name: `Settings ${number.phone_number.slice(-4)}` });
    await signIn(page);
    await page.goto(`${env.consoleUrl}channels/${channel.id}/settings`);
    await page.getByRole("heading", { name: "Details", level: 2 }).waitFor();

    // The greeting: saved, and the next new customer's first message is answered with it.
    const greeting = "Hi! A person answers within the hour.";
    await page.getByLabel("Greeting (optional)", { exact: true }).fill(greeting);
    await page.getByRole("button", { name: "Save details" }).click();
    await expectText(page.getByRole("status"), "Saved.");
    assert.equal((await api.request("GET", `/channels/${channel.id}`)).greeting_message, greeting);
    const customer = `5521${String(randomInt(10 ** 9)).padStart(9, "0")}`;
    await simulator.customerSays(number, { from: customer, text: "Hello, anyone there?" });
    await eventually(async () => {
      const sent = await simulator.admin("GET", `/numbers/${number.phone_number}/messages`);
      return sent.some(
        (message) => message.to.replace(/\D/g, "") === customer && message.rendered_text === greeting,
      );
    }, "the new greeting at 360dialog");

    // Another number, with its own key: the webhook moves to it.
    const moved = await simulator.newNumber("cloud");
    await page.getByLabel("Phone number", { exact: true }).fill(`+${moved.phone_number}`);
    await page.getByLabel("API key of the new number (optional)", { exact: true }).fill(moved.api_key);
    await page.getByRole("button", { name: "Save details" }).click();
    await expectText(page.getByRole("status"), "Saved. 360dialog now sends the new number's messages here.");
    await expectText(page.locator(".lead"), `+${moved.phone_number}`);
    const onNewNumber = await api.request("GET", `/channels/${channel.id}`);
    assert.equal(onNewNumber.phone_number, `+${moved.phone_number}`);
    assert.equal(onNewNumber.api_key_masked, `****${moved.api_key.slice(-4)}`);
    const movedAt360dialog = await simulator.admin("GET", `/numbers/${moved.phone_number}`);
    assert.equal(movedAt360dialog.webhook?.url, onNewNumber.webhook_url);

    // A key made in the 360dialog hub replaces the stored one.
    const hubKey = await simulator.newKey(moved);
    await page.getByLabel("New API key", { exact: true }).fill(hubKey);
    await page.getByRole("button", { name: "Replace the key" }).click();
    await expectText(page.getByRole("status"), `Key replaced (****${hubKey.slice(-4)})`);
    assert.equal(
      (await api.request("GET", `/channels/${channel.id}`)).api_key_masked,
      `****${hubKey.slice(-4)}`,
    );

    // A new key from 360dialog through the Partner API, behind a confirmation.
    await page.getByRole("button", { name: "Get a new key from 360dialog" }).click();
    await page
      .getByRole("dialog", { name: "Get a new key from 360dialog?" })
      .getByRole("button", { name: "Get a new key" })
      .click();
    await expectText(page.getByRole("status"), "360dialog issued a new key");
    const issued = (await simulator.admin("GET", `/numbers/${moved.phone_number}`)).api_key;
    assert.notEqual(issued, hubKey, "360dialog holds a new key");
    await expectText(page.getByRole("status"), `(****${issued.slice(-4)})`);
    assert.equal(
      (await api.request("GET", `/channels/${channel.id}`)).api_key_masked,
      `****${issued.slice(-4)}`,
    );

    // Where the browser has no clipboard API (plain http on another host), Copy selects the key instead.
    await page.evaluate(() => delete Navigator.prototype.clipboard);
    await page.getByRole("button", { name: "Show the key" }).click();
    await page
      .getByRole("dialog", { name: "Show the full API key?" })
      .getByRole("button", { name: "Show the key" })
      .click();
    const keyField = page.getByLabel("Full API key", { exact: true });
    assert.equal(await keyField.inputValue(), issued);
    await page.getByRole("button", { name: "Copy", exact: true }).click();
    await expectText(page.locator(".key-reveal"), "The key is selected: copy it with Ctrl+C");
    assert.deepEqual(
      await keyField.evaluate((input) => [
        document.activeElement === input,
        input.selectionStart,
        input.selectionEnd,
      ]),
      [true, 0, issued.length],
    );

    // Phone width: settings with the key shown, the audit trail, adding a channel.
    await page.setViewportSize(PHONE);
    await expectNoOverflow(page, "the settings");
    await page
      .getByRole("navigation", { name: "Channel" })
      .getByRole("link", { name: "Audit trail" })
      .click();
    await page.locator('table.audit tr[data-action="api_key_refreshed"]').waitFor();
    const actions = await page
      .locator("table.audit tbody tr")
      .evaluateAll((trs) => trs.map((tr) => tr.dataset.action));
    assert.ok(
      ["api_key_viewed", "api_key_refreshed", "api_key_replaced", "channel_updated"].every((action) =>
        actions.includes(action),
      ),
      `the audit trail: ${actions}`,
    );
    await expectNoOverflow(page, "the audit trail");
    await page.goto(`${env.consoleUrl}channels/new`);
    await page.getByRole("heading", { name: "Add a channel", level: 1 }).waitFor();
    await expectNoOverflow(page, "adding a channel");
    await page.setViewportSize(LAPTOP);
  },
);
