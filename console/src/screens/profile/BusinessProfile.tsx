/**
 * The number's WhatsApp business profile: the stored copy with when it was last synced, Sync (fresh from
 * 360dialog), editing with WhatsApp's limits shown as the user types (the API checks them again and its
 * 422 lands on the fields), and the profile photo (JPEG or PNG, square, at least 192 px).
 */

import { useRef, useState } from "preact/hooks";
import type { Channel } from "../../api/channels";
import { ApiError, describeError } from "../../api/errors";
import type { BusinessProfile, ProfileChanges } from "../../api/profile";
import { useConsole } from "../../context";
import type { RouteParams } from "../../router";
import { Form, Loaded, Notice, SubmitButton, Time } from "../../ui/components";
import { useResource, useSubmission } from "../../ui/hooks";
import { LimitedField } from "../../ui/limited-field";
import { SelectField } from "../../ui/select-field";
import { ChannelFrame } from "../channels/ChannelFrame";

// WhatsApp's limits (reference section 5), as the API enforces them (domain/profile.py).
export const ABOUT_MAX = 139;
export const ADDRESS_MAX = 256;
export const DESCRIPTION_MAX = 512;
export const EMAIL_MAX = 128;
export const WEBSITES_MAX = 2;
export const WEBSITE_MAX = 256;
export const PHOTO_MIN_SIDE = 192;
const PHOTO_TYPES = ["image/jpeg", "image/png"];

/** Cloud's vertical codes, as the contract speaks them, with Meta's names for them. */
export const VERTICALS: readonly { value: string; label: string }[] = [
  { value: "AUTO", label: "Automotive" },
  { value: "BEAUTY", label: "Beauty, spa and salon" },
  { value: "APPAREL", label: "Clothing and apparel" },
  { value: "EDU", label: "Education" },
  { value: "ENTERTAIN", label: "Entertainment" },
  { value: "EVENT_PLAN", label: "Event planning and service" },
  { value: "FINANCE", label: "Finance and banking" },
  { value: "GROCERY", label: "Food and grocery" },
  { value: "GOVT", label: "Public service" },
  { value: "HOTEL", label: "Hotel and lodging" },
  { value: "HEALTH", label: "Medical and health" },
  { value: "NONPROFIT", label: "Non-profit" },
  { value: "PROF_SERVICES", label: "Professional services" },
  { value: "RETAIL", label: "Shopping and retail" },
  { value: "TRAVEL", label: "Travel and transportation" },
  { value: "RESTAURANT", label: "Restaurant" },
  { value: "NOT_A_BIZ", label: "Not a business" },
  { value: "ALCOHOL", label: "Alcoholic beverages" },
  { value: "ONLINE_GAMBLING", label: "Online gambling" },
  { value: "PHYSICAL_GAMBLING", label: "Physical gambling" },
  { value: "OTC_DRUGS", label: "Over-the-counter drugs" },
  { value: "OTHER", label: "Other" },
];

export function BusinessProfileScreen({ params }: { params: RouteParams }) {
  const channelId = params.channelId ?? "";
  return (
    <ChannelFrame channelId={channelId} tab="Business profile">
      {({ channel }) => <ProfilePanel channel={channel} />}
    </ChannelFrame>
  );
}

type Outcome = { tone: "success" | "error"; text: string } | null;

