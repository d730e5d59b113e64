/** Business profile: sync it from 360dialog, see WhatsApp's limits while typing and the API's 422 on the
 * field, save an edit that 360dialog (the simulator) then holds, upload a photo (refused when too small). */

import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { consoleTest, expectText, fieldError, PHONE, signIn } from "./harness.mjs";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A plain RGB PNG of one colour with a diagonal stripe, made here (no image library). */
function png(width, height, [r, g, b] = [11, 110, 79]) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, no interlace
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const stripe = Math.abs(x - y) < width / 8;
      row.set(stripe ? [255, 255, 255] : [r, g, b], 1 + x * 3);
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

consoleTest(
  "the business profile: sync, limits, edit, photo",
  async ({ page, shot, api, simulator, allowConsoleError }) => {
    const number = await simulator.newNumber("cloud");
    const channel = await api.connect(number, { name: `Bakery ${number.phone_number.slice(-4)}` });
    await simulator.admin("PUT", `/numbers/${number.phone_number}/profile`, {
      about: "Fresh bread daily",
      address: "Hauptstr. 1, Berlin",
    });

    await signIn(page);
    // The channel's own page (the e2e stack's workspace has more channels than the list's first page).
    await page.goto(`${process.env.CONSOLE_URL}channels/${channel.id}`);
    await page.getByRole("heading", { name: channel.name, level: 1 }).waitFor();
    await page
      .getByRole("navigation", { name: "Channel" })
      .getByRole("link", { name: "Business profile" })
      .click();
    await page.getByRole("heading", { name: "Business profile", level: 2 }).waitFor();
    await expectText(page.locator("main"), "Last synced with 360dialog: never");
    await expectText(page.locator(".notice--info"), "never been synced");

    // Sync: the profile as 360dialog holds it.
    await page.getByRole("button", { name: "Sync with 360dialog" }).click();
    await expectText(page.locator(".notice--success"), "Synced: this is the profile WhatsApp shows now.");
    await expectText(page.locator("main"), /Last synced with 360dialog: (just now|\d+ seconds? ago)/);
    const about = page.getByLabel("About", { exact: true });
    assert.equal(await about.inputValue(), "Fresh bread daily");
    assert.equal(
      await page.getByLabel("Address (optional)", { exact: true }).inputValue(),
      "Hauptstr. 1, Berlin",
    );

    // The limit shows while typing; saved anyway, the API refuses it on the field, which takes the focus.
    const tooLong = `Fresh bread, cakes and coffee every day from seven. ${"Sourdough is our speciality. ".repeat(4)}`;
    assert.ok(tooLong.length > 139);
    await about.fill(tooLong);
    const aboutField = page.locator('[data-field="about"]');
    await expectText(aboutField.locator(".counter"), `${tooLong.length} / 139`);
    await expectText(
      aboutField.locator(".field__rules"),
      `The about text has ${tooLong.length} characters; shorten it to 139.`,
    );
    const description =
      "Family bakery since 1990: sourdough, rye and spelt, baked in Berlin-Mitte every morning.";
    await page.getByLabel("Description (optional)", { exact: true }).fill(description);
    const refusedAbout = allowConsoleError(/status of 422/);
    await page.getByRole("button", { name: "Save profile" }).click();
    assert.match(await fieldError(page, "About"), /The about text has \d+ characters; shorten it to 139\./);
    refusedAbout();
    await page.waitForFunction(() => document.activeElement?.getAttribute("name") === "about");
    await shot("profile-error");

    // A good edit: written to 360dialog, read back, shown with the new sync time.
    await about.fill("Open 7-19. Fresh bread daily.");
    await page.getByLabel("Website 1 (optional)", { exact: true }).fill("https://bakery.example");
    await page.getByLabel("Industry (vertical) (optional)", { exact: true }).selectOption("RESTAURANT");
    await page.getByRole("button", { name: "Save profile" }).click();
    await expectText(page.locator(".notice--success"), "Saved: WhatsApp shows the new profile.");
    const held = await simulator.admin("GET", `/numbers/${number.phone_number}/profile`);
    assert.equal(held.about, "Open 7-19. Fresh bread daily.");
    assert.equal(held.description, description);
    assert.deepEqual(held.websites, ["https://bakery.example"]);
    assert.equal(held.vertical, "RESTAURANT");
    assert.equal(await about.inputValue(), "Open 7-19. Fresh bread daily.");

    // The photo: a too-small one is flagged at once and refused by the API on the field.
    const photoInput = page.getByLabel("New photo", { exact: true });
    await photoInput.setInputFiles({ name: "small.png", mimeType: "image/png", buffer: png(100, 100) });
    await expectText(
      page.locator("#photo-rules"),
      "The photo is 100 × 100 px; it must be at least 192 × 192 px.",
    );
    const refusedPhoto = allowConsoleError(/status of 422/);
    await page.getByRole("button", { name: "Upload photo" }).click();
    assert.match(
      await fieldError(page, "New photo"),
      /The photo is 100 x 100 px; it must be at least 192 x 192 px/,
    );
    refusedPhoto();

    // A square one of 256 px is taken; 360dialog holds exactly its bytes. The simulator's picture link
    // points at WhatsApp's CDN, which the closed test network cannot reach: the screen says so.
    const unreachableCdn = allowConsoleError(/pps\.whatsapp\.net/);
    const photo = png(256, 256);
    await photoInput.setInputFiles({ name: "bakery.png", mimeType: "image/png", buffer: photo });
    await expectText(page.locator(".photo__chosen"), "bakery.png: 256 × 256 px");
    assert.equal(await page.locator("#photo-rules").count(), 0);
    await page.getByRole("button", { name: "Upload photo" }).click();
    await expectText(page.locator(".notice--success"), "Photo updated");
    const stored = await fetch(
      `${process.env.SIMULATOR_URL}/_admin/numbers/${number.phone_number}/profile-photo`,
    );
    assert.equal(stored.status, 200);
    assert.ok(Buffer.from(await stored.arrayBuffer()).equals(photo), "360dialog holds the uploaded photo");
    await expectText(
      page.locator(".profile__photo"),
      /The photo( WhatsApp shows now|'s link couldn't be loaded)/,
    );
    // Loaded or not, the picture is settled once the browser calls it complete.
    await page.waitForFunction(() =>
      [...document.querySelectorAll(".profile__photo img")].every((image) => image.complete),
    );
    unreachableCdn();
    await shot("business-profile");

    // Phone width: one column.
    await page.setViewportSize(PHONE);
    await shot("business-profile-phone");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone`);
  },
);
