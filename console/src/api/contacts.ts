/** Contacts (api.md, "Contacts, conversations, messages"): search, read, edit. */

import type { ApiClient, Page, Schemas } from "./client";

export type Contact = Schemas["ContactOut"];
export type ContactChanges = Schemas["UpdateContactRequest"];

/** The contract's limits on attributes (UpdateContactRequest). */
export const ATTRIBUTE_LIMITS = { count: 50, nameLength: 64, valueLength: 1024 } as const;

export function contactsApi(client: ApiClient) {
  return {
    search: (query: string, cursor: string | null = null, signal?: AbortSignal): Promise<Page<Contact>> =>
      client.request("get", "/contacts", {
        query: { query: query.trim() || null, cursor, limit: 25 },
        signal,
      }),
    get: (contactId: string, signal?: AbortSignal) =>
      client.request("get", "/contacts/{contact_id}", { path: { contact_id: contactId }, signal }),
    update: (contactId: string, body: ContactChanges) =>
      client.request("patch", "/contacts/{contact_id}", { path: { contact_id: contactId }, body }),
  };
}

/** How a person is called: the names an agent gave, else the WhatsApp profile name, else the number. */
export function contactName(contact: Contact): string {
  const given = [contact.first_name, contact.last_name].filter((name) => name && name.trim()).join(" ");
  return given || contact.profile_name || contact.phone_number || contact.whatsapp_id || contact.id;
}
