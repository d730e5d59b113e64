/** Who did what to a channel's key and settings, newest first. */

import type { AuditEntry } from "../../api/channels";
import { useConsole } from "../../context";
import type { RouteParams } from "../../router";
import { ErrorNotice, Loading, LoadMore, Time } from "../../ui/components";
import { usePagedList } from "../../ui/hooks";
import { ChannelFrame } from "./ChannelFrame";
import { AUDIT_ACTIONS } from "./labels";

export function ChannelAudit({ params }: { params: RouteParams }) {
  const channelId = params.channelId ?? "";
  return (
    <ChannelFrame channelId={channelId} tab="Audit trail">
      {({ channel }) => <AuditList channelId={channel.id} />}
    </ChannelFrame>
  );
}

function AuditList({ channelId }: { channelId: string }) {
  const { api } = useConsole();
  const entries = usePagedList(
    (cursor, signal) => api.channels.audit(channelId, cursor, signal),
    [channelId],
  );
  return (
    <>
      <h2>Audit trail</h2>
      <p class="muted">
        Every view or change of the key, every webhook registration and settings change. Never a key.
      </p>
      {entries.status === "loading" && <Loading label="Loading the audit trail" />}
      {entries.status === "error" && (
        <ErrorNotice title="Could not load the audit trail" error={entries.error} onRetry={entries.reload} />
      )}
      {entries.status === "ready" && entries.items.length === 0 && <p>Nothing recorded yet.</p>}
      {entries.status === "ready" && entries.items.length > 0 && (
        <table class="table audit">
          <caption class="visually-hidden">Audit trail, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Who</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.items.map((entry, index) => (
              <tr key={`${entry.at}-${entry.action}-${index}`} data-action={entry.action}>
                <td data-label="When">
                  <Time iso={entry.at} />
                </td>
                <td data-label="What">{AUDIT_ACTIONS[entry.action] ?? entry.action}</td>
                <td data-label="Who">{entry.actor}</td>
                <td data-label="Details">
                  <AuditDetails details={entry.details} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {entries.status === "ready" && (
        <LoadMore
          hasMore={entries.hasMore}
          loadingMore={entries.loadingMore}
          onLoadMore={entries.loadMore}
          error={entries.error}
        />
      )}
    </>
  );
}

function AuditDetails({ details }: { details: AuditEntry["details"] }) {
  const pairs = Object.entries(details);
  if (pairs.length === 0) return <span class="muted">—</span>;
  return (
    <dl class="details">
      {pairs.map(([name, value]) => (
        <div key={name}>
          <dt>{name.replace(/_/g, " ")}</dt>
          <dd>{detailText(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function detailText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value.join(", ");
  return JSON.stringify(value);
}
