/** Contacts: search by the beginning of a name or of the number; each opens the contact's page. The
 * search is in the address (/contacts?query=ana), so it survives a reload and the back button. */

import { useEffect, useState } from "preact/hooks";
import { contactName } from "../../api/contacts";
import { useConsole } from "../../context";
import { Link, navigate, useLocation } from "../../router";
import { ErrorNotice, Loading, LoadMore, PageHeader, Time } from "../../ui/components";
import { useDocumentTitle, usePagedList } from "../../ui/hooks";
import "../inbox/inbox.css";

const TYPING_PAUSE_MS = 300;

export function ContactList() {
  useDocumentTitle("Contacts");
  const { api } = useConsole();
  const { query } = useLocation();
  const applied = query.get("query") ?? "";
  const [typed, setTyped] = useState(applied);
  useEffect(() => setTyped(applied), [applied]);

  const search = (text: string) => {
    const trimmed = text.trim();
    if (trimmed === applied) return;
    navigate(trimmed ? `/contacts?query=${encodeURIComponent(trimmed)}` : "/contacts", { replace: true });
  };
  // Results follow the typing once it pauses.
  useEffect(() => {
    if (typed.trim() === applied) return;
    const timer = window.setTimeout(() => search(typed), TYPING_PAUSE_MS);
    return () => window.clearTimeout(timer);
  }, [typed]);

  const contacts = usePagedList((cursor, signal) => api.contacts.search(applied, cursor, signal), [applied]);

  return (
    <section>
      <PageHeader title="Contacts" />
      <p class="lead">Everyone who wrote to a channel of this workspace, or whom it wrote to.</p>
      <form
        role="search"
        class="search"
        aria-label="Contacts"
        onSubmit={(event) => {
          event.preventDefault();
          search(typed);
        }}
      >
        <div class="field">
          <label for="contact-search" class="field__label">
            Search
          </label>
          <p id="contact-search-hint" class="field__hint">
            The beginning of a first, last or WhatsApp name, or of the phone number.
          </p>
          <input
            id="contact-search"
            type="search"
            name="query"
            value={typed}
            autoComplete="off"
            aria-describedby="contact-search-hint"
            onInput={(event) => setTyped(event.currentTarget.value)}
          />
        </div>
        <button type="submit" class="button button--secondary">
          Search
        </button>
      </form>
      <div aria-live="polite">
        {(contacts.status === "loading" || contacts.reloading) && <Loading label="Searching" />}
        {contacts.status === "error" && (
          <ErrorNotice
            title="Could not search the contacts"
            error={contacts.error}
            onRetry={contacts.reload}
          />
        )}
        {contacts.status === "ready" && !contacts.reloading && contacts.items.length === 0 && (
          <div class="empty">
            <p>{applied ? `No contact matches “${applied}”.` : "No contact yet."}</p>
          </div>
        )}
        {contacts.status === "ready" && !contacts.reloading && contacts.items.length > 0 && (
          <p class="muted">
            {applied ? `Contacts matching “${applied}”` : "All contacts"}
            {contacts.hasMore ? "" : `: ${contacts.items.length}`}
          </p>
        )}
      </div>
      {contacts.items.length > 0 && (
        <ul class="contact-rows" aria-label="Contacts found" aria-busy={contacts.reloading}>
          {contacts.items.map((contact) => (
            <li class="contact-row" key={contact.id}>
              <div>
                <p class="contact-row__name">
                  <Link href={`/contacts/${encodeURIComponent(contact.id)}`}>{contactName(contact)}</Link>
                </p>
                {contact.profile_name && contact.profile_name !== contactName(contact) && (
                  <p class="muted">WhatsApp name “{contact.profile_name}”</p>
                )}
              </div>
              <div>
                <p>{contact.phone_number ?? contact.whatsapp_id ?? "no number"}</p>
                {contact.email && <p class="muted">{contact.email}</p>}
              </div>
              <p class="muted">
                Last wrote <Time iso={contact.last_inbound_at} never="never" />
              </p>
            </li>
          ))}
        </ul>
      )}
      {contacts.status === "ready" && (
        <LoadMore
          hasMore={contacts.hasMore}
          loadingMore={contacts.loadingMore}
          onLoadMore={contacts.loadMore}
          error={contacts.error}
        />
      )}
    </section>
  );
}
