/** Contacts: find a customer by name, edit their names, e-mail and attributes (the API's refusals shown on
 * the field or the attribute they concern), find them by the new name, and go to their conversation. */

import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { consoleTest, expectText, failNextApiCall, fieldError, PHONE, signIn } from "./harness.mjs";

consoleTest(
  "a contact is found, edited and linked to its conversation",
  async ({ page, shot, api, simulator, allowConsoleError }) => {
    const number = await simulator.newNumber("cloud");
    const channel = await api.connect(number, { name: `Contacts ${number.phone_number.slice(-4)}` });
    const from = `5521${String(randomInt(10 ** 9)).padStart(9, "0")}`;
    // A name no other test uses, so that the search finds this contact only.
    const tag = randomInt(10 ** 6);
    const profileName = `Carla Zed${tag}`;
    const lastName = `Mendes${tag}`;
    const fullName = `Carla ${lastName}`;
    await simulator.customerSays(number, {
      from,
      profile_name: profileName,
      text: "Can I change my address?",
    });

    await signIn(page);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Contacts" }).click();
    await page.getByRole("heading", { name: "Contacts", level: 1 }).waitFor();

    // Search as one types: the beginning of a name word.
    await page.getByRole("searchbox", { name: "Search" }).fill(profileName.split(" ")[1].slice(0, 6));
    await page.waitForURL(/\/contacts\?query=Zed/);
    await expectText(page.getByRole("main"), "Contacts matching “Zed");
    const results = page.getByRole("list", { name: "Contacts found" });
    await expectText(results, profileName);
    await expectText(results, `+${from}`);
    assert.equal(await results.getByRole("listitem").count(), 1, "only the contact searched for");
    await shot("contacts");

    // The channels' names failing to load is said, with a way to try again.
    const channelsDown = allowConsoleError(/status of 503/);
    await failNextApiCall(page, "/channels", { query: { limit: "100" } });
    await results.getByRole("link", { name: profileName }).click();
    await page.getByRole("heading", { name: profileName, level: 1 }).waitFor();
    const conversations = page.getByRole("region", { name: "Conversations" });
    await expectText(conversations.getByRole("alert"), "Could not load the channels' names");
    channelsDown();
    await expectText(conversations, `Conversation on ${channel.id}`);
    await conversations.getByRole("button", { name: "Try again" }).click();
    await expectText(conversations, `Conversation on ${channel.name}`);
    assert.equal(await conversations.getByRole("alert").count(), 0, "no error left once they loaded");

    // Names and a bad e-mail: the API's refusal lands on the e-mail field, which takes the focus.
    await page.getByLabel("First name (optional)", { exact: true }).fill("Carla");
    await page.getByLabel("Last name (optional)", { exact: true }).fill(lastName);
    await page.getByLabel("E-mail (optional)", { exact: true }).fill("carla-at-example");
    const refusedEmail = allowConsoleError(/status of 422/);
    await page.getByRole("button", { name: "Save the contact" }).click();
    assert.match(await fieldError(page, "E-mail (optional)"), /not an e-mail address/);
    refusedEmail();
    await page.waitForFunction(() => document.activeElement?.getAttribute("name") === "email");
    await shot("contact-email-error");

    // Attributes: a name the API refuses is marked on its row; fixed, everything is saved.
    await page.getByLabel("E-mail (optional)", { exact: true }).fill("carla@example.com");
    await page.getByRole("button", { name: "Add an attribute" }).click();
    const first = page.getByRole("group", { name: "Attribute 1" });
    await page.waitForFunction(() => document.activeElement?.getAttribute("name") === "attribute-name-0");
    await first.getByLabel("Name").fill("order id");
    await first.getByLabel("Value").fill("A-1042");
    await page.getByRole("button", { name: "Add an attribute" }).click();
    const second = page.getByRole("group", { name: "Attribute 2" });
    await second.getByLabel("Name").fill("tier");
    await second.getByLabel("Value").fill("gold");
    const refusedName = allowConsoleError(/status of 422/);
    await page.getByRole("button", { name: "Save the contact" }).click();
    assert.match(await fieldError(page, "Name of attribute 1"), /should match pattern/);
    refusedName();
    await first.getByLabel("Name").fill("order_id");
    await page.getByRole("button", { name: "Save the contact" }).click();
    await expectText(page.getByRole("status"), "Saved.");
    await page.getByRole("heading", { name: fullName, level: 1 }).waitFor();
    await shot("contact");

    const [saved] = (await api.request("GET", `/contacts?query=${from}`)).items;
    assert.equal(saved.first_name, "Carla");
    assert.equal(saved.last_name, lastName);
    assert.equal(saved.email, "carla@example.com");
    assert.deepEqual(saved.attributes, { order_id: "A-1042", tier: "gold" });

    // Removing an attribute saves the map without it.
    await page.getByRole("button", { name: "Remove attribute tier" }).click();
    await page.getByRole("button", { name: "Save the contact" }).click();
    await expectText(page.getByRole("status"), "Saved.");
    assert.deepEqual((await api.request("GET", `/contacts/${saved.id}`)).attributes, { order_id: "A-1042" });

    // The new last name finds them; on a phone, the page fits the screen.
    await page.getByRole("link", { name: "Contacts", exact: true }).first().click();
    await page.getByRole("heading", { name: "Contacts", level: 1 }).waitFor();
    await page.getByRole("searchbox", { name: "Search" }).fill(lastName);
    await page.getByRole("searchbox", { name: "Search" }).press("Enter");
    await expectText(results, fullName);
    await results.getByRole("link", { name: fullName }).click();
    await page.setViewportSize(PHONE);
    await page.getByRole("heading", { name: fullName, level: 1 }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the contact page is ${overflow}px wider than a phone`);
    await shot("contact-phone");

    // Its conversation, one click away.
    await page.getByRole("link", { name: `Conversation on ${channel.name}` }).click();
    await page.getByRole("heading", { name: fullName, level: 1 }).waitFor();
    await expectText(
      page.getByRole("log", { name: `Messages with ${fullName}` }),
      "Can I change my address?",
    );
  },
);
