/** Templates: sync a number's templates and read their statuses, filter them, build a new one (WhatsApp's
 * rules shown while typing, the API's 422 on the field it names, the API's preview), submit it, let the
 * simulator approve it, sync, switch it off for agents, give it defaults the API checks, delete it. */

import assert from "node:assert/strict";
import { consoleTest, expectText, failNextApiCall, fieldError, LAPTOP, PHONE, signIn } from "./harness.mjs";

/** Waits until the list shows exactly these templates ("name/language"), in this order. */
async function expectRows(page, expected, timeout = 20_000) {
  const rows = page.locator("table.templates tbody tr");
  const deadline = Date.now() + timeout;
  let shown = [];
  while (Date.now() < deadline) {
    shown = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.template));
    // Rows of a list being asked again are the old answer's.
    const table = page.locator("table.templates");
    const busy = (await table.count()) > 0 && (await table.getAttribute("aria-busy")) === "true";
    if (!busy && JSON.stringify(shown) === JSON.stringify(expected)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual(shown, expected, "the templates listed");
}

consoleTest(
  "templates from sync to a new one approved, configured and deleted",
  async ({ page, shot, api, simulator, allowConsoleError }) => {
    // An On-Premise number: 360dialog sends it no template webhooks, so statuses arrive by sync only.
    const number = await simulator.newNumber("on_premise");
    const channel = await api.connect(number, { name: `Templates ${number.phone_number.slice(-4)}` });
    const admin = `/numbers/${number.phone_number}/templates`;
    await simulator.admin("POST", `${admin}/seed`, { count: 2, languages: ["en", "de"] });
    await simulator.admin("PUT", `${admin}/spring_sale/en`, {
      category: "MARKETING",
      status: "REJECTED",
      rejected_reason: "PROMOTIONAL",
      components: [{ type: "BODY", text: "Spring sale: everything 20% off this week!" }],
    });

    await signIn(page);
    // The channel's own page (the e2e stack's workspace has more channels than the list's first page).
    await page.goto(`${process.env.CONSOLE_URL}channels/${channel.id}`);
    await page.getByRole("heading", { name: channel.name, level: 1 }).waitFor();
    const tabs = page.getByRole("navigation", { name: "Channel" });
    await tabs.getByRole("link", { name: "Templates" }).click();
    await page.getByRole("heading", { name: "Templates", level: 2 }).waitFor();
    await expectText(page.locator("main"), "Last synced with 360dialog: never");
    await expectText(page.locator(".empty"), "No templates yet");

    // 360dialog failing: the sync says so, with 360dialog's own words.
    const syncFails = allowConsoleError(/status of 502/);
    await simulator.admin("POST", "/faults", {
      path_prefix: "/v1/configs/templates",
      method: "GET",
      status: 500,
      times: 3,
    });
    try {
      await page.getByRole("button", { name: "Sync with 360dialog" }).click();
      await expectText(
        page.getByRole("alert"),
        /The sync failed\. 360dialog failed .* 360dialog said: HTTP 500/,
      );
    } finally {
      await simulator.admin("DELETE", "/faults");
    }
    syncFails();

    // Sync: every template with its status, category, language and rejection reason.
    await page.getByRole("button", { name: "Sync with 360dialog" }).click();
    await expectText(
      page.getByRole("status"),
      "Synced with 360dialog: 5 new, 0 changed, 0 deleted, 0 unchanged.",
    );
    const rows = page.locator("table.templates tbody tr");
    await expectText(page.locator("table.templates"), "seed_00002");
    assert.equal(await rows.count(), 5);
    const rejected = page.locator('tr[data-template="spring_sale/en"]');
    await expectText(rejected, "Rejected");
    await expectText(rejected, "Judged promotional for its category");
    await expectText(rejected, "Marketing");
    await expectText(page.locator('tr[data-template="seed_00001/de"]'), "Approved");
    await expectText(page.locator('tr[data-template="seed_00001/de"]'), "Offered to agents");
    await expectText(page.locator("main"), /Last synced with 360dialog: (just now|\d+ seconds? ago)/);
    await shot("templates");

    // The API's filters: status, then a search, both kept in the address. While the filtered list loads,
    // the old one stays on screen, marked busy.
    let answer;
    const held = new Promise((resolve) => (answer = resolve));
    await page.route(
      (url) => url.pathname === `/channels/${channel.id}/templates` && url.searchParams.has("status"),
      async (route) => {
        await held;
        await route.continue();
      },
      { times: 1 },
    );
    await page.getByLabel("Status", { exact: true }).selectOption("REJECTED");
    await expectText(page.getByRole("status"), "Updating the templates");
    assert.equal(await rows.count(), 5, "the old list stays while the new one loads");
    assert.equal(await page.locator("table.templates").getAttribute("aria-busy"), "true");
    answer();
    await expectRows(page, ["spring_sale/en"]);
    assert.equal(await page.locator("table.templates").getAttribute("aria-busy"), "false");
    assert.match(page.url(), /\/templates\?status=REJECTED$/);
    const everyTemplate = [
      "seed_00001/de",
      "seed_00001/en",
      "seed_00002/de",
      "seed_00002/en",
      "spring_sale/en",
    ];
    // Each filter starts from the whole list: a list being asked again keeps its old rows on screen.
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expectRows(page, everyTemplate);
    await page.getByLabel("Search", { exact: true }).fill("20% off");
    await expectRows(page, ["spring_sale/en"]);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expectRows(page, everyTemplate);
    await page.getByLabel("Language", { exact: true }).fill("de");
    await expectRows(page, ["seed_00001/de", "seed_00002/de"]);
    assert.match(page.url(), /\/templates\?language=de$/);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expectRows(page, everyTemplate);

    // Back and forward step through the filters chosen.
    await page.evaluate(() => window.history.back());
    await expectRows(page, ["seed_00001/de", "seed_00002/de"]);
    assert.equal(await page.getByLabel("Language", { exact: true }).inputValue(), "de");
    await page.evaluate(() => window.history.back());
    await expectRows(page, ["spring_sale/en"]);
    assert.equal(await page.getByLabel("Search", { exact: true }).inputValue(), "20% off");
    assert.equal(await page.getByLabel("Language", { exact: true }).inputValue(), "");
    await page.evaluate(() => window.history.back());
    await expectRows(page, ["spring_sale/en"]);
    assert.equal(await page.getByLabel("Status", { exact: true }).inputValue(), "REJECTED");
    await page.evaluate(() => window.history.go(3));
    await expectRows(page, everyTemplate);
    assert.equal(await page.getByLabel("Status", { exact: true }).inputValue(), "");
    assert.match(page.url(), /\/templates$/);

    // The builder: WhatsApp's rules as the user types.
    const name = `order_update_${number.phone_number.slice(-4)}`;
    await page.getByRole("link", { name: "New template" }).click();
    await page.getByRole("heading", { name: "New template", level: 2 }).waitFor();
    const nameField = page.getByLabel("Name", { exact: true });
    await nameField.fill("Order Update");
    const nameRules = page.locator('[data-field="name"] .field__rules');
    await expectText(
      nameRules,
      "Use only lowercase letters a-z, digits and _ in the name, like order_update.",
    );
    await nameField.fill(name);
    await nameRules.waitFor({ state: "detached" });

    await page.getByLabel("Header (optional)", { exact: true }).selectOption("TEXT");
    await page.getByLabel("Header text", { exact: true }).fill("Your order {{1}}");
    await page.getByLabel("Sample for the header's {{1}}", { exact: true }).fill("A-1234");

    const body = page.getByLabel("Body text", { exact: true });
    await body.fill("{{1}} order {{2}}");
    const bodyRules = page.locator('[data-field="components.1.text"] .field__rules');
    await expectText(bodyRules, "Don't start the text with a variable: put words before {{1}}.");
    await expectText(bodyRules, "WhatsApp refuses templates that are mostly variables");
    await body.fill("Hi ");
    await page.getByRole("button", { name: "Add variable {{1}}" }).click();
    await body.pressSequentially(", your order is on its way.");
    assert.equal(await body.inputValue(), "Hi {{1}}, your order is on its way.");
    await bodyRules.waitFor({ state: "detached" });
    await page.getByLabel("Sample for {{1}}", { exact: true }).fill("Anna");

    const footer = page.getByLabel("Footer (optional)", { exact: true });
    const tooLong = "Questions about your order? Just answer this message, we are here 24/7.";
    await footer.fill(tooLong);
    const footerField = page.locator('[data-field="components.2.text"]');
    await expectText(footerField.locator(".counter"), `${tooLong.length} / 60`);
    await expectText(
      footerField.locator(".field__rules"),
      `The footer has ${tooLong.length} characters; shorten it to 60.`,
    );

    await page.getByRole("button", { name: "Add quick reply" }).click();
    await page.getByLabel("Button 1 label", { exact: true }).fill("Thanks!");
    await page.getByRole("button", { name: "Add link" }).click();
    await page.getByLabel("Button 2 label", { exact: true }).fill("Track the parcel");
    await page.getByLabel("Button 2 URL", { exact: true }).fill("https://track.example/{{1}}");
    await page.getByLabel("Sample for button 2's {{1}}", { exact: true }).fill("A-1234");
    await expectText(page.locator(".counter-line"), "2 of 10 buttons · 1 of 2 links");

    // The API renders the preview with the samples.
    const preview = page.getByTestId("template-preview");
    await expectText(preview, "Your order A-1234");
    await expectText(preview, "Hi Anna, your order is on its way.");
    await expectText(page.locator(".bubble__buttons"), "https://track.example/A-1234");

    // Submitted as it is, the API refuses the footer, on the footer's field, which takes the focus.
    const refusedFooter = allowConsoleError(/status of 422/);
    await page.getByRole("button", { name: "Submit for review" }).click();
    assert.match(
      await fieldError(page, "Footer (optional)"),
      /The footer has \d+ characters; shorten it to 60\./,
    );
    refusedFooter();
    // The field with the error takes the focus (the form moves it once the errors have rendered).
    await page.waitForFunction(() => document.activeElement?.getAttribute("name") === "components.2.text");
    await expectText(page.locator(".form__summary"), "The template breaks WhatsApp's rules.");
    await shot("template-builder-error");

    await footer.fill("Questions? Just reply.");
    await footerField.locator(".field__rules").waitFor({ state: "detached" });
    await expectText(preview, "Questions? Just reply.");
    await shot("template-builder");

    // Phone width: one column, the preview under the form.
    await page.setViewportSize(PHONE);
    await shot("template-builder-phone");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the builder is ${overflow}px wider than a phone`);
    await page.setViewportSize(LAPTOP);

    await page.getByRole("button", { name: "Submit for review" }).click();
    await page.getByRole("heading", { name: "Templates", level: 2 }).waitFor();
    await expectText(page.getByRole("status").first(), `${name} (en_US) is submitted for review: pending.`);
    const row = page.locator(`tr[data-template="${name}/en_US"]`);
    await expectText(row, "Pending review");
    await expectText(row, "Not offered until approved");
    assert.equal(await page.getByLabel("Search", { exact: true }).inputValue(), name);

    // WhatsApp (the simulator) approves; this number hears of it at the next sync.
    await simulator.admin("POST", `${admin}/${name}/en_US/review`, { status: "APPROVED" });
    await page.getByRole("button", { name: "Sync with 360dialog" }).click();
    await expectText(page.locator(".notice--success").last(), "0 new, 1 changed, 0 deleted, 5 unchanged.");
    await expectText(row, "Approved");
    await expectText(row, "Offered to agents");

    // Switched off for agents, by keyboard: saved at once, and the filter finds it.
    const enabled = page.getByRole("switch", { name: `Enabled for agents: ${name} (en_US)` });
    assert.equal(await enabled.isChecked(), true);
    await enabled.focus();
    await page.keyboard.press("Space");
    await expectText(row, "Not offered");
    assert.equal(await enabled.isChecked(), false);
    const stored = await api.request("GET", `/channels/${channel.id}/templates?search=${name}`);
    assert.equal(stored.items[0].enabled, false);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByLabel("Enabled", { exact: true }).selectOption("false");
    await expectRows(page, [`${name}/en_US`]);

    // Its page: the facts, the preview, and defaults that the API checks.
    await row.getByRole("link", { name }).click();
    await page.getByRole("heading", { name: new RegExp(`^${name}`), level: 2 }).waitFor();
    await expectText(page.getByTestId("template-preview"), "Hi Anna, your order is on its way.");
    await page.getByLabel("Label (optional)", { exact: true }).fill("Order on its way");
    await page.getByLabel("Body {{1}} (optional)", { exact: true }).fill("{{contact.nickname}}");
    const refusedDefault = allowConsoleError(/status of 422/);
    await page.getByRole("button", { name: "Save settings" }).click();
    assert.match(
      await fieldError(page, "Body {{1}} (optional)"),
      /\{\{contact\.nickname\}\} is not a variable this service knows/,
    );
    refusedDefault();
    await page.getByLabel("Body {{1}} (optional)", { exact: true }).fill("{{contact.first_name|there}}");
    await page.getByRole("switch", { name: /Enabled for agents/ }).check();
    await page.getByRole("button", { name: "Save settings" }).click();
    await expectText(page.getByRole("status").first(), "Saved.");
    await expectText(page.getByTestId("template-preview"), "Hi there, your order is on its way.");
    await expectText(page.locator(".facts"), "Offered");
    const configured = (await api.request("GET", `/channels/${channel.id}/templates?search=${name}`))
      .items[0];
    assert.deepEqual(
      [configured.enabled, configured.label, configured.parameter_defaults.body],
      [true, "Order on its way", ["{{contact.first_name|there}}"]],
    );
    await shot("template-detail");
    await page.setViewportSize(PHONE);
    const detailOverflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    assert.ok(detailOverflow <= 0, `the template's page is ${detailOverflow}px wider than a phone`);
    await page.setViewportSize(LAPTOP);

    // Delete, behind a confirmation that names every language; if they cannot be looked up, it says so
    // and names none. Escape backs out.
    const lookupFails = allowConsoleError(/status of 503/);
    await failNextApiCall(page, `/channels/${channel.id}/templates`, { query: { search: name } });
    await page.getByRole("button", { name: `Delete ${name}` }).click();
    const dialog = page.getByRole("dialog", { name: `Delete ${name}?` });
    await expectText(dialog, "Its languages could not be looked up.");
    lookupFails();
    await expectText(dialog, "It is deleted in every language of this name.");
    assert.ok(!(await dialog.innerText()).includes("It is deleted in en_US"), "no language named");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await page.getByRole("button", { name: `Delete ${name}` }).click();
    await expectText(dialog, "It is deleted in en_US.");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await page.getByRole("button", { name: `Delete ${name}` }).click();
    await dialog.getByRole("button", { name: "Delete in every language" }).click();
    await page.getByRole("heading", { name: "Templates", level: 2 }).waitFor();
    await expectText(page.getByRole("status").first(), `${name} is deleted in every language.`);
    await page.locator('tr[data-template="spring_sale/en"]').waitFor();
    assert.equal(await page.locator(`tr[data-template="${name}/en_US"]`).count(), 0);
    const atSimulator = await simulator.admin("GET", admin);
    assert.ok(!atSimulator.some((template) => template.name === name), "360dialog no longer has it");

    // The list at phone width: one card per template.
    await page.setViewportSize(PHONE);
    await shot("templates-phone");
    const listOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(listOverflow <= 0, `the list is ${listOverflow}px wider than a phone`);
  },
  { timeout: 180_000 },
);