function ProfilePanel({ channel }: { channel: Channel }) {
  const { api } = useConsole();
  const profile = useResource((signal) => api.profile.get(channel.id, signal), [channel.id]);
  const [syncing, setSyncing] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const active = channel.status === "active";

  const show = (fresh: BusinessProfile, text: string) => {
    if (profile.status === "ready") profile.replace(fresh);
    setOutcome({ tone: "success", text });
  };
  const sync = async () => {
    setSyncing(true);
    setOutcome(null);
    try {
      show(await api.profile.sync(channel.id), "Synced: this is the profile WhatsApp shows now.");
    } catch (error) {
      setOutcome({ tone: "error", text: `The sync failed. ${describeError(error)}` });
    } finally {
      setSyncing(false);
    }
  };

  return (
    <>
      <div class="panel-actions">
        <h2>Business profile</h2>
        <button
          type="button"
          class="button button--secondary"
          onClick={() => void sync()}
          disabled={syncing || !active || profile.status === "loading"}
        >
          {syncing ? "Syncing…" : "Sync with 360dialog"}
        </button>
      </div>
      <p class="muted">
        What customers see about {channel.phone_number} in WhatsApp. Last synced with 360dialog:{" "}
        {profile.status === "ready" ? <Time iso={profile.data.last_synced_at} never="never" /> : "…"}.
      </p>
      {outcome && <Notice tone={outcome.tone}>{outcome.text}</Notice>}
      <Loaded resource={profile} label="the business profile">
        {(data) => (
          <>
            {data.last_synced_at === null && (
              <Notice tone="info">
                This profile has never been synced: the fields below are empty until you sync it from
                360dialog.
              </Notice>
            )}
            {!active && (
              <Notice tone="warning">The channel is disconnected: its profile can't be changed.</Notice>
            )}
            <div class="profile">
              <PhotoSection
                channel={channel}
                profile={data}
                onChanged={(fresh) => show(fresh, "Photo updated: WhatsApp shows it from now on.")}
              />
              <ProfileForm
                key={data.last_synced_at ?? "never"}
                channel={channel}
                profile={data}
                onSaved={(fresh) => show(fresh, "Saved: WhatsApp shows the new profile.")}
              />
            </div>
          </>
        )}
      </Loaded>
    </>
  );
}

// ---------------------------------------------------------------- the profile's fields

const FIELDS = [
  "about",
  "address",
  "description",
  "email",
  "vertical",
  "websites.0",
  "websites.1",
  "websites",
];

function lengthRule(value: string, limit: number, what: string): string[] {
  const count = Array.from(value).length;
  return count > limit ? [`The ${what} has ${count} characters; shorten it to ${limit}.`] : [];
}

function websiteRules(value: string): string[] {
  if (!value.trim()) return [];
  const rules = lengthRule(value, WEBSITE_MAX, "web address");
  let valid = /^https?:\/\//.test(value) && !/\s/.test(value);
  try {
    valid = valid && new URL(value).hostname !== "";
  } catch {
    valid = false;
  }
  if (!valid)
    rules.push("Give a full web address starting with https:// or http://, like https://bakery.example.");
  return rules;
}

