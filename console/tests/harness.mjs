/**
 * The console's browser tests: Debian's chromium driven by playwright-core, against a running local
 * stack. tests/e2e/test_console.py starts the stack and runs each `*.test.mjs` here with:
 *
 *   CONSOLE_URL      the console (…/console/)          API_URL        the HTTP API
 *   SIMULATOR_URL    360dialog's simulator              DEV_TOKEN      the dev workspace's token
 *   CONSOLE_SCREENSHOT_DIR  where `shot()` saves PNGs (console/screenshots to refresh the README's)
 *   CHROMIUM         the browser (default /usr/bin/chromium)
 *
 * A test is `consoleTest(name, async ({ page, shot, api, simulator, allowConsoleError }) => …)`: a fresh
 * browser context (nothing in local storage), and at the end a check that the page logged no error, threw
 * nothing and lost no request, beyond what the test allowed.
 *
 * An allowance covers what happens while it lasts: `const allowed = allowConsoleError(/status of 422/)`
 * before the step that provokes the error, `allowed()` once the screen has shown it. A problem reported
 * before the allowance or after its end fails the test; an allowance never ended lasts to the test's end.
 */

import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { chromium } from "playwright-core";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests through tests/e2e/test_console.py`);
  return value;
}

export const env = {
  consoleUrl: required("CONSOLE_URL"),
  apiUrl: required("API_URL"),
  simulatorUrl: required("SIMULATOR_URL"),
  devToken: required("DEV_TOKEN"),
  screenshotDir: process.env.CONSOLE_SCREENSHOT_DIR || join(tmpdir(), "wachannel-console-screenshots"),
  chromium: process.env.CHROMIUM || "/usr/bin/chromium",
};

export const LAPTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
const TIMEOUT_MS = 20_000;

// Without the background-networking flags chromium keeps calling Google's services, which on a closed
// network only costs time. Playwright gives each launch a fresh profile (its own --user-data-dir).
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** One browser per test file, started by the first test and closed after the last. */
let browser = null;

function sharedBrowser() {
  browser ??= chromium.launch({ executablePath: env.chromium, headless: true, args: CHROMIUM_ARGS });
  return browser;
}

after(async () => {
  if (browser !== null) await (await browser).close();
});

/** Calls the API as the dev workspace, for a test's setup (the console itself is what is tested). */
export const api = {
  async request(method, path, body) {
    const response = await fetch(`${env.apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${env.devToken}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  },

  /** Connects a simulator number as a channel, as the add screen would. */
  connect(number, fields = {}) {
    return this.request("POST", "/channels", {
      name: "Support",
      phone_number: `+${number.phone_number}`,
      api_key: number.api_key,
      api_generation: number.api_generation,
      ...fields,
    });
  },
};

