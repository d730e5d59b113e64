/** One message of a thread, whatever its type: text, media through signed URLs, locations, shared
 * contacts, interactive and button replies, orders, templates, reactions, system notes, referrals, and
 * what WhatsApp does not pass on, shown as such. Outbound messages carry their ticks or why they failed. */

import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, describeError } from "../../api/errors";
import type { MediaLink, Message } from "../../api/inbox";
import { useConsole } from "../../context";
import { clockTime, fileSize, fullTime, ticks } from "./format";

type Json = Record<string, unknown>;

const MEDIA_TYPES = new Set(["image", "video", "audio", "voice", "document", "sticker"]);

const TYPE_LABELS: Record<string, string> = {
  image: "Photo",
  video: "Video",
  audio: "Audio",
  voice: "Voice message",
  document: "Document",
  sticker: "Sticker",
  location: "Location",
  contacts: "Contact card",
  interactive: "Interactive reply",
  button: "Quick reply",
  order: "Order",
  template: "Template",
  reaction: "Reaction",
  system: "System message",
  unsupported: "Unsupported message",
};

function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : null;
}

function obj(value: unknown): Json | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(obj).filter((item): item is Json => item !== null) : [];
}

/** A line that stands for the message in a quote, a reaction note or the conversation list. */
export function snippet(
  message: Pick<Message, "type" | "text" | "media" | "interactive" | "button">,
): string {
  const media = obj(message.media);
  const interactive = obj(message.interactive);
  const button = obj(message.button);
  const text =
    message.text ||
    str(media?.caption) ||
    str(interactive?.title) ||
    str(interactive?.body) ||
    str(button?.text) ||
    (message.type === "document" ? str(media?.filename) : null);
  const label = TYPE_LABELS[message.type] ?? message.type;
  if (!text) return label;
  return message.type === "text" || message.type === "template" ? text : `${label}: ${text}`;
}

export interface ReactionsOn {
  customer: string | null;
  business: string | null;
}

