/** Words and numbers the inbox shows: the window's time left, ticks, message times, file sizes. */

import { useEffect, useState } from "preact/hooks";

/** "23 h 5 min", "42 min", "less than a minute", "3 days". */
export function duration(milliseconds: number): string {
  const minutes = Math.floor(milliseconds / 60_000);
  if (minutes < 1) return "less than a minute";
  const hours = Math.floor(minutes / 60);
  if (hours >= 48) return `${Math.floor(hours / 24)} days`;
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

export interface WindowState {
  open: boolean;
  /** When it closes (open) or closed (not open); null if the customer never wrote. */
  expiresAt: Date | null;
  /** "23 h 5 min left", "closed 2 days ago", "never opened". */
  label: string;
}

/** The 24-hour customer service window, as of `now`. The API's `window_expires_at` is the authority;
 * `window_open` as answered is only as fresh as the answer, so the time decides. */
export function windowState(expiresAtIso: string | null | undefined, now: number): WindowState {
  if (!expiresAtIso) return { open: false, expiresAt: null, label: "no message from the customer yet" };
  const expiresAt = new Date(expiresAtIso);
  const left = expiresAt.getTime() - now;
  if (left > 0) return { open: true, expiresAt, label: `${duration(left)} left` };
  return { open: false, expiresAt, label: `closed ${duration(-left)} ago` };
}

/** Re-renders every `intervalMs` with the current time (the window's countdown). */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}

const TICKS: Record<string, { glyph: string; label: string }> = {
  accepted: { glyph: "🕓", label: "Accepted by 360dialog" },
  sent: { glyph: "✓", label: "Sent" },
  delivered: { glyph: "✓✓", label: "Delivered" },
  read: { glyph: "✓✓", label: "Read" },
  failed: { glyph: "⚠", label: "Not delivered" },
};

export function ticks(status: string): { glyph: string; label: string } {
  return TICKS[status] ?? { glyph: "", label: status };
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

export function clockTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeFormat.format(date);
}

export function fullTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : fullFormat.format(date);
}

export function dayLabel(iso: string, now = Date.now()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const today = new Date(now).toDateString();
  const yesterday = new Date(now - 86_400_000).toDateString();
  if (date.toDateString() === today) return "Today";
  if (date.toDateString() === yesterday) return "Yesterday";
  return dayFormat.format(date);
}

export function fileSize(bytes: number | null | undefined): string | null {
  if (bytes === null || bytes === undefined) return null;
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A key for `Idempotency-Key`: random, from the browser's CSPRNG (works without a secure context). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}
