/**
 * A new template as the builder holds it, the components it becomes (360dialog's shape), and WhatsApp's
 * rules for it, checked as the user types.
 *
 * The rules mirror the API's own (layers/common/wachannel/domain/template_rules.py, after the reference's
 * section 4) with the same limits, field paths and wording, for instant feedback only: the builder submits
 * whatever it holds and the API judges, so a rule this copy misses still comes back as a 422 on its field.
 * Live checks leave out "this is empty" problems (a form is empty before it is filled); the API reports
 * those on submit.
 */

export const NAME_MAX = 512;
export const BODY_MAX = 1024;
export const HEADER_TEXT_MAX = 60;
export const FOOTER_MAX = 60;
export const BUTTONS_MAX = 10;
export const BUTTON_TEXT_MAX = 25;
export const URL_MAX = 2000;
export const PHONE_NUMBER_MAX = 20;
/** At least this many words of fixed text per distinct variable (the API's reading of Meta's rule). */
export const WORDS_PER_VARIABLE = 2;
export const BUTTON_TYPE_LIMITS: Readonly<Record<string, number>> = { URL: 2, PHONE_NUMBER: 1 };

export const CATEGORIES = ["MARKETING", "UTILITY", "AUTHENTICATION"] as const;

/** Meta's template language codes, as the API accepts them (exact spelling). */
export const LANGUAGES: readonly string[] = [
  ...["af", "sq", "ar", "ar_EG", "ar_AE", "ar_LB", "ar_MA", "ar_QA", "az", "be_BY", "bn", "bn_IN"],
  ...["bg", "ca", "zh_CN", "zh_HK", "zh_TW", "hr", "cs", "da", "prs_AF", "nl", "nl_BE"],
  ...["en", "en_GB", "en_US", "en_AE", "en_AU", "en_CA", "en_GH", "en_IE", "en_IN", "en_JM"],
  ...["en_MY", "en_NZ", "en_QA", "en_SG", "en_UG", "en_ZA", "et", "fil", "fi"],
  ...["fr", "fr_BE", "fr_CA", "fr_CH", "fr_CI", "fr_MA", "ka", "de", "de_AT", "de_CH", "el"],
  ...["gu", "ha", "he", "hi", "hu", "id", "ga", "it", "ja", "kn", "kk", "rw_RW", "ko", "ky_KG"],
  ...["lo", "lv", "lt", "mk", "ms", "ml", "mr", "nb", "fa", "pl", "pt_BR", "pt_PT", "pa", "ro"],
  ...["ru", "sr", "sk", "sl", "es", "es_AR", "es_ES", "es_MX", "sw", "sv", "ta", "te", "th"],
  ...["tr", "uk", "ur", "uz", "vi", "zu"],
];

export type HeaderFormat = "NONE" | "TEXT" | "IMAGE" | "VIDEO" | "DOCUMENT" | "LOCATION";
export type ButtonType = "QUICK_REPLY" | "URL" | "PHONE_NUMBER";

export interface DraftButton {
  /** Stable across edits, for Preact's keys and the fields' ids. */
  key: number;
  type: ButtonType;
  text: string;
  url: string;
  /** The value that stands for the URL's {{1}} in the sample (the API wants the whole sample URL). */
  urlSample: string;
  phoneNumber: string;
}

export interface Draft {
  name: string;
  language: string;
  category: string;
  allowCategoryChange: boolean;
  headerFormat: HeaderFormat;
  headerText: string;
  headerSample: string;
  headerMediaUrl: string;
  body: string;
  /** Sample per variable number, kept while the body's variables come and go. */
  bodySamples: Record<number, string>;
  footer: string;
  buttons: DraftButton[];
}

export const EMPTY_DRAFT: Draft = {
  name: "",
  language: "en_US",
  category: "UTILITY",
  allowCategoryChange: false,
  headerFormat: "NONE",
  headerText: "",
  headerSample: "",
  headerMediaUrl: "",
  body: "",
  bodySamples: {},
  footer: "",
  buttons: [],
};

export type Problem = { field: string; message: string };

// ---------------------------------------------------------------- variables

const PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;
const ANY_PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const EMOJI = /[\u2600-\u27bf\u2b00-\u2bff\u200d\ufe0f\u{1f000}-\u{1faff}]/u;
const MARKDOWN = /[*_~`]/;
const UNSPACED = "\\u0e00-\\u0eff\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff";
const WORD = new RegExp(`[${UNSPACED}]|(?:(?![${UNSPACED}])[\\p{L}\\p{N}\\p{M}_])+`, "gu");
const PHONE_NUMBER = /^\+\d+$/;

/** The numbers of the `{{n}}` variables in order of appearance, repeats included. */
export function placeholders(text: string): number[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => Number(match[1]));
}

/** The distinct variable numbers, ascending: the samples the API wants, in its order. */
export function variableNumbers(text: string): number[] {
  return [...new Set(placeholders(text))].sort((a, b) => a - b);
}

/** Characters as WhatsApp (and the API) count them: code points, so an emoji is one. */
export function length(text: string): number {
  return Array.from(text).length;
}

// ---------------------------------------------------------------- components

/** Where each part lands in the components list: the API's field paths start with these. */
export interface ComponentPaths {
  header: string | null;
  body: string;
  footer: string | null;
  buttons: string | null;
}

export function componentPaths(draft: Draft): ComponentPaths {
  let index = 0;
  const header = draft.headerFormat !== "NONE" ? `components.${index++}` : null;
  const body = `components.${index++}`;
  const footer = draft.footer !== "" ? `components.${index++}` : null;
  const buttons = draft.buttons.length > 0 ? `components.${index++}` : null;
  return { header, body, footer, buttons };
}

/** The URL button's sample as the API wants it: the whole URL with the sample in place of {{1}}. */
export function urlExample(button: DraftButton): string {
  const match = /\{\{\s*\d+\s*\}\}\s*$/.exec(button.url);
  return match ? `${button.url.slice(0, match.index)}${button.urlSample}` : button.url;
}

export function urlHasVariable(url: string): boolean {
  return placeholders(url).length > 0;
}

/** The template's components, HEADER?, BODY, FOOTER?, BUTTONS?, with their samples. */
export function toComponents(draft: Draft): Record<string, unknown>[] {
  const components: Record<string, unknown>[] = [];
  if (draft.headerFormat === "TEXT") {
    const header: Record<string, unknown> = { type: "HEADER", format: "TEXT", text: draft.headerText };
    if (placeholders(draft.headerText).length > 0) header.example = { header_text: [draft.headerSample] };
    components.push(header);
  } else if (draft.headerFormat === "LOCATION") {
    components.push({ type: "HEADER", format: "LOCATION" });
  } else if (draft.headerFormat !== "NONE") {
    const header: Record<string, unknown> = { type: "HEADER", format: draft.headerFormat };
    if (draft.headerMediaUrl.trim()) header.example = { header_handle: [draft.headerMediaUrl.trim()] };
    components.push(header);
  }
  const body: Record<string, unknown> = { type: "BODY", text: draft.body };
  const numbers = variableNumbers(draft.body);
  if (numbers.length > 0) {
    body.example = { body_text: [numbers.map((number) => draft.bodySamples[number] ?? "")] };
  }
  components.push(body);
  if (draft.footer !== "") components.push({ type: "FOOTER", text: draft.footer });
  if (draft.buttons.length > 0) {
    components.push({
      type: "BUTTONS",
      buttons: draft.buttons.map((button) => {
        switch (button.type) {
          case "QUICK_REPLY":
            return { type: "QUICK_REPLY", text: button.text };
          case "URL":
            return urlHasVariable(button.url)
              ? { type: "URL", text: button.text, url: button.url, example: [urlExample(button)] }
              : { type: "URL", text: button.text, url: button.url };
          case "PHONE_NUMBER":
            return { type: "PHONE_NUMBER", text: button.text, phone_number: button.phoneNumber };
        }
      }),
    });
  }
  return components;
}

// ---------------------------------------------------------------- rules

/** Every rule the draft breaks that shows while typing, keyed by the API's field paths. */
export function liveProblems(draft: Draft): Problem[] {
  const paths = componentPaths(draft);
  const problems: Problem[] = [...nameProblems(draft.name), ...languageProblems(draft.language)];
  if (paths.header !== null) problems.push(...headerProblems(draft, paths.header));
  problems.push(...bodyProblems(draft, paths.body));
  if (paths.footer !== null) problems.push(...footerProblems(draft.footer, paths.footer));
  if (paths.buttons !== null) problems.push(...buttonsProblems(draft, `${paths.buttons}.buttons`));
  return problems;
}

function problem(field: string, message: string): Problem {
  return { field, message };
}

function nameProblems(name: string): Problem[] {
  if (name === "") return [];
  const problems: Problem[] = [];
  if (length(name) > NAME_MAX) {
    problems.push(problem("name", `The name has ${length(name)} characters; shorten it to ${NAME_MAX}.`));
  }
  if (!/^[a-z0-9_]+$/.test(name)) {
    const suggestion = name
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, NAME_MAX);
    problems.push(
      problem(
        "name",
        `Use only lowercase letters a-z, digits and _ in the name${suggestion ? `, like ${suggestion}` : ""}.`,
      ),
    );
  }
  return problems;
}

function languageProblems(language: string): Problem[] {
  if (language === "" || LANGUAGES.includes(language)) return [];
  const alike = LANGUAGES.find((code) => code.toLowerCase() === language.replace(/-/g, "_").toLowerCase());
  if (alike) return [problem("language", `Write the language code exactly as ${alike}.`)];
  return [
    problem(
      "language",
      `'${language}' is not a WhatsApp template language; use a code like en, en_US, de, es_MX or pt_BR.`,
    ),
  ];
}

function headerProblems(draft: Draft, path: string): Problem[] {
  if (draft.headerFormat === "TEXT") {
    const text = draft.headerText;
    const field = `${path}.text`;
    if (text === "") return [];
    const problems = lengthProblems(text, HEADER_TEXT_MAX, "header", field);
    if (/[\r\n]/.test(text))
      problems.push(problem(field, "A text header is one line: remove the line breaks."));
    if (EMOJI.test(text)) {
      problems.push(problem(field, "Remove the emoji: WhatsApp allows none in a text header."));
    }
    if (MARKDOWN.test(text.replace(ANY_PLACEHOLDER, ""))) {
      problems.push(problem(field, "Remove the formatting characters * _ ~ `: a text header is plain text."));
    }
    problems.push(...spellingProblems(text, field));
    const variables = new Set(placeholders(text));
    if (variables.size > 1) {
      problems.push(
        problem(field, `A text header takes at most one variable, {{1}}; this one has ${variables.size}.`),
      );
    } else if (variables.size === 1 && !variables.has(1)) {
      problems.push(problem(field, "Number the header's variable {{1}}."));
    }
    return problems;
  }
  if (draft.headerFormat === "IMAGE" || draft.headerFormat === "VIDEO" || draft.headerFormat === "DOCUMENT") {
    const link = draft.headerMediaUrl.trim();
    if (link === "" || isWebAddress(link, ["https:"])) return [];
    return [
      problem(
        `${path}.example.header_handle`,
        `Give a sample ${draft.headerFormat.toLowerCase()} as a public https link to the file.`,
      ),
    ];
  }
  return [];
}