function ProfileForm({
  channel,
  profile,
  onSaved,
}: {
  channel: Channel;
  profile: BusinessProfile;
  onSaved: (profile: BusinessProfile) => void;
}) {
  const { api } = useConsole();
  const [about, setAbout] = useState(profile.about ?? "");
  const [address, setAddress] = useState(profile.address ?? "");
  const [description, setDescription] = useState(profile.description ?? "");
  const [email, setEmail] = useState(profile.email ?? "");
  const [websites, setWebsites] = useState<string[]>(() =>
    Array.from({ length: WEBSITES_MAX }, (_, i) => profile.websites[i] ?? ""),
  );
  const [vertical, setVertical] = useState(profile.vertical ?? "");
  const [unchanged, setUnchanged] = useState(false);

  const changes = (): ProfileChanges => {
    const given: ProfileChanges = {};
    if (about !== (profile.about ?? "")) given.about = about;
    if (address !== (profile.address ?? "")) given.address = address.trim() ? address : null;
    if (description !== (profile.description ?? ""))
      given.description = description.trim() ? description : null;
    if (email !== (profile.email ?? "")) given.email = email.trim() ? email.trim() : null;
    const sites = websites.map((site) => site.trim()).filter(Boolean);
    if (JSON.stringify(sites) !== JSON.stringify(profile.websites)) given.websites = sites;
    if (vertical !== (profile.vertical ?? "") && vertical !== "") given.vertical = vertical;
    return given;
  };

  const save = useSubmission(
    async () => {
      setUnchanged(false);
      const given = changes();
      if (Object.keys(given).length === 0) {
        setUnchanged(true);
        return;
      }
      onSaved(await api.profile.update(channel.id, given));
    },
    { fields: FIELDS },
  );
  const errors = save.errors.fields;
  const disabled = channel.status !== "active";
  const emailRules = email.trim()
    ? [
        ...lengthRule(email, EMAIL_MAX, "email address"),
        ...(/^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$/.test(email.trim())
          ? []
          : ["Give an email address like hello@bakery.example, without spaces."]),
      ]
    : [];
  const aboutRules =
    about === "" && profile.about
      ? [`The about text can't be removed; give one of 1 to ${ABOUT_MAX} characters.`]
      : lengthRule(about, ABOUT_MAX, "about text");

  return (
    <section class="block profile__form" aria-labelledby="profile-edit-heading">
      <h3 id="profile-edit-heading">Profile</h3>
      {unchanged && <Notice tone="info">Nothing changed.</Notice>}
      <Form
        errors={save.errors}
        busy={save.busy}
        onSubmit={() => void save.submit()}
        label="Business profile"
      >
        <fieldset class="fields" disabled={disabled}>
          <legend class="visually-hidden">Profile fields</legend>
          <LimitedField
            label="About"
            name="about"
            value={about}
            onValue={setAbout}
            required
            min={1}
            limit={ABOUT_MAX}
            hint="The short line under the business's name. 1 to 139 characters; emoji allowed, no formatting."
            problems={aboutRules}
            error={errors.about}
          />
          <LimitedField
            label="Description"
            name="description"
            value={description}
            onValue={setDescription}
            multiline
            rows={4}
            limit={DESCRIPTION_MAX}
            hint="What the business does."
            problems={lengthRule(description, DESCRIPTION_MAX, "description")}
            error={errors.description}
          />
          <LimitedField
            label="Address"
            name="address"
            value={address}
            onValue={setAddress}
            multiline
            rows={2}
            limit={ADDRESS_MAX}
            problems={lengthRule(address, ADDRESS_MAX, "address")}
            error={errors.address}
          />
          <LimitedField
            label="Email"
            name="email"
            type="email"
            value={email}
            onValue={setEmail}
            limit={EMAIL_MAX}
            spellcheck={false}
            problems={emailRules}
            error={errors.email}
          />
          <fieldset class="samples" aria-describedby="websites-hint">
            <legend class="field__label">
              Websites <span class="field__optional">(optional)</span>
            </legend>
            <p id="websites-hint" class="field__hint">
              Up to {WEBSITES_MAX}, each starting with https:// or http://, at most {WEBSITE_MAX} characters.
            </p>
            {errors.websites && <p class="field__error">⚠ {errors.websites}</p>}
            {websites.map((site, index) => (
              <LimitedField
                key={index}
                label={`Website ${index + 1}`}
                name={`websites.${index}`}
                type="url"
                value={site}
                onValue={(value) =>
                  setWebsites((current) => current.map((old, i) => (i === index ? value : old)))
                }
                placeholder="https://"
                spellcheck={false}
                problems={websiteRules(site)}
                error={errors[`websites.${index}`]}
              />
            ))}
          </fieldset>
          <SelectField
            label="Industry (vertical)"
            name="vertical"
            value={vertical}
            options={[
              ...(profile.vertical ? [] : [{ value: "", label: "Not chosen" }]),
              ...VERTICALS,
              ...(profile.vertical && !VERTICALS.some((known) => known.value === profile.vertical)
                ? [{ value: profile.vertical, label: profile.vertical }]
                : []),
            ]}
            onValue={setVertical}
            required={false}
            hint="Once chosen, WhatsApp lets you change it but not remove it."
            error={errors.vertical}
          />
        </fieldset>
        <div class="form__actions">
          <SubmitButton busy={save.busy} busyLabel="Saving">
            Save profile
          </SubmitButton>
        </div>
      </Form>
    </section>
  );
}

// ---------------------------------------------------------------- the photo

interface ChosenPhoto {
  file: File;
  dataUrl: string;
  width: number;
  height: number;
}

function photoRules(photo: ChosenPhoto): string[] {
  const rules: string[] = [];
  const size = `${photo.width} × ${photo.height} px`;
  if (!PHOTO_TYPES.includes(photo.file.type)) {
    rules.push(`The file is ${photo.file.type || "of an unknown type"}; WhatsApp takes JPEG or PNG.`);
  }
  if (photo.width && photo.width !== photo.height) {
    rules.push(`The photo is ${size}; WhatsApp wants a square: crop it to a square.`);
  }
  if (photo.width && Math.min(photo.width, photo.height) < PHOTO_MIN_SIDE) {
    rules.push(`The photo is ${size}; it must be at least ${PHOTO_MIN_SIDE} × ${PHOTO_MIN_SIDE} px.`);
  }
  return rules;
}

