/**
 * A new template: name, language, category, header (text or media), body with {{n}} variables and a
 * sample for each, footer, buttons (quick reply, link, phone number). WhatsApp's rules show as the user
 * types (rules.ts mirrors the API's), the API renders the preview, and submitting sends it for review:
 * the API's 422 lands on the fields its paths name.
 */

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Channel } from "../../api/channels";
import { NO_FORM_ERRORS } from "../../api/errors";
import { useConsole } from "../../context";
import { Link, navigate, type RouteParams } from "../../router";
import { Form, Notice, RadioGroup, SubmitButton } from "../../ui/components";
import { useSubmission } from "../../ui/hooks";
import { LimitedField } from "../../ui/limited-field";
import { SelectField } from "../../ui/select-field";
import { ChannelFrame } from "../channels/ChannelFrame";
import { ADD_BUTTON, BUTTON_TYPES, CATEGORY_HINTS, CATEGORY_LABELS, HEADER_FORMATS } from "./labels";
import {
  BODY_MAX,
  BUTTON_TEXT_MAX,
  BUTTON_TYPE_LIMITS,
  BUTTONS_MAX,
  type ButtonType,
  CATEGORIES,
  componentPaths,
  type Draft,
  type DraftButton,
  EMPTY_DRAFT,
  FOOTER_MAX,
  HEADER_TEXT_MAX,
  LANGUAGES,
  liveProblems,
  PHONE_NUMBER_MAX,
  placeholders,
  type Problem,
  toComponents,
  URL_MAX,
  urlExample,
  urlHasVariable,
  variableNumbers,
  wordCount,
  WORDS_PER_VARIABLE,
} from "./rules";
import { PreviewCard, usePreview } from "./TemplatePreview";
import { templatesPath } from "./TemplateList";

export function TemplateBuilderScreen({ params }: { params: RouteParams }) {
  const channelId = params.channelId ?? "";
  return (
    <ChannelFrame channelId={channelId} tab="New template">
      {({ channel }) => <TemplateBuilder channel={channel} />}
    </ChannelFrame>
  );
}

/** The form fields the API's error paths may name, most specific first (formErrors takes the first
 * field a path starts with). */
function formFields(draft: Draft): string[] {
  const paths = componentPaths(draft);
  const fields = ["name", "language", "category", "allow_category_change", "components"];
  if (paths.header !== null) {
    const h = paths.header;
    fields.push(`${h}.format`, `${h}.text`, `${h}.example.header_text`, `${h}.example.header_handle`, h);
  }
  const b = paths.body;
  variableNumbers(draft.body).forEach((_, index) => fields.push(`${b}.example.body_text.0.${index}`));
  fields.push(`${b}.text`, `${b}.example.body_text`, b);
  if (paths.footer !== null) fields.push(`${paths.footer}.text`, paths.footer);
  if (paths.buttons !== null) {
    const list = `${paths.buttons}.buttons`;
    draft.buttons.forEach((_, index) => {
      const button = `${list}.${index}`;
      fields.push(`${button}.text`, `${button}.url`, `${button}.example`, `${button}.phone_number`, button);
    });
    fields.push(list, paths.buttons);
  }
  return fields.sort((a, b) => b.length - a.length);
}

let nextButtonKey = 1;

function newButton(type: ButtonType): DraftButton {
  return { key: nextButtonKey++, type, text: "", url: "", urlSample: "", phoneNumber: "" };
}