function bodyProblems(draft: Draft, path: string): Problem[] {
  const text = draft.body;
  const field = `${path}.text`;
  if (!text.trim()) return [];
  const numbers = placeholders(text);
  const distinct = new Set(numbers).size;
  return [
    ...lengthProblems(text, BODY_MAX, "body", field),
    ...spellingProblems(text, field),
    ...numberingProblems(numbers, field),
    ...placementProblems(text, field),
    ...densityProblems(text, distinct, field),
  ];
}

function spellingProblems(text: string, field: string): Problem[] {
  const messages: string[] = [];
  for (const match of text.matchAll(ANY_PLACEHOLDER)) {
    const content = match[1] ?? "";
    if (!/^\d+$/.test(content)) {
      messages.push(
        `${match[0]} is not a numbered variable: use {{1}}, {{2}}... and give the names as samples instead.`,
      );
    } else if (match[0] !== `{{${Number(content)}}}`) {
      messages.push(`Write ${match[0]} as {{${Number(content)}}}, without spaces or leading zeros.`);
    }
  }
  return [...new Set(messages)].map((message) => problem(field, message));
}

function numberingProblems(numbers: number[], field: string): Problem[] {
  const distinct = new Set(numbers);
  if (distinct.size === 0) return [];
  const problems: Problem[] = [];
  if (distinct.has(0))
    problems.push(problem(field, "Number the variables from {{1}}; {{0}} is not allowed."));
  const missing: number[] = [];
  for (let number = 1; number <= Math.max(...distinct); number++) {
    if (!distinct.has(number)) missing.push(number);
  }
  if (missing.length > 0) {
    const shown =
      missing
        .slice(0, 5)
        .map((number) => `{{${number}}}`)
        .join(", ") + (missing.length > 5 ? ", ..." : "");
    problems.push(
      problem(
        field,
        `Number the variables from {{1}} up without gaps: ${shown} ${missing.length === 1 ? "is" : "are"} missing.`,
      ),
    );
  }
  return problems;
}

function placementProblems(text: string, field: string): Problem[] {
  const stripped = text.trim();
  const problems: Problem[] = [];
  const first = /^\{\{\s*(\d+)\s*\}\}/.exec(stripped);
  if (first) {
    problems.push(problem(field, `Don't start the text with a variable: put words before ${first[0]}.`));
  }
  const last = /\{\{\s*(\d+)\s*\}\}$/.exec(stripped);
  if (last) problems.push(problem(field, `Don't end the text with a variable: put words after ${last[0]}.`));
  const matches = [...text.matchAll(PLACEHOLDER)];
  for (let index = 1; index < matches.length; index++) {
    const before = matches[index - 1]!;
    const after = matches[index]!;
    if (!text.slice(before.index + before[0].length, after.index).trim()) {
      problems.push(problem(field, `${before[0]} and ${after[0]} are side by side; put words between them.`));
    }
  }
  return problems;
}

