/** Every area of the API the console uses, on one client. A new area (inbox, templates, profile,
 * contacts) adds its module beside channels.ts and one line here. */

import { channelsApi } from "./channels";
import type { ApiClient } from "./client";
import { contactsApi } from "./contacts";
import { inboxApi } from "./inbox";
import { profileApi } from "./profile";
import { templatesApi } from "./templates";

export function createApi(client: ApiClient) {
  return {
    client,
    channels: channelsApi(client),
    templates: templatesApi(client),
    profile: profileApi(client),
    inbox: inboxApi(client),
    contacts: contactsApi(client),
  };
}

export type Api = ReturnType<typeof createApi>;
export { ApiClient } from "./client";
export { ApiError, describeError, formErrors, NO_FORM_ERRORS } from "./errors";
export type { FormErrors } from "./errors";
