/** Inbox: a customer writes (text, a photo, a location), the conversation appears with its unread count
 * and the window's time left; the agent opens it (the customer's message is marked read), replies by
 * keyboard, watches the ticks move, sees the customer's reaction come and go, sends a file; a customer
 * whose last message is more than a day old only gets a template, prefilled from the contact, with a live
 * preview, and the simulator receives the rendered text. A customer without any name still gets a
 * template that resolves, a sync that replaces the chosen template chooses another, a refused send puts
 * the focus on the value to fix, and a send 360dialog reports failed says why. Then every message type. */

import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { deflateSync } from "node:zlib";
import { consoleTest, expectText, fieldError, PHONE, signIn } from "./harness.mjs";

const DAY_SECONDS = 24 * 60 * 60;

function newCustomer() {
  return `5511${String(randomInt(10 ** 9)).padStart(9, "0")}`;
}

/** A real PNG (a green-and-white parcel label), so the browser has something to draw. */
function png(width = 96, height = 64) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = [0];
    for (let x = 0; x < width; x++) {
      const stripe = (x + y) % 24 < 12;
      row.push(...(stripe ? [11, 110, 79] : [240, 244, 242]));
    }
    rows.push(Buffer.from(row));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const PDF = Buffer.from("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");
/** A 1×1 lossless WebP, for a sticker the browser can draw. */
const WEBP = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==";

async function sentAtSimulator(simulator, number) {
  return simulator.admin("GET", `/numbers/${number.phone_number}/messages`);
}