/** Words of fixed text, as the API counts them (variables taken out). */
export function wordCount(text: string): number {
  return (text.replace(ANY_PLACEHOLDER, " ").match(WORD) ?? []).length;
}

function densityProblems(text: string, variableCount: number, field: string): Problem[] {
  const words = wordCount(text);
  const needed = WORDS_PER_VARIABLE * variableCount;
  if (words >= needed) return [];
  return [
    problem(
      field,
      `The text has ${counted(variableCount, "variable")} but only ${counted(words, "word")} besides them, and ` +
        `WhatsApp refuses templates that are mostly variables: write at least ${needed} words or use fewer variables.`,
    ),
  ];
}

function footerProblems(footer: string, path: string): Problem[] {
  const field = `${path}.text`;
  const problems = lengthProblems(footer, FOOTER_MAX, "footer", field);
  const variables = [...new Set([...footer.matchAll(ANY_PLACEHOLDER)].map((match) => match[0]))];
  if (variables.length > 0) {
    problems.push(problem(field, `A footer can't have variables: remove ${variables.join(", ")}.`));
  }
  return problems;
}

function buttonsProblems(draft: Draft, field: string): Problem[] {
  const problems: Problem[] = [];
  const buttons = draft.buttons;
  if (buttons.length > BUTTONS_MAX) {
    problems.push(
      problem(
        field,
        `A template has at most ${BUTTONS_MAX} buttons; remove ${buttons.length - BUTTONS_MAX}.`,
      ),
    );
  }
  buttons.forEach((button, index) => {
    const path = `${field}.${index}`;
    if (button.text !== "") {
      problems.push(...lengthProblems(button.text, BUTTON_TEXT_MAX, "button label", `${path}.text`));
    }
    if (button.type === "URL") problems.push(...urlProblems(button, path));
    if (button.type === "PHONE_NUMBER" && button.phoneNumber !== "") {
      const number = button.phoneNumber;
      problems.push(...lengthProblems(number, PHONE_NUMBER_MAX, "phone number", `${path}.phone_number`));
      if (!PHONE_NUMBER.test(number)) {
        problems.push(
          problem(`${path}.phone_number`, "Write the number as + and digits only, like +4930123456."),
        );
      }
    }
  });
  for (const [type, limit] of Object.entries(BUTTON_TYPE_LIMITS)) {
    const count = buttons.filter((button) => button.type === type).length;
    if (count > limit) {
      problems.push(
        problem(
          field,
          `A template has at most ${limit} ${type} button${limit > 1 ? "s" : ""}; remove ${count - limit}.`,
        ),
      );
    }
  }
  const quickReplies = buttons.flatMap((button, index) => (button.type === "QUICK_REPLY" ? [index] : []));
  if (
    quickReplies.length > 0 &&
    quickReplies[quickReplies.length - 1]! - quickReplies[0]! + 1 !== quickReplies.length
  ) {
    problems.push(
      problem(
        field,
        "Put the QUICK_REPLY buttons next to each other, all before or all after the other buttons.",
      ),
    );
  }
  return problems;
}

function urlProblems(button: DraftButton, path: string): Problem[] {
  const url = button.url;
  const field = `${path}.url`;
  if (url.trim() === "") return [];
  const problems = lengthProblems(url, URL_MAX, "URL", field);
  const variables = [...url.matchAll(ANY_PLACEHOLDER)];
  if (!isWebAddress(url.replace(ANY_PLACEHOLDER, ""), ["https:", "http:"])) {
    problems.push(problem(field, "Give a full web address starting with https:// (or http://)."));
  }
  const variable = variables[0];
  if (variables.length > 1) {
    problems.push(problem(field, "A URL takes at most one variable, {{1}}, at its very end."));
  } else if (variable && variable.index + variable[0].length !== url.length) {
    problems.push(
      problem(field, "Put the variable at the very end of the URL, like https://track.example/{{1}}."),
    );
  } else if (variable && variable[0] !== "{{1}}") {
    problems.push(problem(field, `Write the URL's variable as {{1}}, not ${variable[0]}.`));
  }
  return problems;
}

function lengthProblems(text: string, limit: number, what: string, field: string): Problem[] {
  const count = length(text);
  if (count <= limit) return [];
  return [problem(field, `The ${what} has ${count} characters; shorten it to ${limit}.`)];
}

function isWebAddress(url: string, protocols: string[]): boolean {
  if (/\s/.test(url)) return false;
  try {
    const parsed = new URL(url);
    return protocols.includes(parsed.protocol) && parsed.hostname !== "";
  } catch {
    return false;
  }
}

function counted(number: number, noun: string): string {
  return `${number} ${noun}${number === 1 ? "" : "s"}`;
}
