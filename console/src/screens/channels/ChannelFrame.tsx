/** The page of one channel: its name, number and status, the tabs, and the tab's content. */

import type { ComponentChildren } from "preact";
import type { Channel } from "../../api/channels";
import { ApiError } from "../../api/errors";
import { useConsole } from "../../context";
import { CHANNEL_TABS } from "../../routes";
import { Link } from "../../router";
import { Badge, ErrorNotice, Loading, PageHeader } from "../../ui/components";
import { useDocumentTitle, useResource } from "../../ui/hooks";
import { generationLabel } from "./labels";

export interface ChannelTabProps {
  channel: Channel;
  /** The tab changed the channel (e.g. renamed it): the header shows the new state. */
  onChannelChanged: (channel: Channel) => void;
}

export function ChannelFrame({
  channelId,
  tab,
  children,
}: {
  channelId: string;
  tab: string;
  children: (props: ChannelTabProps) => ComponentChildren;
}) {
  const { api } = useConsole();
  const channel = useResource((signal) => api.channels.get(channelId, signal), [channelId]);
  const name = channel.status === "ready" ? channel.data.name : "Channel";
  useDocumentTitle(`${tab} · ${name}`);
  const base = `/channels/${encodeURIComponent(channelId)}`;

  if (channel.status === "loading") return <Loading label="Loading the channel" />;
  if (channel.status === "error") {
    if (channel.error instanceof ApiError && channel.error.code === "not_found") {
      return (
        <section>
          <PageHeader title="No such channel" />
          <p>
            This workspace has no channel {channelId}. <Link href="/channels">Back to the channels</Link>.
          </p>
        </section>
      );
    }
    return <ErrorNotice title="Could not load the channel" error={channel.error} onRetry={channel.reload} />;
  }
  const data = channel.data;
  return (
    <section>
      <p class="breadcrumb">
        <Link href="/channels">Channels</Link> <span aria-hidden="true">›</span>
      </p>
      <PageHeader title={data.name}>
        <Badge tone={data.status === "active" ? "good" : "neutral"}>{data.status}</Badge>
      </PageHeader>
      <p class="lead">
        {data.phone_number} · {generationLabel(data.api_generation)} · key <code>{data.api_key_masked}</code>
      </p>
      <nav class="tabs" aria-label="Channel">
        <ul>
          {CHANNEL_TABS.map((item) => (
            <li key={item.path}>
              <Link href={`${base}${item.path}`} current={item.path ? "section" : "page"}>
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div class="tab-panel">{children({ channel: data, onChannelChanged: channel.replace })}</div>
    </section>
  );
}
