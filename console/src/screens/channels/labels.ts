/** How the console names the API's values. */

import type { ApiGeneration, AuditAction } from "../../api/channels";

export const GENERATIONS: readonly { value: ApiGeneration; label: string; hint: string }[] = [
  { value: "cloud", label: "Cloud API", hint: "Numbers on Meta's Cloud API (most numbers today)." },
  { value: "on_premise", label: "On-Premise API", hint: "Numbers still on the older On-Premise API (/v1)." },
];

export function generationLabel(generation: ApiGeneration): string {
  return GENERATIONS.find((g) => g.value === generation)?.label ?? generation;
}

export const AUDIT_ACTIONS: Record<AuditAction, string> = {
  api_key_viewed: "API key viewed",
  api_key_replaced: "API key replaced",
  api_key_refreshed: "API key refreshed through 360dialog",
  webhook_registered: "Webhook registered at 360dialog",
  channel_updated: "Channel updated",
  channel_disconnected: "Channel disconnected",
};

/** A heading for each health problem the API names; unknown codes show their message only. */
export const PROBLEM_TITLES: Record<string, string> = {
  channel_disconnected: "The channel is disconnected",
  api_key_invalid: "360dialog refuses the API key",
  provider_unreachable: "360dialog did not answer",
  webhook_not_registered: "No webhook is registered",
  webhook_points_elsewhere: "The webhook points elsewhere",
  webhook_secret_mismatch: "The webhook's token does not match",
  account_blocked: "WhatsApp blocks sending",
  account_limited: "WhatsApp limits sending",
  templates_sync_failed: "The last template sync failed",
  templates_never_synced: "Templates have never been synced",
  profile_sync_failed: "The last business profile sync failed",
  no_webhook_received: "No delivery from 360dialog yet",
};
