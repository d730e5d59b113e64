/** How the console names templates' values: statuses, rejection reasons, categories, parts. */

import type { ButtonType, HeaderFormat } from "./rules";

/** Meta's statuses (360dialog's older ones arrive as PENDING), with what each means for sending. */
export const STATUSES: readonly {
  value: string;
  label: string;
  tone: "good" | "bad" | "warn" | "neutral";
}[] = [
  { value: "APPROVED", label: "Approved", tone: "good" },
  { value: "PENDING", label: "Pending review", tone: "warn" },
  { value: "REJECTED", label: "Rejected", tone: "bad" },
  { value: "IN_APPEAL", label: "In appeal", tone: "warn" },
  { value: "PAUSED", label: "Paused", tone: "bad" },
  { value: "DISABLED", label: "Disabled by WhatsApp", tone: "bad" },
  { value: "LIMIT_EXCEEDED", label: "Limit exceeded", tone: "bad" },
  { value: "PENDING_DELETION", label: "Being deleted", tone: "neutral" },
  { value: "ARCHIVED", label: "Archived", tone: "neutral" },
];

export function statusOf(status: string) {
  return (
    STATUSES.find((known) => known.value === status) ?? {
      value: status,
      label: humanise(status),
      tone: "neutral" as const,
    }
  );
}

const REJECTION_REASONS: Record<string, string> = {
  ABUSIVE_CONTENT: "Abusive content",
  INCORRECT_CATEGORY: "Incorrect category: the content does not match the category",
  INVALID_FORMAT: "Invalid format: check variables, samples and the components",
  PROMOTIONAL: "Judged promotional for its category",
  SCAM: "Judged a scam",
  TAG_CONTENT_MISMATCH: "The content does not match the category",
  CATEGORY_NOT_AVAILABLE: "The category is not available for this account",
};

export function rejectionReason(reason: string): string {
  return REJECTION_REASONS[reason] ?? humanise(reason);
}

export const CATEGORY_LABELS: Record<string, string> = {
  MARKETING: "Marketing",
  UTILITY: "Utility",
  AUTHENTICATION: "Authentication",
};

export const CATEGORY_HINTS: Record<string, string> = {
  MARKETING: "Offers, news, invitations: anything that promotes.",
  UTILITY: "About something the customer started: orders, bookings, account changes.",
  AUTHENTICATION:
    "One-time passcodes. Needs an OTP button, which 360dialog's API takes but this builder doesn't make.",
};

export const HEADER_FORMATS: readonly { value: HeaderFormat; label: string }[] = [
  { value: "NONE", label: "No header" },
  { value: "TEXT", label: "Text" },
  { value: "IMAGE", label: "Image" },
  { value: "VIDEO", label: "Video" },
  { value: "DOCUMENT", label: "Document" },
  { value: "LOCATION", label: "Location" },
];

/** What the builder's "Add …" buttons say. */
export const ADD_BUTTON: Record<ButtonType, string> = {
  QUICK_REPLY: "Add quick reply",
  URL: "Add link",
  PHONE_NUMBER: "Add call button",
};

export const BUTTON_TYPES: Record<ButtonType, string> = {
  QUICK_REPLY: "Quick reply",
  URL: "Link (URL)",
  PHONE_NUMBER: "Call (phone number)",
};

function humanise(code: string): string {
  const words = code.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