function TemplateBuilder({ channel }: { channel: Channel }) {
  const { api } = useConsole();
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  // Fields changed since the last submit: the API's verdict on their old value no longer shows.
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const bodyInput = useRef<HTMLInputElement | HTMLTextAreaElement>(null);

  const paths = componentPaths(draft);
  const components = useMemo(() => toComponents(draft), [draft]);
  const problems = useMemo(() => liveProblems(draft), [draft]);
  const preview = usePreview(channel.id, { components });

  const submission = useSubmission(
    async () => {
      setEdited(new Set());
      const template = await api.templates.submit(channel.id, {
        name: draft.name,
        language: draft.language,
        category: draft.category,
        components,
        ...(draft.allowCategoryChange ? { allow_category_change: true } : {}),
      });
      navigate(`${templatesPath(channel.id)}?search=${encodeURIComponent(template.name)}`, {
        flash:
          `${template.name} (${template.language}) is submitted for review: ${template.status.toLowerCase()}. ` +
          "WhatsApp usually decides within minutes, at most in 24 hours; the verdict arrives by webhook or with a sync.",
      });
    },
    { fields: formFields(draft), codeFields: { template_exists: "name" } },
  );

  // A part added or removed moves the components' indexes: earlier verdicts would land on other fields.
  const shape = JSON.stringify(paths);
  const firstShape = useRef(shape);
  useEffect(() => {
    if (shape !== firstShape.current) submission.clearErrors();
    firstShape.current = shape;
  }, [shape]);

  // The summary speaks of the last submit: once the user changes something, it goes (the fields' own
  // errors stay until their field changes). A stable object, so that the form moves the focus only
  // when a submit brings new errors.
  const untouched = edited.size === 0;
  const shownErrors = useMemo(
    () => (untouched ? submission.errors : NO_FORM_ERRORS),
    [submission.errors, untouched],
  );

  const set = (field: string, patch: Partial<Draft>) => {
    setDraft((current) => ({ ...current, ...patch }));
    setEdited((current) => new Set(current).add(field));
  };
  const apiError = (...fields: string[]): string | undefined => {
    for (const field of fields) {
      const message = submission.errors.fields[field];
      if (message && !edited.has(field)) return message;
    }
    return undefined;
  };
  const rules = (field: string): string[] =>
    problems.filter((problem: Problem) => problem.field === field).map((problem) => problem.message);

  const numbers = variableNumbers(draft.body);
  const insertVariable = () => {
    const next = Math.max(0, ...placeholders(draft.body)) + 1;
    const input = bodyInput.current;
    const at = input?.selectionStart ?? draft.body.length;
    const end = input?.selectionEnd ?? draft.body.length;
    const token = `{{${next}}}`;
    set(`${paths.body}.text`, { body: `${draft.body.slice(0, at)}${token}${draft.body.slice(end)}` });
    window.requestAnimationFrame(() => {
      input?.focus();
      input?.setSelectionRange(at + token.length, at + token.length);
    });
  };

  const setButton = (index: number, field: string, patch: Partial<DraftButton>) =>
    set(field, {
      buttons: draft.buttons.map((button, i) => (i === index ? { ...button, ...patch } : button)),
    });
  // Where the buttons go once there are some: after the header, the body and the footer.
  const buttonsPath = `${paths.buttons ?? `components.${(paths.header ? 1 : 0) + 1 + (paths.footer ? 1 : 0)}`}.buttons`;
  const countOf = (type: ButtonType) => draft.buttons.filter((button) => button.type === type).length;
  const addButton = (type: ButtonType) => set(buttonsPath, { buttons: [...draft.buttons, newButton(type)] });
  const canAdd = (type: ButtonType) =>
    draft.buttons.length < BUTTONS_MAX && countOf(type) < (BUTTON_TYPE_LIMITS[type] ?? BUTTONS_MAX);

  const brokenNow = problems.length;

  return (
    <>
      <p class="breadcrumb">
        <Link href={templatesPath(channel.id)}>‹ All templates</Link>
      </p>
      <h2>New template</h2>
      <p class="muted">
        WhatsApp reviews every template before it can be sent. Its rules show as you type; the API checks them
        all again when you submit.
      </p>
      <div class="builder">
        <Form
          errors={shownErrors}
          busy={submission.busy}
          onSubmit={() => void submission.submit()}
          label="New template"
        >
          <fieldset class="group">
            <legend>About the template</legend>
            <LimitedField
              label="Name"
              name="name"
              value={draft.name}
              onValue={(name) => set("name", { name })}
              required
              spellcheck={false}
              hint="Lowercase letters, digits and _, like order_update. Unique per language; a deleted name can't be reused for about 30 days."
              problems={rules("name")}
              error={apiError("name")}
            />
            <LimitedField
              label="Language"
              name="language"
              value={draft.language}
              onValue={(language) => set("language", { language })}
              required
              spellcheck={false}
              list="builder-languages"
              hint="WhatsApp's code for it, exactly: en, en_US, de, es_MX, pt_BR…"
              problems={rules("language")}
              error={apiError("language")}
            />
            <datalist id="builder-languages">
              {LANGUAGES.map((code) => (
                <option key={code} value={code} />
              ))}
            </datalist>
            <RadioGroup
              legend="Category"
              name="category"
              value={draft.category}
              options={CATEGORIES.map((value) => ({
                value,
                label: CATEGORY_LABELS[value] ?? value,
                hint: CATEGORY_HINTS[value] ?? "",
              }))}
              onValue={(category) => set("category", { category })}
              error={apiError("category")}
            />
            <label class="choice">
              <input
                type="checkbox"
                checked={draft.allowCategoryChange}
                onChange={(event) =>
                  set("allow_category_change", { allowCategoryChange: event.currentTarget.checked })
                }
              />
              <span>
                Let WhatsApp change the category
                <span class="choice__hint">
                  If WhatsApp judges it another category, it recategorises the template instead of rejecting
                  it.
                </span>
              </span>
            </label>
          </fieldset>

          <fieldset class="group">
            <legend>Header</legend>
            <SelectField
              label="Header"
              name={paths.header ? `${paths.header}.format` : "header_format"}
              value={draft.headerFormat}
              options={HEADER_FORMATS}
              onValue={(headerFormat) => set("header_format", { headerFormat })}
              error={paths.header ? apiError(`${paths.header}.format`, paths.header) : undefined}
              required={false}
            />
            {paths.header && draft.headerFormat === "TEXT" && (
              <>
                <LimitedField
                  label="Header text"
                  name={`${paths.header}.text`}
                  value={draft.headerText}
                  onValue={(headerText) => set(`${paths.header}.text`, { headerText })}
                  limit={HEADER_TEXT_MAX}
                  required
                  hint="One line of plain text: no emoji, no * _ ~ `, at most one variable, {{1}}."
                  problems={rules(`${paths.header}.text`)}
                  error={apiError(`${paths.header}.text`)}
                />
                {placeholders(draft.headerText).length > 0 && (
                  <LimitedField
                    label="Sample for the header's {{1}}"
                    name={`${paths.header}.example.header_text`}
                    value={draft.headerSample}
                    onValue={(headerSample) => set(`${paths.header}.example.header_text`, { headerSample })}
                    required
                    error={apiError(`${paths.header}.example.header_text`)}
                  />
                )}
              </>
            )}
            {paths.header && ["IMAGE", "VIDEO", "DOCUMENT"].includes(draft.headerFormat) && (
              <LimitedField
                label={`Sample ${draft.headerFormat.toLowerCase()} (link)`}
                name={`${paths.header}.example.header_handle`}
                type="url"
                value={draft.headerMediaUrl}
                onValue={(headerMediaUrl) => set(`${paths.header}.example.header_handle`, { headerMediaUrl })}
                required
                placeholder="https://"
                hint="A public https link to a sample file for WhatsApp's reviewers; each send gives its own file."
                problems={rules(`${paths.header}.example.header_handle`)}
                error={apiError(`${paths.header}.example.header_handle`)}
              />
            )}
            {draft.headerFormat === "LOCATION" && (
              <p class="muted">Each send gives the location; it has no sample.</p>
            )}
          </fieldset>

          <fieldset class="group">
            <legend>Body</legend>
            <LimitedField
              label="Body text"
              name={`${paths.body}.text`}
              value={draft.body}
              onValue={(body) => set(`${paths.body}.text`, { body })}
              multiline
              rows={5}
              limit={BODY_MAX}
              required
              inputRef={bodyInput}
              hint={
                <>
                  Variables are {"{{1}}"}, {"{{2}}"}… numbered without gaps, never at the very start or end
                  nor side by side, with at least {WORDS_PER_VARIABLE} words of text per variable. *bold*
                  _italic_ ~strike~.
                </>
              }
              problems={rules(`${paths.body}.text`)}
              error={apiError(`${paths.body}.text`, paths.body, "components")}
            />
            <div class="variables">
              <span class="muted">
                {numbers.length === 0
                  ? "No variables."
                  : `Variables: ${numbers.map((n) => `{{${n}}}`).join(" ")} · ${wordCount(draft.body)} words of text.`}
              </span>
              <button type="button" class="button button--secondary button--small" onClick={insertVariable}>
                Add variable {`{{${Math.max(0, ...placeholders(draft.body)) + 1}}}`}
              </button>
            </div>
            {numbers.length > 0 && (
              <fieldset class="samples" aria-describedby="samples-hint">
                <legend class="field__label">Samples</legend>
                <p id="samples-hint" class="field__hint">
                  What WhatsApp's reviewers read in place of each variable: realistic values, like a name or
                  an order number.
                </p>
                {apiError(`${paths.body}.example.body_text`) && (
                  <p class="field__error">⚠ {apiError(`${paths.body}.example.body_text`)}</p>
                )}
                {numbers.map((number, index) => {
                  const field = `${paths.body}.example.body_text.0.${index}`;
                  return (
                    <LimitedField
                      key={number}
                      label={`Sample for {{${number}}}`}
                      name={field}
                      value={draft.bodySamples[number] ?? ""}
                      onValue={(sample) =>
                        set(field, { bodySamples: { ...draft.bodySamples, [number]: sample } })
                      }
                      required
                      error={apiError(field)}
                    />
                  );
                })}
              </fieldset>
            )}
          </fieldset>

          <fieldset class="group">
            <legend>Footer</legend>
            <LimitedField
              label="Footer"
              name={paths.footer ? `${paths.footer}.text` : "footer"}
              value={draft.footer}
              onValue={(footer) => set(paths.footer ? `${paths.footer}.text` : "footer", { footer })}
              limit={FOOTER_MAX}
              hint="A short line under the body, like “Reply STOP to opt out”. No variables."
              problems={paths.footer ? rules(`${paths.footer}.text`) : []}
              error={paths.footer ? apiError(`${paths.footer}.text`, paths.footer) : undefined}
            />
          </fieldset>

          <fieldset class="group" aria-describedby="buttons-hint">
            <legend>Buttons</legend>
            <p id="buttons-hint" class="field__hint">
              Up to {BUTTONS_MAX}: quick replies next to each other, at most {BUTTON_TYPE_LIMITS.URL} links
              and {BUTTON_TYPE_LIMITS.PHONE_NUMBER} phone number. Labels up to {BUTTON_TEXT_MAX} characters.
            </p>
            {rules(buttonsPath).length > 0 && (
              <ul class="field__rules">
                {rules(buttonsPath).map((message) => (
                  <li key={message}>{message}</li>
                ))}
              </ul>
            )}
            {paths.buttons && apiError(buttonsPath, paths.buttons) && (
              <p class="field__error">⚠ {apiError(buttonsPath, paths.buttons)}</p>
            )}
            {draft.buttons.map((button, index) => {
              const path = `${buttonsPath}.${index}`;
              return (
                <fieldset class="button-editor" key={button.key}>
                  <legend>
                    Button {index + 1}: {BUTTON_TYPES[button.type]}
                  </legend>
                  {apiError(path) && <p class="field__error">⚠ {apiError(path)}</p>}
                  <LimitedField
                    label={`Button ${index + 1} label`}
                    name={`${path}.text`}
                    value={button.text}
                    onValue={(text) => setButton(index, `${path}.text`, { text })}
                    limit={BUTTON_TEXT_MAX}
                    required
                    problems={rules(`${path}.text`)}
                    error={apiError(`${path}.text`)}
                  />
                  {button.type === "URL" && (
                    <>
                      <LimitedField
                        label={`Button ${index + 1} URL`}
                        name={`${path}.url`}
                        type="url"
                        value={button.url}
                        onValue={(url) => setButton(index, `${path}.url`, { url })}
                        limit={URL_MAX}
                        required
                        placeholder="https://"
                        hint="May end in one variable, {{1}}, that each send fills: https://track.example/{{1}}."
                        problems={rules(`${path}.url`)}
                        error={apiError(`${path}.url`)}
                      />
                      {urlHasVariable(button.url) && (
                        <LimitedField
                          label={`Sample for button ${index + 1}'s {{1}}`}
                          name={`${path}.example`}
                          value={button.urlSample}
                          onValue={(urlSample) => setButton(index, `${path}.example`, { urlSample })}
                          required
                          hint={<>Sample URL: {urlExample(button) || "…"}</>}
                          error={apiError(`${path}.example`)}
                        />
                      )}
                    </>
                  )}
                  {button.type === "PHONE_NUMBER" && (
                    <LimitedField
                      label={`Button ${index + 1} phone number`}
                      name={`${path}.phone_number`}
                      type="tel"
                      value={button.phoneNumber}
                      onValue={(phoneNumber) => setButton(index, `${path}.phone_number`, { phoneNumber })}
                      limit={PHONE_NUMBER_MAX}
                      required
                      placeholder="+4930123456"
                      problems={rules(`${path}.phone_number`)}
                      error={apiError(`${path}.phone_number`)}
                    />
                  )}
                  <div class="button-row">
                    <button
                      type="button"
                      class="button button--secondary button--small"
                      onClick={() =>
                        set(buttonsPath, { buttons: draft.buttons.filter((_, i) => i !== index) })
                      }
                    >
                      Remove button {index + 1}
                    </button>
                  </div>
                </fieldset>
              );
            })}
            <div class="button-row">
              {(Object.keys(BUTTON_TYPES) as ButtonType[]).map((type) => (
                <button
                  key={type}
                  type="button"
                  class="button button--secondary button--small"
                  onClick={() => addButton(type)}
                  disabled={!canAdd(type)}
                >
                  {ADD_BUTTON[type]}
                </button>
              ))}
            </div>
            <p class="muted counter-line">
              {draft.buttons.length} of {BUTTONS_MAX} buttons · {countOf("URL")} of {BUTTON_TYPE_LIMITS.URL}{" "}
              links · {countOf("PHONE_NUMBER")} of {BUTTON_TYPE_LIMITS.PHONE_NUMBER} phone number
            </p>
          </fieldset>

          {brokenNow > 0 && (
            <Notice tone="warning">
              {brokenNow === 1 ? "1 rule is" : `${brokenNow} rules are`} broken now (marked above): WhatsApp's
              review would refuse the template, so the API will too.
            </Notice>
          )}
          <div class="form__actions">
            <SubmitButton busy={submission.busy} busyLabel="Submitting">
              Submit for review
            </SubmitButton>
            <Link href={templatesPath(channel.id)} class="button button--secondary">
              Cancel
            </Link>
          </div>
        </Form>
        <aside class="builder__preview" aria-label="Preview">
          <PreviewCard state={preview} title="Preview with the samples" />
        </aside>
      </div>
    </>
  );
}