async function eventually(check, what, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The thread shows its newest message whole: it keeps to the bottom while nobody has scrolled up, also
 * when photos and players take their size late or the screen narrows. */
async function assertNewestInView(thread) {
  const below = await thread.evaluate(async (element) => {
    // The thread follows a change of size before the next paint: two frames are plenty.
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const newest = element.querySelector(".messages > li:last-child");
    return Math.round(newest.getBoundingClientRect().bottom - element.getBoundingClientRect().bottom);
  });
  assert.ok(below <= 0, `the newest message ends ${below}px below what the thread shows`);
}

/** WCAG's contrast ratio of an element's text with its own background, both seen through the opacity of
 * the element and its ancestors over the nearest opaque background behind them. */
async function textContrast(locator) {
  return locator.evaluate((element) => {
    const rgba = (css) => {
      const [r, g, b, a = 1] = css.match(/[\d.]+/g).map(Number);
      return { rgb: [r, g, b], a };
    };
    const style = getComputedStyle(element);
    let opacity = Number(style.opacity);
    let backdrop = [255, 255, 255];
    for (let node = element.parentElement; node; node = node.parentElement) {
      const background = rgba(getComputedStyle(node).backgroundColor);
      if (background.a === 1) {
        backdrop = background.rgb;
        break;
      }
      opacity *= Number(getComputedStyle(node).opacity);
    }
    const seen = (rgb) => rgb.map((value, i) => opacity * value + (1 - opacity) * backdrop[i]);
    const luminance = (rgb) => {
      const [r, g, b] = rgb.map((value) => {
        const c = value / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const text = luminance(seen(rgba(style.color).rgb));
    const background = luminance(seen(rgba(style.backgroundColor).rgb));
    return (Math.max(text, background) + 0.05) / (Math.min(text, background) + 0.05);
  });
}

consoleTest(
  "a conversation: reply, ticks, reaction, a file, then a template after the window",
  async ({ page, shot, api, simulator }) => {
    const number = await simulator.newNumber("cloud");
    const channel = await api.connect(number, { name: `Shop ${number.phone_number.slice(-4)}` });
    // Each status a moment after the last, so that the ticks can be seen moving.
    await simulator.admin("PUT", `/numbers/${number.phone_number}/outbound`, {
      statuses: ["sent", "delivered", "read"],
      delay_seconds: 1.5,
    });
    const ana = newCustomer();
    const says = (message) =>
      simulator.customerSays(number, { from: ana, profile_name: "Ana Souza", ...message });
    const hello = await says({ text: "Hi, is my order on its way?" });
    const image = await says({
      type: "image",
      media: {
        mime_type: "image/png",
        caption: "The box arrived like this",
        content_base64: png().toString("base64"),
      },
    });
    const location = await says({
      type: "location",
      location: {
        latitude: 52.520008,
        longitude: 13.404954,
        name: "Alexanderplatz",
        address: "10178 Berlin",
      },
    });

    await signIn(page);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Inbox" }).click();
    await page.getByRole("heading", { name: "Inbox", level: 1 }).waitFor();
    await page.getByLabel("Channel", { exact: true }).selectOption(channel.id);
    const list = page.getByRole("navigation", { name: "Conversations" });
    const item = list.getByRole("link", { name: /Ana Souza/ });
    // (Which of the three is "last" is the API's call: they arrived within the same second.)
    await expectText(item, /Open · 23 h 5\d min left/);
    await item.locator('.unread[data-unread="3"]').waitFor();
    await shot("inbox");

    // Open it by keyboard: the thread shows every message; the newest is marked read at 360dialog.
    await item.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Ana Souza", level: 1 }).waitFor();
    await page.waitForFunction(
      () => document.activeElement?.matches("h1") && document.activeElement.textContent === "Ana Souza",
    );
    const thread = page.getByRole("log", { name: "Messages with Ana Souza" });
    await expectText(thread, "Hi, is my order on its way?");
    await expectText(thread, "Alexanderplatz");
    await expectText(thread, "52.52001, 13.40495");
    await expectText(page.locator(".thread__header"), /Window open · 23 h 5\d min left/);
    // The photo: "still copying" until the backend has it, then drawn from its signed URL.
    const photo = thread.getByRole("img", { name: "Photo: The box arrived like this" });
    await photo.waitFor({ timeout: 45_000 });
    await page.waitForFunction((img) => img.complete && img.naturalWidth === 96, await photo.elementHandle());
    await assertNewestInView(thread);
    // Marking the newest read marks all before it (the three share a second: the API's order decides).
    const ids = [hello, image, location].map((answer) => answer.message_id);
    const [receipt] = await eventually(async () => {
      const receipts = await simulator.admin("GET", `/numbers/${number.phone_number}/read-receipts`);
      return receipts.length > 0 ? receipts : null;
    }, "a read receipt");
    assert.ok(ids.includes(receipt.message_id), "the read receipt is for one of the customer's messages");
    await item.locator(".unread").waitFor({ state: "detached" });

    // Reply with the keyboard; a double submission sends once; the ticks move to read.
    const composer = page.getByRole("form", { name: "Send a message" });
    await composer.getByLabel("Message").fill("Yes, it ships today. Sorry about the box!");
    await composer.getByLabel("Message").press("Enter");
    await composer.getByLabel("Message").press("Enter");
    const reply = thread.locator("article.bubble--out").filter({ hasText: "Yes, it ships today." });
    await reply.waitFor();
    const seen = new Set();
    await eventually(async () => {
      const status = await reply.locator("[data-ticks]").getAttribute("data-ticks");
      seen.add(status);
      return status === "read";
    }, "the reply's read tick");
    assert.ok(seen.size >= 2, `the ticks moved (${[...seen].join(" → ")})`);
    await expectText(reply, "✓✓ Read");
    const sent = await sentAtSimulator(simulator, number);
    assert.equal(
      sent.filter((m) => m.rendered_text === "Yes, it ships today. Sorry about the box!").length,
      1,
    );
    await expectText(item, "You: Yes, it ships today.", 15_000);

    // Reply and React are quiet until a message is pointed at, and readable all the same (WCAG AA).
    assert.ok(await page.evaluate(() => matchMedia("(hover: hover)").matches), "a device that can hover");
    await page.mouse.move(0, 0);
    const helloBubble = thread
      .locator("article.bubble--in")
      .filter({ hasText: "Hi, is my order on its way?" });
    for (const name of ["Reply to the customer's message", "React to the customer's message"]) {
      const contrast = await textContrast(helloBubble.getByRole("button", { name }));
      assert.ok(contrast >= 4.5, `${name}: contrast ${contrast.toFixed(2)}:1, below WCAG AA's 4.5:1`);
    }

    // The customer reacts to the reply, then takes the reaction back.
    const replyId = sent.find((m) => m.rendered_text?.startsWith("Yes, it ships")).id;
    await says({ type: "reaction", reaction: { message_id: replyId, emoji: "👍" } });
    await expectText(reply.locator(".bubble__reactions"), "👍");
    await expectText(thread, "Ana Souza reacted 👍 to “Yes, it ships today.");
    await shot("inbox-thread");
    await says({ type: "reaction", reaction: { message_id: replyId } });
    await expectText(thread, "Ana Souza removed their reaction from “Yes, it ships today.");
    await reply.locator(".bubble__reactions").waitFor({ state: "detached" });

    // React to the customer's photo, and reply to it.
    const photoBubble = thread
      .locator("article.bubble--in")
      .filter({ has: page.locator("img.media__image") });
    await photoBubble.getByRole("button", { name: "React to the customer's message" }).click();
    await photoBubble.getByRole("button", { name: "🙏" }).click();
    await expectText(photoBubble.locator(".bubble__reactions"), "🙏");
    await photoBubble.getByRole("button", { name: "Reply to the customer's message" }).click();
    await expectText(composer, "Replying to Photo: The box arrived like this");

    // A file: uploaded to the bucket, then sent by its upload id with the caption, as a reply.
    await composer.getByLabel("Attach a file").setInputFiles({
      name: "invoice-42.pdf",
      mimeType: "application/pdf",
      buffer: PDF,
    });
    await expectText(composer, "invoice-42.pdf");
    await composer.getByLabel("Caption").fill("Your invoice, with a discount for the box");
    await composer.getByRole("button", { name: "Send" }).click();
    const documentBubble = thread.locator('article.bubble--out[data-type="document"]');
    await expectText(documentBubble, "invoice-42.pdf");
    await expectText(documentBubble.locator(".quote"), "The box arrived like this");
    // The agent's own file opens from the bucket's copy, as a customer's does.
    const ownFile = documentBubble.getByRole("link", { name: "invoice-42.pdf" });
    await ownFile.waitFor();
    const copy = await fetch(await ownFile.getAttribute("href"));
    assert.equal(copy.status, 200);
    assert.deepEqual(Buffer.from(await copy.arrayBuffer()), PDF);
    await eventually(async () => {
      const document = (await sentAtSimulator(simulator, number)).find((m) => m.type === "document");
      return document?.rendered_text === "Your invoice, with a discount for the box";
    }, "the document at 360dialog");

    // The same conversation on a phone: the thread alone, nothing wider than the screen.
    await page.setViewportSize(PHONE);
    await assertNewestInView(thread);
    await shot("inbox-thread-phone");
    let overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the thread is ${overflow}px wider than a phone`);
    await page.getByRole("link", { name: "‹ All conversations" }).click();
    await page.getByRole("heading", { name: "Inbox", level: 1 }).waitFor();
    await expectText(list, "Ana Souza");
    overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the list is ${overflow}px wider than a phone`);
    await page.setViewportSize({ width: 1280, height: 800 });

    // A customer whose last message is 25 hours old: the window is closed, only a template goes.
    const bruno = newCustomer();
    await simulator.customerSays(number, {
      from: bruno,
      profile_name: "Bruno Lima",
      text: "Do you deliver on Sundays?",
      timestamp: Math.floor(Date.now() / 1000) - DAY_SECONDS - 3600,
    });
    const [contact] = (await api.request("GET", `/contacts?query=${bruno}`)).items;
    await api.request("PATCH", `/contacts/${contact.id}`, { first_name: "Bruno" });
    await simulator.admin("PUT", `/numbers/${number.phone_number}/templates/order_update/en`, {
      category: "UTILITY",
      components: [
        {
          type: "BODY",
          text: "Hi {{1}}, your order {{2}} is on its way.",
          example: { body_text: [["Anna", "#1001"]] },
        },
        { type: "FOOTER", text: "Reply STOP to opt out" },
      ],
    });

    const brunoItem = list.getByRole("link", { name: /^Bruno / });
    await expectText(brunoItem, "Window closed", 20_000);
    await brunoItem.click();
    await page.getByRole("heading", { name: "Bruno", level: 1 }).waitFor();
    await expectText(page.locator(".thread__header"), /Window closed · closed 1 h( \d+ min)? ago/);
    await expectText(page.getByRole("region", { name: "Reply" }), "The 24-hour window is closed");
    assert.equal(
      await page.getByRole("form", { name: "Send a message" }).count(),
      0,
      "no free-form composer",
    );

    // The template was never synced: sync it from the composer.
    await page.getByRole("button", { name: "Sync templates from 360dialog" }).click();
    const templateForm = page.getByRole("form", { name: "Send a template" });
    await templateForm.waitFor();
    assert.equal(await templateForm.getByLabel("Template").inputValue(), "order_update|en");
    assert.equal(await templateForm.getByLabel("Body {{1}}").inputValue(), "{{contact.first_name}}");
    const preview = templateForm.getByRole("region", { name: "Preview for this contact" });
    await expectText(preview, "Hi Bruno, your order {{2}} is on its way.");
    await expectText(preview, "Reply STOP to opt out");

    // An empty value would reach the customer as {{2}}: refused here, on its field.
    await templateForm.getByRole("button", { name: "Send the template" }).click();
    assert.match(await fieldError(page, "Body {{2}}"), /WhatsApp would show \{\{2\}\} to the customer/);
    await templateForm.getByLabel("Body {{2}}").fill("#4711");
    await expectText(preview, "Hi Bruno, your order #4711 is on its way.");
    await shot("inbox-template");
    await templateForm.getByRole("button", { name: "Send the template" }).click();
    const brunoThread = page.getByRole("log", { name: "Messages with Bruno" });
    await expectText(brunoThread, "Do you deliver on Sundays?");
    const templateBubble = brunoThread.locator('article.bubble--out[data-type="template"]');
    await expectText(templateBubble, "Template order_update · en");
    await expectText(templateBubble, "Hi Bruno, your order #4711 is on its way.");
    await eventually(async () => {
      const template = (await sentAtSimulator(simulator, number)).find((m) => m.type === "template");
      return template?.rendered_text === "Hi Bruno, your order #4711 is on its way.";
    }, "the rendered template at 360dialog");
  },
  { timeout: 240_000 },
);

consoleTest(
  "a template for a customer without a name, a template a sync replaced, a send that fails",
  async ({ page, api, simulator }) => {
    const number = await simulator.newNumber("cloud");
    const channel = await api.connect(number, { name: `Parcels ${number.phone_number.slice(-4)}` });
    const putTemplate = (name, text, status = "APPROVED") =>
      simulator.admin("PUT", `/numbers/${number.phone_number}/templates/${name}/en`, {
        category: "UTILITY",
        status,
        components: [{ type: "BODY", text, example: { body_text: [["Anna", "#1001"]] } }],
      });
    await putTemplate("order_update", "Hi {{1}}, your order {{2}} is on its way.");
    // 360dialog accepts what is sent, then reports it failed.
    await simulator.admin("PUT", `/numbers/${number.phone_number}/outbound`, {
      fail: { code: 131026, title: "Message undeliverable" },
    });
    // A customer with no WhatsApp profile name, whose last message is 25 hours old.
    const customer = newCustomer();
    await simulator.customerSays(number, {
      from: customer,
      profile_name: null,
      text: "Where is my parcel?",
      timestamp: Math.floor(Date.now() / 1000) - DAY_SECONDS - 3600,
    });

    await signIn(page);
    await page.goto(`${process.env.CONSOLE_URL}inbox?channel=${channel.id}`);
    await page
      .getByRole("navigation", { name: "Conversations" })
      .getByRole("link", { name: new RegExp(customer) })
      .click();
    await page.getByRole("heading", { name: `+${customer}`, level: 1 }).waitFor();
    await page.getByRole("button", { name: "Sync templates from 360dialog" }).click();
    const templateForm = page.getByRole("form", { name: "Send a template" });
    const preview = templateForm.getByRole("region", { name: "Preview for this contact" });
    // No name at all: the greeting's fallback fills it, so the prefill resolves.
    assert.equal(await templateForm.getByLabel("Body {{1}}").inputValue(), "{{contact.name|there}}");
    await expectText(preview, "Hi there, your order {{2}} is on its way.");

    // A sync replaces the chosen template by another, as many as before: the other one is chosen.
    await putTemplate("order_update", "Hi {{1}}, your order {{2}} is on its way.", "PAUSED");
    await putTemplate("parcel_update", "Hello {{1}}, parcel {{2}} has left our store.");
    await page.getByRole("button", { name: "Sync templates from 360dialog" }).click();
    await expectText(preview, "Hello there, parcel {{2}} has left our store.");
    assert.equal(await templateForm.getByLabel("Template").inputValue(), "parcel_update|en");

    // A refused send takes the focus to the first value to fill in.
    await templateForm.getByRole("button", { name: "Send the template" }).click();
    assert.match(await fieldError(page, "Body {{2}}"), /WhatsApp would show \{\{2\}\} to the customer/);
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute("name")),
      "parameters.body.1",
    );
    await page.keyboard.type("#4711");
    await templateForm.getByRole("button", { name: "Send the template" }).click();

    // 360dialog reports the template failed: the thread says why.
    const thread = page.getByRole("log", { name: `Messages with +${customer}` });
    const sent = thread.locator('article.bubble--out[data-type="template"]');
    await expectText(sent, "Hello there, parcel #4711 has left our store.");
    await thread.locator('article.bubble--out[data-status="failed"]').waitFor();
    await expectText(sent.getByRole("note"), "Not delivered: Message undeliverable (code 131026)");
  },
  { timeout: 180_000 },
);

consoleTest("every message type is shown as such", async ({ page, shot, api, simulator }) => {
  const number = await simulator.newNumber("on_premise");
  const channel = await api.connect(number, { name: "Every type" });
  const from = newCustomer();
  const says = (message) => simulator.customerSays(number, { from, profile_name: "Dora Quinn", ...message });
  const first = await says({ text: "Hello!" });
  await says({ text: "About the message above", context: { message_id: first.message_id } });
  await says({ text: "Look at this", context: { forwarded: true } });
  await says({
    type: "contacts",
    contacts: [
      {
        name: { formatted_name: "Eve Stone", first_name: "Eve" },
        phones: [{ phone: "+49 30 1234567", type: "WORK" }],
        emails: [{ email: "eve@example.com" }],
      },
    ],
  });
  await says({
    type: "interactive",
    interactive: { type: "button_reply", button_reply: { id: "yes", title: "Yes, please" } },
  });
  await says({
    type: "interactive",
    interactive: { type: "list_reply", list_reply: { id: "tue", title: "Tuesday", description: "10–12 h" } },
  });
  await says({
    type: "interactive",
    interactive: {
      type: "nfm_reply",
      nfm_reply: { name: "survey", body: "Sent", response_json: '{"stars": 5}' },
    },
  });
  await says({ type: "button", button: { payload: "STOP", text: "Stop promotions" } });
  await says({
    type: "order",
    order: {
      catalog_id: "cat-1",
      text: "For the shop in Mitte",
      product_items: [{ product_retailer_id: "mug-blue", quantity: 2, item_price: 9.5, currency: "EUR" }],
    },
  });
  await says({
    text: "I saw your ad",
    referral: {
      source_url: "https://example.com/ad/1",
      source_type: "ad",
      headline: "Winter sale",
      body: "50% off",
    },
  });
  await says({
    type: "document",
    media: { mime_type: "application/pdf", filename: "receipt.pdf", content_base64: PDF.toString("base64") },
  });
  await says({ type: "audio", media: { mime_type: "audio/ogg" } });
  // On-Premise sends a voice note as a type of its own; the API keeps it as audio with `voice: true`.
  await says({ type: "voice", media: {} });
  await says({ type: "video", media: { mime_type: "video/mp4", caption: "The unboxing" } });
  await says({ type: "sticker", media: { mime_type: "image/webp", content_base64: WEBP } });
  await says({
    type: "system",
    system: { type: "customer_identity_changed", body: "Dora Quinn's security code changed." },
  });
  await says({ type: "unsupported" });

  await signIn(page);
  await page.goto(`${process.env.CONSOLE_URL}inbox?channel=${channel.id}`);
  await page
    .getByRole("navigation", { name: "Conversations" })
    .getByRole("link", { name: /Dora Quinn/ })
    .click();
  const thread = page.getByRole("log", { name: "Messages with Dora Quinn" });
  await expectText(thread, "Unsupported message.");
  const bubble = (type) => thread.locator(`article[data-type="${type}"]`);
  await expectText(
    thread.locator("article").filter({ hasText: "About the message above" }).locator(".quote"),
    "Hello!",
  );
  await expectText(thread.locator("article").filter({ hasText: "Look at this" }), "Forwarded");
  await expectText(bubble("contacts"), "Eve Stone");
  await expectText(bubble("contacts"), "+49 30 1234567");
  // Messages of the same second come in the API's order, so each is found by what it says.
  await expectText(bubble("interactive"), "Tapped the button “Yes, please”");
  await expectText(bubble("interactive"), "Chose from the list “Tuesday” — 10–12 h");
  await expectText(bubble("interactive"), "Sent a form (survey): Sent");
  await expectText(bubble("button"), "Tapped the quick reply “Stop promotions”");
  await expectText(bubble("order"), "2 × mug-blue at 9.50 EUR");
  await expectText(thread.locator("article").filter({ hasText: "I saw your ad" }), "Came from an ad");
  await expectText(bubble("document"), "receipt.pdf", 45_000);
  await thread.locator('article[data-type="document"] a.media__link').waitFor({ timeout: 45_000 });
  await thread.locator('article[data-type="audio"] audio[aria-label="Audio"]').waitFor({ timeout: 45_000 });
  await thread
    .locator('article[data-type="audio"] audio[aria-label="Voice message"]')
    .waitFor({ timeout: 45_000 });
  // The simulator's made-up bytes are no film the browser can play: the video is offered as a link.
  await expectText(bubble("video"), "The browser cannot show this video: Open the video", 45_000);
  await expectText(bubble("video"), "The unboxing");
  const sticker = bubble("sticker").getByRole("img", { name: "Sticker" });
  await sticker.waitFor({ timeout: 45_000 });
  await page.waitForFunction((img) => img.complete && img.naturalWidth === 1, await sticker.elementHandle());
  await expectText(thread.locator('.event[data-type="system"]'), "Dora Quinn's security code changed.");
  await assertNewestInView(thread);
  await shot("inbox-message-types");
});