export function MessageView({
  message,
  quoted,
  reactions,
  reactedTo,
  customerName,
  actions,
}: {
  message: Message;
  /** What this message replies to, when it is in the loaded part of the thread. */
  quoted: Message | null | undefined;
  reactions: ReactionsOn | undefined;
  /** For a reaction: the message it is on, when loaded. */
  reactedTo: Message | null | undefined;
  customerName: string;
  actions?: ComponentChildren;
}) {
  const inbound = message.direction === "inbound";
  const who = inbound ? customerName : "You";

  if (message.type === "reaction") {
    const emoji = str(obj(message.reaction)?.emoji);
    const target = reactedTo ? `“${truncate(snippet(reactedTo), 60)}”` : "an earlier message";
    return (
      <div class="event" data-type="reaction" data-message-id={message.id}>
        {emoji ? (
          <span>
            {who} reacted <span class="event__emoji">{emoji}</span> to {target}
          </span>
        ) : (
          <span>
            {who} removed {inbound ? "their" : "your"} reaction from {target}
          </span>
        )}{" "}
        <time class="event__time" dateTime={message.timestamp} title={fullTime(message.timestamp)}>
          {clockTime(message.timestamp)}
        </time>
        {!inbound && message.status === "failed" && <FailedReason message={message} />}
      </div>
    );
  }

  if (message.type === "system") {
    const system = obj(message.system);
    return (
      <div class="event event--system" data-type="system" data-message-id={message.id}>
        <span>{str(system?.body) ?? "WhatsApp reported a change of this customer's account."}</span>{" "}
        <time class="event__time" dateTime={message.timestamp} title={fullTime(message.timestamp)}>
          {clockTime(message.timestamp)}
        </time>
      </div>
    );
  }

  const status = ticks(message.status);
  const label = `${inbound ? "From" : "Sent by"} ${inbound ? customerName : "you"}`;
  return (
    <article
      class={`bubble bubble--${inbound ? "in" : "out"}${message.status === "failed" ? " bubble--failed" : ""}`}
      data-type={message.type}
      data-status={message.status}
      data-message-id={message.id}
      aria-label={`${label}, ${clockTime(message.timestamp)}`}
    >
      {message.forwarded && <p class="bubble__forwarded">Forwarded</p>}
      {message.context && <Quote quoted={quoted} customerName={customerName} />}
      {message.referral && <Referral referral={obj(message.referral)} />}
      <Content message={message} />
      {reactions && (reactions.customer || reactions.business) && (
        <p class="bubble__reactions">
          {reactions.customer && (
            <span class="reaction" title={`${customerName} reacted`}>
              {reactions.customer}
              <span class="visually-hidden"> from {customerName}</span>
            </span>
          )}
          {reactions.business && (
            <span class="reaction reaction--own" title="You reacted">
              {reactions.business}
              <span class="visually-hidden"> from you</span>
            </span>
          )}
        </p>
      )}
      {!inbound && message.status === "failed" && <FailedReason message={message} />}
      <footer class="bubble__meta">
        <time dateTime={message.timestamp} title={fullTime(message.timestamp)}>
          {clockTime(message.timestamp)}
        </time>
        {!inbound && (
          <span class={`ticks ticks--${message.status}`} data-ticks={message.status}>
            <span aria-hidden="true">{status.glyph}</span> {status.label}
          </span>
        )}
      </footer>
      {actions}
    </article>
  );
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function FailedReason({ message }: { message: Message }) {
  return (
    <p class="bubble__error" role="note">
      <strong>Not delivered:</strong>{" "}
      {message.error?.message ?? "360dialog reported a failure without a reason."}
      {message.error?.code && <span class="muted"> (code {message.error.code})</span>}
    </p>
  );
}

function Quote({ quoted, customerName }: { quoted: Message | null | undefined; customerName: string }) {
  if (!quoted) {
    return <blockquote class="quote quote--missing">Replying to an earlier message</blockquote>;
  }
  return (
    <blockquote class="quote">
      <span class="quote__who">{quoted.direction === "inbound" ? customerName : "You"}</span>
      <span class="quote__text">{truncate(snippet(quoted), 140)}</span>
    </blockquote>
  );
}

function Referral({ referral }: { referral: Json | null }) {
  if (!referral) return null;
  const source = str(referral.source_type) ?? "link";
  const url = str(referral.source_url);
  return (
    <div class="referral">
      <p class="referral__title">
        Came from {source === "ad" ? "an ad" : source === "post" ? "a post" : `a ${source}`}
      </p>
      {str(referral.headline) && <p class="referral__headline">{str(referral.headline)}</p>}
      {str(referral.body) && <p>{str(referral.body)}</p>}
      {url && url.startsWith("https://") && (
        <a href={url} target="_blank" rel="noopener noreferrer">
          {url}
        </a>
      )}
    </div>
  );
}

function Content({ message }: { message: Message }) {
  if (MEDIA_TYPES.has(message.type) && message.media) {
    return <MediaContent message={message} />;
  }
  switch (message.type) {
    case "text":
      return <p class="bubble__text">{message.text}</p>;
    case "location":
      return <LocationContent location={obj(message.location)} />;
    case "contacts":
      return <SharedContacts contacts={list(message.shared_contacts)} />;
    case "interactive":
      return <InteractiveContent message={message} />;
    case "button": {
      const button = obj(message.button);
      return (
        <p class="bubble__text">
          <span class="kind">Tapped the quick reply</span> “{str(button?.text) ?? "?"}”
          {str(button?.payload) && <span class="muted"> · payload {str(button?.payload)}</span>}
        </p>
      );
    }
    case "order":
      return <OrderContent order={obj(message.order)} />;
    case "template": {
      const template = obj(message.template);
      return (
        <>
          <p class="kind">
            Template {str(template?.name) ?? ""}
            {str(template?.language) && ` · ${str(template?.language)}`}
          </p>
          {message.text && <p class="bubble__text">{message.text}</p>}
        </>
      );
    }
    case "unsupported":
      return (
        <p class="bubble__text unsupported">
          <span class="kind">Unsupported message.</span> WhatsApp does not pass this kind of message on (a
          poll, a view-once photo, …); the customer's phone shows it, the API does not.
        </p>
      );
    default:
      return (
        <p class="bubble__text">
          <span class="kind">{TYPE_LABELS[message.type] ?? `A ${message.type} message`}</span>
          {message.text && ` ${message.text}`}
        </p>
      );
  }
}

function LocationContent({ location }: { location: Json | null }) {
  const latitude = Number(location?.latitude);
  const longitude = Number(location?.longitude);
  const known = Number.isFinite(latitude) && Number.isFinite(longitude);
  const map = `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=17/${latitude}/${longitude}`;
  return (
    <div class="location">
      <p class="bubble__text">
        <span aria-hidden="true">📍 </span>
        <span class="kind">Location</span> {str(location?.name) ?? ""}
      </p>
      {str(location?.address) && <p class="location__address">{str(location?.address)}</p>}
      {known && (
        <p class="location__coordinates">
          {latitude.toFixed(5)}, {longitude.toFixed(5)} ·{" "}
          <a href={map} target="_blank" rel="noopener noreferrer">
            Open the map
          </a>
        </p>
      )}
    </div>
  );
}

function SharedContacts({ contacts }: { contacts: Json[] }) {
  return (
    <div class="shared-contacts">
      <p class="kind">{contacts.length === 1 ? "Contact card" : `${contacts.length} contact cards`}</p>
      {contacts.map((card, index) => {
        const name = obj(card.name);
        const org = obj(card.org);
        return (
          <dl class="contact-card" key={index}>
            <dt class="visually-hidden">Name</dt>
            <dd class="contact-card__name">
              {str(name?.formatted_name) ??
                ([str(name?.first_name), str(name?.last_name)].filter(Boolean).join(" ") || "No name")}
            </dd>
            {str(org?.company) && (
              <>
                <dt class="visually-hidden">Company</dt>
                <dd>{str(org?.company)}</dd>
              </>
            )}
            {list(card.phones).map((phone, i) => (
              <div key={`p${i}`}>
                <dt>{str(phone.type) ?? "Phone"}</dt>
                <dd>{str(phone.phone) ?? str(phone.wa_id)}</dd>
              </div>
            ))}
            {list(card.emails).map((email, i) => (
              <div key={`e${i}`}>
                <dt>E-mail</dt>
                <dd>{str(email.email)}</dd>
              </div>
            ))}
          </dl>
        );
      })}
    </div>
  );
}

function InteractiveContent({ message }: { message: Message }) {
  const interactive = obj(message.interactive) ?? {};
  const kind = str(interactive.kind) ?? str(interactive.type);
  if (kind === "button_reply") {
    return (
      <p class="bubble__text">
        <span class="kind">Tapped the button</span> “{str(interactive.title) ?? "?"}”
      </p>
    );
  }
  if (kind === "list_reply") {
    return (
      <p class="bubble__text">
        <span class="kind">Chose from the list</span> “{str(interactive.title) ?? "?"}”
        {str(interactive.description) && <span class="muted"> — {str(interactive.description)}</span>}
      </p>
    );
  }
  if (kind === "nfm_reply") {
    return (
      <div>
        <p class="bubble__text">
          <span class="kind">Sent a form</span>
          {str(interactive.name) && ` (${str(interactive.name)})`}
          {str(interactive.body) && `: ${str(interactive.body)}`}
        </p>
        {str(interactive.response_json) && (
          <details class="form-answers">
            <summary>The answers</summary>
            <pre>{prettyJson(str(interactive.response_json) ?? "")}</pre>
          </details>
        )}
      </div>
    );
  }
  // An interactive message the business sent: its body and its choices.
  const buttons = list(interactive.buttons);
  const sections = list(interactive.sections);
  return (
    <div>
      {str(interactive.header) && <p class="bubble__header">{str(interactive.header)}</p>}
      <p class="bubble__text">{str(interactive.body) ?? message.text}</p>
      {str(interactive.footer) && <p class="muted">{str(interactive.footer)}</p>}
      {buttons.length > 0 && (
        <ul class="choices" aria-label="Buttons">
          {buttons.map((button, index) => (
            <li key={index}>{str(button.title) ?? str(obj(button.reply)?.title)}</li>
          ))}
        </ul>
      )}
      {sections.length > 0 && (
        <p class="muted">
          List “{str(interactive.button) ?? "Options"}” with{" "}
          {sections.reduce((total, section) => total + list(section.rows).length, 0)} choices
        </p>
      )}
    </div>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function OrderContent({ order }: { order: Json | null }) {
  const items = list(order?.product_items);
  return (
    <div class="order">
      <p class="kind">
        <span aria-hidden="true">🛒 </span>Order with {items.length} {items.length === 1 ? "item" : "items"}
        {str(order?.catalog_id) && <span class="muted"> · catalogue {str(order?.catalog_id)}</span>}
      </p>
      <ul class="order__items">
        {items.map((item, index) => (
          <li key={index}>
            {str(item.quantity) ?? "1"} × {str(item.product_retailer_id) ?? "item"}
            {str(item.item_price) && (
              <span class="muted">
                {" "}
                at {Number(item.item_price).toFixed(2)} {str(item.currency) ?? ""}
              </span>
            )}
          </li>
        ))}
      </ul>
      {str(order?.text) && <p class="bubble__text">{str(order?.text)}</p>}
    </div>
  );
}

// ---------------------------------------------------------------- media

type MediaState =
  | { state: "loading" }
  | { state: "copying" }
  | { state: "ready"; link: MediaLink }
  | { state: "failed"; error: unknown };

/** The signed URL of a message's file: asked for once the file is stored, asked again while the API
 * says it is still being copied (409 media_not_ready), and renewed before it expires (`renew`). */
function useMediaLink(message: Message, renew: boolean): MediaState {
  const { api } = useConsole();
  const media = obj(message.media) ?? {};
  const stored = str(media.status);
  const [state, setState] = useState<MediaState>(
    stored === "pending" ? { state: "copying" } : { state: "loading" },
  );
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    // While the message says the copy is pending, the thread's polling tells when it is done.
    if (stored === "pending") {
      setState({ state: "copying" });
      return;
    }
    if (stored === "failed") {
      setState({
        state: "failed",
        error: new Error(str(media.failure) ?? "The file could not be copied from 360dialog."),
      });
      return;
    }
    const controller = new AbortController();
    let timer = 0;
    api.inbox.media(message.id, controller.signal).then(
      (link) => {
        if (controller.signal.aborted) return;
        setState({ state: "ready", link });
        // Renew the short-lived URL a little before it expires, for links and players used later.
        const renewIn = Date.parse(link.expires_at) - Date.now() - 20_000;
        if (renew && Number.isFinite(renewIn) && renewIn > 0) {
          timer = window.setTimeout(() => setAttempt((n) => n + 1), renewIn);
        }
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.code === "media_not_ready") {
          setState({ state: "copying" });
          timer = window.setTimeout(() => setAttempt((n) => n + 1), (error.retryAfterSeconds ?? 2) * 1000);
        } else {
          setState({ state: "failed", error });
        }
      },
    );
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [message.id, stored, attempt]);
  return state;
}

function MediaContent({ message }: { message: Message }) {
  const media = obj(message.media) ?? {};
  const caption = str(media.caption);
  const filename = str(media.filename);
  const isVoice = message.type === "voice" || (message.type === "audio" && media.voice === true);
  const label = isVoice ? "Voice message" : (TYPE_LABELS[message.type] ?? message.type);
  // A file the business sent by link or 360dialog media id has no copy in the bucket (no status), so no
  // link; one sent from an upload is linked like a customer's.
  const ownFile = message.direction === "outbound" && !str(media.status);
  return (
    <div class="media">
      {ownFile ? (
        <p class="media__file">
          <span aria-hidden="true">{fileIcon(message.type)} </span>
          <span class="kind">{label}</span> {filename ?? ""}
          {str(media.link) && (
            <>
              {" "}
              <a href={str(media.link) ?? "#"} target="_blank" rel="noopener noreferrer">
                (link)
              </a>
            </>
          )}
        </p>
      ) : (
        <MediaBody message={message} label={label} filename={filename} caption={caption} />
      )}
      {caption && <p class="bubble__text">{caption}</p>}
    </div>
  );
}

function fileIcon(type: string): string {
  return type === "image" || type === "sticker"
    ? "🖼"
    : type === "video"
      ? "🎬"
      : type === "document"
        ? "📄"
        : "🎵";
}

function MediaBody({
  message,
  label,
  filename,
  caption,
}: {
  message: Message;
  label: string;
  filename: string | null;
  caption: string | null;
}) {
  // A drawn picture needs its URL once; links and players may be used minutes later.
  const media = useMediaLink(message, message.type !== "image" && message.type !== "sticker");
  const [broken, setBroken] = useState(false);
  if (media.state === "loading") {
    return (
      <p class="media__state" role="status">
        <span class="spinner" aria-hidden="true" /> Loading the {label.toLowerCase()}…
      </p>
    );
  }
  if (media.state === "copying") {
    return (
      <p class="media__state" role="status" data-media-state="copying">
        <span class="spinner" aria-hidden="true" /> {label}: still copying from 360dialog…
      </p>
    );
  }
  if (media.state === "failed") {
    return (
      <p class="media__state media__state--failed" data-media-state="failed">
        <span class="kind">{label}</span> could not be fetched: {describeError(media.error)}
      </p>
    );
  }
  const { url, file_size: size, mime_type: mime } = media.link;
  const name = filename ?? media.link.filename;
  const details = [mime, fileSize(size)].filter(Boolean).join(", ");
  const download = (
    <a class="media__link" href={url} target="_blank" rel="noopener noreferrer">
      {name ?? `Open the ${label.toLowerCase()}`}
    </a>
  );
  if ((message.type === "image" || message.type === "sticker") && !broken) {
    return (
      <a href={url} target="_blank" rel="noopener noreferrer" class="media__frame" data-media-state="ready">
        <img
          class={message.type === "sticker" ? "media__sticker" : "media__image"}
          src={url}
          alt={caption ? `${label}: ${caption}` : label}
          onError={() => setBroken(true)}
        />
      </a>
    );
  }
  if (message.type === "video" && !broken) {
    return (
      <video
        class="media__video"
        controls
        preload="metadata"
        src={url}
        data-media-state="ready"
        onError={() => setBroken(true)}
      >
        {download}
      </video>
    );
  }
  if ((message.type === "audio" || message.type === "voice") && !broken) {
    return (
      <div data-media-state="ready">
        <p class="kind">{label}</p>
        <audio
          class="media__audio"
          controls
          preload="none"
          src={url}
          aria-label={label}
          onError={() => setBroken(true)}
        />
      </div>
    );
  }
  return (
    <p class="media__file" data-media-state="ready">
      <span aria-hidden="true">{fileIcon(message.type)} </span>
      {broken && <span class="muted">The browser cannot show this {label.toLowerCase()}: </span>}
      {download}
      {details && <span class="muted"> ({details})</span>}
    </p>
  );
}
