/** Is the channel working? Every check, every problem with what to do, and what arrived. */

import { useState } from "preact/hooks";
import type { Channel, ChannelHealth, HealthProblem } from "../../api/channels";
import { describeError } from "../../api/errors";
import { useConsole } from "../../context";
import { Link, type RouteParams } from "../../router";
import { Badge, Loaded, Notice, Time } from "../../ui/components";
import { useResource } from "../../ui/hooks";
import { ChannelFrame } from "./ChannelFrame";
import { PROBLEM_TITLES } from "./labels";

export function ChannelHealthScreen({ params }: { params: RouteParams }) {
  const channelId = params.channelId ?? "";
  return (
    <ChannelFrame channelId={channelId} tab="Health">
      {({ channel }) => <HealthPanel channel={channel} />}
    </ChannelFrame>
  );
}

function HealthPanel({ channel }: { channel: Channel }) {
  const { api } = useConsole();
  const health = useResource((signal) => api.channels.health(channel.id, signal), [channel.id]);
  // An action's outcome outlives the problem it fixed, which the next check no longer lists.
  const [done, setDone] = useState<string | null>(null);
  const onFixed = (outcome: string) => {
    setDone(outcome);
    health.reload();
  };
  return (
    <>
      <div class="panel-actions">
        <h2>Health</h2>
        <button
          type="button"
          class="button button--secondary"
          onClick={health.reload}
          disabled={health.status === "loading" || (health.status === "ready" && health.reloading)}
        >
          {health.status === "ready" && health.reloading ? "Checking…" : "Check again"}
        </button>
      </div>
      <p class="muted">Checked live with 360dialog each time.</p>
      {done && <Notice tone="success">{done}</Notice>}
      <Loaded resource={health} label="the channel's health">
        {(data) => <HealthReport channel={channel} health={data} onFixed={onFixed} />}
      </Loaded>
    </>
  );
}

function HealthReport({
  channel,
  health,
  onFixed,
}: {
  channel: Channel;
  health: ChannelHealth;
  onFixed: (outcome: string) => void;
}) {
  const { account, delivery } = health;
  return (
    <>
      <section aria-labelledby="problems-heading" class="block">
        <h3 id="problems-heading">
          {health.problems.length === 0
            ? "No problems"
            : `${health.problems.length} problem${health.problems.length === 1 ? "" : "s"}`}
        </h3>
        {health.problems.length === 0 ? (
          <Notice tone="success">Nothing needs doing: messages can flow both ways.</Notice>
        ) : (
          <ol class="problems">
            {health.problems.map((problem) => (
              <li class="problem" key={problem.code} data-code={problem.code}>
                <p class="problem__title">{PROBLEM_TITLES[problem.code] ?? problem.code}</p>
                <p>{problem.message}</p>
                <ProblemAction channel={channel} problem={problem} onFixed={onFixed} />
              </li>
            ))}
          </ol>
        )}
      </section>

      <section aria-labelledby="checks-heading" class="block">
        <h3 id="checks-heading">Checks</h3>
        <dl class="facts">
          <Check
            label="API key"
            value={health.api_key_valid}
            yes="accepted by 360dialog"
            no="refused by 360dialog"
          />
          <Check label="Webhook" value={health.webhook_registered} yes="registered" no="not registered" />
          <Check
            label="Webhook target"
            value={health.webhook_url_matches}
            yes="points at this channel"
            no="points elsewhere"
          />
          <div>
            <dt>Sending</dt>
            <dd>
              {account.can_send_message === null ? (
                <Badge tone="neutral">unknown</Badge>
              ) : (
                <Badge
                  tone={
                    account.can_send_message === "AVAILABLE"
                      ? "good"
                      : account.can_send_message === "LIMITED"
                        ? "warn"
                        : "bad"
                  }
                >
                  {account.can_send_message.toLowerCase()}
                </Badge>
              )}
              {[...account.errors, ...account.additional_info].map((line) => (
                <span class="fact-note" key={line}>
                  {line}
                </span>
              ))}
            </dd>
          </div>
          <div>
            <dt>Templates synced</dt>
            <dd>
              <Time iso={health.templates_last_synced_at} />
              {health.templates_sync_error && (
                <span class="fact-note fact-note--bad">{health.templates_sync_error}</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Business profile synced</dt>
            <dd>
              <Time iso={health.profile_last_synced_at} />
              {health.profile_sync_error && (
                <span class="fact-note fact-note--bad">{health.profile_sync_error}</span>
              )}
            </dd>
          </div>
        </dl>
      </section>

      <section aria-labelledby="delivery-heading" class="block">
        <h3 id="delivery-heading">Deliveries from 360dialog</h3>
        <dl class="facts">
          <div>
            <dt>Last webhook</dt>
            <dd>
              <Time iso={delivery.last_webhook_at} never="none yet" />
            </dd>
          </div>
          <Count label="Messages received" value={delivery.messages_received} />
          <Count label="Statuses applied" value={delivery.statuses_applied} />
          <Count label="Duplicates dropped" value={delivery.duplicates_dropped} />
          <Count label="Out-of-order statuses ignored" value={delivery.stale_statuses_ignored} />
          <div>
            <dt>Last error from 360dialog</dt>
            <dd>
              {delivery.last_provider_error ? (
                <>
                  <code>{delivery.last_provider_error.code}</code> {delivery.last_provider_error.message} (
                  <Time iso={delivery.last_provider_error.at} />)
                </>
              ) : (
                <span class="muted">none</span>
              )}
            </dd>
          </div>
        </dl>
      </section>
    </>
  );
}

function Check({ label, value, yes, no }: { label: string; value: boolean | null; yes: string; no: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>
        {value === null ? (
          <Badge tone="neutral">unknown</Badge>
        ) : (
          <Badge tone={value ? "good" : "bad"}>{value ? yes : no}</Badge>
        )}
      </dd>
    </div>
  );
}

function Count({ label, value }: { label: string; value: number }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value.toLocaleString()}</dd>
    </div>
  );
}