/** 360dialog's simulator: numbers of its own, and a customer who writes to them. */
export const simulator = {
  async admin(method, path, body) {
    const response = await fetch(`${env.simulatorUrl}/_admin${path}`, {
      method,
      headers: { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`simulator ${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  },

  /** A new number with its API key (`phone_number` as digits, `api_key`, `api_generation`). */
  newNumber(generation = "cloud") {
    const digits = `49152${String(randomInt(10 ** 8)).padStart(8, "0")}`;
    return this.admin("POST", "/numbers", { phone_number: digits, api_generation: generation });
  },

  /** 360dialog's hub issues the number a new key through the Partner API; its old key stops working. */
  async newKey(number) {
    const partner = await this.admin("GET", "/partner");
    const { partner_channel_id: channelId } = await this.admin("GET", `/numbers/${number.phone_number}`);
    const response = await fetch(
      `${env.simulatorUrl}/api/v2/partners/${partner.partner_id}/channels/${channelId}/api_keys`,
      { method: "POST", headers: { "X-API-Key": partner.partner_api_key } },
    );
    if (!response.ok)
      throw new Error(`the Partner API answered ${response.status}: ${await response.text()}`);
    return (await response.json()).api_key;
  },

  /** A customer's message to a connected number, delivered to its webhook (see /_admin .../inbound). */
  customerSays(number, message) {
    return this.admin("POST", `/numbers/${number.phone_number}/inbound`, {
      from: "4917612345678",
      profile_name: "Ana Souza",
      type: "text",
      ...message,
    });
  },
};

/**
 * One browser test. `body` gets:
 * - `page` (Playwright's Page, at the laptop size, in a fresh context; `page.setViewportSize(PHONE)` for a phone),
 * - `shot(name)` saves the page as `<name>.png` in the screenshot dir,
 * - `allowConsoleError(pattern)` for an error the test provokes on purpose (a 422 it wants to see shown);
 *   it returns the function that ends the allowance,
 * - `api` and `simulator` for setup.
 */
export function consoleTest(name, body, { timeout = 120_000 } = {}) {
  test(name, { timeout }, async () => {
    const context = await (
      await sharedBrowser()
    ).newContext({
      viewport: LAPTOP,
      deviceScaleFactor: 1,
      locale: "en-GB",
      timezoneId: "UTC",
      reducedMotion: "reduce",
    });
    context.setDefaultTimeout(TIMEOUT_MS);
    const page = await context.newPage();
    const problems = watchForProblems(page);
    mkdirSync(env.screenshotDir, { recursive: true });
    const shot = (screen) =>
      page.screenshot({ path: join(env.screenshotDir, `${screen}.png`), fullPage: true });
    try {
      await body({ page, shot, api, simulator, allowConsoleError: problems.allow });
    } catch (error) {
      const failure = join(env.screenshotDir, `failed-${slug(name)}.png`);
      await page.screenshot({ path: failure, fullPage: true }).catch(() => {});
      error.message += `\n(page at ${page.url()}; screenshot ${failure})`;
      if (problems.unexpected().length)
        error.message += `\nthe page also reported:\n${problems.unexpected().join("\n")}`;
      throw error;
    } finally {
      await context.close();
    }
    assert.deepEqual(problems.unexpected(), [], "the page reported errors");
  });
}

/** What the page reported, in order; an allowance covers the problems reported from its start to its end. */
function watchForProblems(page) {
  const seen = [];
  const allowances = [];
  page.on("console", (message) => {
    if (message.type() === "error") seen.push(`console error: ${message.text()} @ ${message.location().url}`);
  });
  page.on("pageerror", (error) => seen.push(`uncaught: ${error.stack ?? error}`));
  page.on("requestfailed", (request) => {
    const failure = request.failure()?.errorText ?? "";
    // A screen that unmounts cancels its fetches on purpose.
    if (failure !== "net::ERR_ABORTED")
      seen.push(`request failed: ${request.method()} ${request.url()} ${failure}`);
  });
  return {
    allow: (pattern) => {
      const allowance = { pattern, from: seen.length, to: Infinity };
      allowances.push(allowance);
      return () => {
        allowance.to = Math.min(allowance.to, seen.length);
      };
    },
    unexpected: () =>
      seen.filter(
        (problem, index) =>
          !allowances.some(({ pattern, from, to }) => from <= index && index < to && pattern.test(problem)),
      ),
  };
}

function slug(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

// ---------------------------------------------------------------- screen helpers

/** Opens the channels and signs in with the token the local stack pre-fills; lands on the channels. */
export async function signIn(page) {
  await page.goto(`${env.consoleUrl}channels`);
  await page.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
  assert.equal(await page.getByLabel("Token").inputValue(), env.devToken, "the dev token is pre-filled");
  await page.getByRole("button", { name: "Use this token" }).click();
  await page.getByRole("heading", { name: "Channels", level: 1 }).waitFor();
}

/**
 * Makes the page's next call of the API's `path` (with these `query` parameters) answer `status` with
 * the API's error envelope, once: the API failing for a moment.
 */
export function failNextApiCall(page, path, { query = {}, status = 503 } = {}) {
  const api = new URL(env.apiUrl);
  const matches = (url) =>
    url.origin === api.origin &&
    url.pathname === `${api.pathname.replace(/\/$/, "")}${path}` &&
    Object.entries(query).every(([name, value]) => url.searchParams.get(name) === value);
  const envelope = { error: { code: "unavailable", message: "The API is unavailable.", details: null } };
  return page.route(
    matches,
    (route) => route.fulfill({ status, contentType: "application/json", body: JSON.stringify(envelope) }),
    { times: 1 },
  );
}

/** The error shown for a form field: what its aria-describedby points at, as a screen reader reads it. */
export async function fieldError(page, label) {
  const field = page.getByLabel(label, { exact: true });
  await page.waitForFunction(
    (element) => element.getAttribute("aria-invalid") === "true",
    await field.elementHandle(),
  );
  const ids = (await field.getAttribute("aria-describedby")) ?? "";
  const texts = await Promise.all(
    ids
      .split(" ")
      .filter((id) => id.endsWith("-error"))
      .map((id) => page.locator(`[id="${id}"]`).innerText()),
  );
  return texts.join(" ");
}

/** Waits until `locator`'s text contains `expected` (a string or RegExp); fails with what it showed. */
export async function expectText(locator, expected, timeout = TIMEOUT_MS) {
  const matches = (text) => (expected instanceof RegExp ? expected.test(text) : text.includes(expected));
  const deadline = Date.now() + timeout;
  let text = "";
  while (Date.now() < deadline) {
    text = (await locator.allInnerTexts()).join("\n");
    if (matches(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`expected ${expected} in ${locator}, which shows:\n${text}`);
}
