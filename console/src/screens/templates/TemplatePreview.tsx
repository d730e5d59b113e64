/** A template as the customer reads it, rendered by the API (POST .../templates/preview) from the
 * components (samples in place of the variables) or from a stored template's name and language. */

import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { describeError } from "../../api/errors";
import type { PreviewRequest, RenderedTemplate } from "../../api/templates";
import { useConsole } from "../../context";

export interface PreviewState {
  rendered: RenderedTemplate | null;
  error: unknown;
  loading: boolean;
}

/** The API's rendering of `request`, asked again `delayMs` after it last changed (typing pauses). */
export function usePreview(channelId: string, request: PreviewRequest | null, delayMs = 300): PreviewState {
  const { api } = useConsole();
  const [state, setState] = useState<PreviewState>({
    rendered: null,
    error: null,
    loading: request !== null,
  });
  const key = request === null ? null : JSON.stringify(request);
  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    const timer = window.setTimeout(() => {
      api.templates.preview(channelId, JSON.parse(key) as PreviewRequest, controller.signal).then(
        (rendered) => {
          if (!controller.signal.aborted) setState({ rendered, error: null, loading: false });
        },
        (error: unknown) => {
          if (!controller.signal.aborted) setState((previous) => ({ ...previous, error, loading: false }));
        },
      );
    }, delayMs);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [channelId, key, delayMs]);
  return state;
}

export function PreviewCard({ state, title = "Preview" }: { state: PreviewState; title?: string }) {
  const { rendered, error, loading } = state;
  return (
    <section class="preview" aria-labelledby="preview-heading" aria-busy={loading}>
      <div class="preview__head">
        <h3 id="preview-heading">{title}</h3>
        <span class="muted preview__state" aria-live="polite">
          {loading ? "Updating…" : ""}
        </span>
      </div>
      {error != null && <p class="field__error">Preview unavailable: {describeError(error)}</p>}
      {rendered === null ? (
        error == null && <p class="muted">Rendering…</p>
      ) : (
        <div class="preview__phone">
          <div class="bubble" data-testid="template-preview">
            <MediaHeader rendered={rendered} />
            {rendered.header && <p class="bubble__header">{formatted(rendered.header)}</p>}
            <p class="bubble__body">
              {rendered.body ? (
                formatted(rendered.body)
              ) : (
                <span class="muted">The body's text shows here.</span>
              )}
            </p>
            {rendered.footer && <p class="bubble__footer">{rendered.footer}</p>}
          </div>
          {rendered.buttons.length > 0 && (
            <ul class="bubble__buttons">
              {rendered.buttons.map((button, index) => (
                <li key={index} class="bubble__button">
                  <span aria-hidden="true">{buttonIcon(button.type)} </span>
                  {button.text || <span class="muted">(no label)</span>}
                  {button.url && <span class="bubble__target">{button.url}</span>}
                  {button.phone_number && <span class="bubble__target">{button.phone_number}</span>}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

/** Media headers show as what they are, not loaded: the sample is any link the author typed. */
function MediaHeader({ rendered }: { rendered: RenderedTemplate }) {
  const format = rendered.header_format;
  if (!format || format === "TEXT") return null;
  const kind = format === "LOCATION" ? "Location" : format.charAt(0) + format.slice(1).toLowerCase();
  const file = rendered.header_media_url?.split(/[?#]/)[0]?.split("/").pop();
  return (
    <div class="bubble__media">
      <span aria-hidden="true">{MEDIA_ICONS[format] ?? "▣"}</span> {kind}
      {file ? `: ${file}` : format === "LOCATION" ? ": given when sending" : ": sample still missing"}
    </div>
  );
}

const MEDIA_ICONS: Record<string, string> = { IMAGE: "🖼", VIDEO: "🎬", DOCUMENT: "📄", LOCATION: "📍" };

function buttonIcon(type: string): string {
  if (type === "URL") return "↗";
  if (type === "PHONE_NUMBER") return "📞";
  return "↩";
}

/** WhatsApp's own formatting: *bold*, _italic_, ~strike~ and ```monospace```, one line at a time. */
function formatted(text: string): ComponentChildren {
  const parts: ComponentChildren[] = [];
  const pattern = /```([^`]+)```|\*([^*\n]+)\*|_([^_\n]+)_|~([^~\n]+)~/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    const [, mono, bold, italic, strike] = match;
    if (mono !== undefined) parts.push(<code>{mono}</code>);
    else if (bold !== undefined) parts.push(<strong>{bold}</strong>);
    else if (italic !== undefined) parts.push(<em>{italic}</em>);
    else parts.push(<s>{strike}</s>);
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}