const KEY_PROBLEMS = new Set([
  "api_key_invalid",
  "webhook_not_registered",
  "webhook_points_elsewhere",
  "webhook_secret_mismatch",
]);

/** What the console offers for a problem: the screen that fixes it, or the action itself. */
function ProblemAction({
  channel,
  problem,
  onFixed,
}: {
  channel: Channel;
  problem: HealthProblem;
  onFixed: (outcome: string) => void;
}) {
  const { api } = useConsole();
  const [state, setState] = useState<{ busy: boolean; error: unknown }>({ busy: false, error: null });
  const settings = `/channels/${encodeURIComponent(channel.id)}/settings`;

  const run = async (action: () => Promise<string>) => {
    setState({ busy: true, error: null });
    try {
      const outcome = await action();
      setState({ busy: false, error: null });
      onFixed(outcome);
    } catch (error) {
      setState({ busy: false, error });
    }
  };

  const outcome = state.error != null && <Notice tone="error">{describeError(state.error)}</Notice>;

  if (KEY_PROBLEMS.has(problem.code)) {
    return (
      <p class="problem__action">
        <Link href={`${settings}#api-key`} class="button button--secondary">
          {problem.code === "api_key_invalid" ? "Replace or refresh the key" : "Send the current key again"}
        </Link>
      </p>
    );
  }
  if (problem.code === "templates_never_synced" || problem.code === "templates_sync_failed") {
    return (
      <div class="problem__action">
        <button
          type="button"
          class="button button--secondary"
          disabled={state.busy}
          onClick={() =>
            void run(async () => {
              const sync = await api.channels.syncTemplates(channel.id);
              return `Templates synced: ${sync.created} new, ${sync.updated} changed, ${sync.deleted} gone, ${sync.unchanged} unchanged.`;
            })
          }
        >
          {state.busy ? "Syncing templates…" : "Sync templates now"}
        </button>
        {outcome}
      </div>
    );
  }
  if (problem.code === "profile_sync_failed") {
    return (
      <div class="problem__action">
        <button
          type="button"
          class="button button--secondary"
          disabled={state.busy}
          onClick={() =>
            void run(async () => {
              await api.channels.syncProfile(channel.id);
              return "The business profile is synced.";
            })
          }
        >
          {state.busy ? "Syncing the profile…" : "Sync the business profile now"}
        </button>
        {outcome}
      </div>
    );
  }
  if (problem.code === "channel_disconnected") {
    return (
      <p class="problem__action">
        <Link
          href={`/channels/new?phone=${encodeURIComponent(channel.phone_number)}`}
          class="button button--secondary"
        >
          Connect the number again
        </Link>
      </p>
    );
  }
  if (problem.code === "account_blocked" || problem.code === "account_limited") {
    return (
      <p class="problem__action">
        <a
          class="button button--secondary"
          href="https://hub.360dialog.com"
          target="_blank"
          rel="noopener noreferrer"
        >
          Open the 360dialog hub
        </a>
      </p>
    );
  }
  if (problem.code === "no_webhook_received") {
    return (
      <p class="problem__action muted">
        Send a WhatsApp message to {channel.phone_number}, then check again.
      </p>
    );
  }
  return null;
}
