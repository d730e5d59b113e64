import { useConsole } from "../../context";
import { Link } from "../../router";
import { Badge, ErrorNotice, Loading, LoadMore, PageHeader, Time } from "../../ui/components";
import { useDocumentTitle, usePagedList } from "../../ui/hooks";
import { generationLabel } from "./labels";

export function ChannelList() {
  useDocumentTitle("Channels");
  const { api } = useConsole();
  const channels = usePagedList((cursor, signal) => api.channels.list(cursor, 25, signal), []);

  return (
    <section>
      <PageHeader title="Channels">
        <Link href="/channels/new" class="button button--primary">
          Add a channel
        </Link>
      </PageHeader>
      <p class="lead">WhatsApp numbers connected to this workspace through 360dialog.</p>
      {channels.status === "loading" && <Loading label="Loading channels" />}
      {channels.status === "error" && (
        <ErrorNotice title="Could not load the channels" error={channels.error} onRetry={channels.reload} />
      )}
      {channels.status === "ready" && channels.items.length === 0 && (
        <div class="empty">
          <p>No channel yet. Connect a WhatsApp number with its 360dialog API key to start.</p>
        </div>
      )}
      {channels.status === "ready" && channels.items.length > 0 && (
        <ul class="cards" aria-label="Channels">
          {channels.items.map((channel) => (
            <li class="card" key={channel.id}>
              <div class="card__main">
                <h2 class="card__title">
                  <Link href={`/channels/${encodeURIComponent(channel.id)}`}>{channel.name}</Link>
                </h2>
                <p class="card__subtitle">{channel.phone_number}</p>
              </div>
              <dl class="card__facts">
                <div>
                  <dt>Status</dt>
                  <dd>
                    <Badge tone={channel.status === "active" ? "good" : "neutral"}>{channel.status}</Badge>
                  </dd>
                </div>
                <div>
                  <dt>API</dt>
                  <dd>{generationLabel(channel.api_generation)}</dd>
                </div>
                <div>
                  <dt>Key</dt>
                  <dd>
                    <code>{channel.api_key_masked}</code>
                  </dd>
                </div>
                <div>
                  <dt>Connected</dt>
                  <dd>
                    <Time iso={channel.created_at} />
                  </dd>
                </div>
              </dl>
            </li>
          ))}
        </ul>
      )}
      {channels.status === "ready" && (
        <LoadMore
          hasMore={channels.hasMore}
          loadingMore={channels.loadingMore}
          onLoadMore={channels.loadMore}
          error={channels.error}
        />
      )}
    </section>
  );
}