/** The file's bytes as a data: URL (the page's policy shows data: images, not blob: ones) and its size. */
function readPhoto(file: File): Promise<ChosenPhoto> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error("The file could not be read."));
    reader.onload = () => {
      const dataUrl = String(reader.result);
      const image = new Image();
      image.onload = () => resolve({ file, dataUrl, width: image.naturalWidth, height: image.naturalHeight });
      // Not an image the browser can show: the API says what it makes of it.
      image.onerror = () => resolve({ file, dataUrl: "", width: 0, height: 0 });
      image.src = dataUrl;
    };
    reader.readAsDataURL(file);
  });
}

function photoError(error: unknown): string {
  if (error instanceof ApiError && error.fieldProblems.length > 0) {
    return error.fieldProblems.map((problem) => problem.message).join(" ");
  }
  return describeError(error);
}

function PhotoSection({
  channel,
  profile,
  onChanged,
}: {
  channel: Channel;
  profile: BusinessProfile;
  onChanged: (profile: BusinessProfile) => void;
}) {
  const { api } = useConsole();
  const [chosen, setChosen] = useState<ChosenPhoto | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [broken, setBroken] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const current = profile.profile_picture_url || null;
  const active = channel.status === "active";

  const choose = async (file: File | undefined) => {
    setError(null);
    setReadError(null);
    setChosen(null);
    if (!file) return;
    try {
      setChosen(await readPhoto(file));
    } catch (failure) {
      setReadError(describeError(failure));
    }
  };
  const upload = async () => {
    if (!chosen) {
      setError("Choose a JPEG or PNG file first.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onChanged(await api.profile.setPhoto(channel.id, chosen.file));
      setChosen(null);
      if (fileInput.current) fileInput.current.value = "";
    } catch (failure) {
      setError(photoError(failure));
    } finally {
      setBusy(false);
    }
  };

  const rules = chosen ? photoRules(chosen) : [];
  const describedBy = [error ? "photo-error" : null, rules.length ? "photo-rules" : null, "photo-hint"]
    .filter(Boolean)
    .join(" ");

  return (
    <section class="block profile__photo" aria-labelledby="photo-heading">
      <h3 id="photo-heading">Photo</h3>
      <div class="photo">
        {current && broken !== current ? (
          <img
            class="photo__image"
            src={current}
            alt="The current profile photo"
            width={96}
            height={96}
            referrerpolicy="no-referrer"
            onError={() => setBroken(current)}
          />
        ) : (
          <div class="photo__image photo__image--none" role="img" aria-label="No photo shown">
            <span aria-hidden="true">{channel.name.charAt(0).toUpperCase() || "?"}</span>
          </div>
        )}
        <p class="muted">
          {current === null
            ? "No photo yet."
            : broken === current
              ? "The photo's link couldn't be loaded here (WhatsApp's links expire; sync for a fresh one)."
              : "The photo WhatsApp shows now."}
        </p>
      </div>
      <form
        class="form"
        aria-label="Upload a profile photo"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void upload();
        }}
      >
        <div class={`field${error ? " field--invalid" : ""}`}>
          <label for="photo-file" class="field__label">
            New photo
          </label>
          <p id="photo-hint" class="field__hint">
            JPEG or PNG, square, at least {PHOTO_MIN_SIDE} × {PHOTO_MIN_SIDE} px (640 px looks sharp).
          </p>
          <input
            ref={fileInput}
            id="photo-file"
            type="file"
            accept="image/jpeg,image/png"
            disabled={!active || busy}
            aria-invalid={error ? "true" : undefined}
            aria-describedby={describedBy}
            onChange={(event) => void choose(event.currentTarget.files?.[0])}
          />
          {chosen && chosen.dataUrl && (
            <p class="photo__chosen">
              <img src={chosen.dataUrl} alt="The chosen photo" width={64} height={64} />
              <span class="muted">
                {chosen.file.name}: {chosen.width} × {chosen.height} px, {Math.ceil(chosen.file.size / 1024)}{" "}
                KB
              </span>
            </p>
          )}
          {readError && <p class="field__error">⚠ {readError}</p>}
          {rules.length > 0 && (
            <ul id="photo-rules" class="field__rules">
              {rules.map((rule) => (
                <li key={rule}>{rule}</li>
              ))}
            </ul>
          )}
          {error && (
            <p id="photo-error" class="field__error">
              <span aria-hidden="true">⚠ </span>
              {error}
            </p>
          )}
        </div>
        <div class="form__actions">
          <SubmitButton busy={busy} busyLabel="Uploading">
            Upload photo
          </SubmitButton>
        </div>
      </form>
    </section>
  );
}
