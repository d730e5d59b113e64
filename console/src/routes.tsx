/**
 * Every screen of the console, by path. A new screen is one entry here (and, if it is a main area, one
 * in MAIN_NAVIGATION); a channel's new tab is one entry here and one in CHANNEL_TABS.
 */

import type { RouteDefinition } from "./router";
import { AddChannel } from "./screens/channels/AddChannel";
import { ChannelAudit } from "./screens/channels/ChannelAudit";
import { ChannelHealthScreen } from "./screens/channels/ChannelHealth";
import { ChannelList } from "./screens/channels/ChannelList";
import { ChannelSettings } from "./screens/channels/ChannelSettings";
import { ContactList } from "./screens/contacts/ContactList";
import { ContactPage } from "./screens/contacts/ContactPage";
import { Home } from "./screens/Home";
import { Inbox } from "./screens/inbox/Inbox";
import { BusinessProfileScreen } from "./screens/profile/BusinessProfile";
import { SignIn } from "./screens/SignIn";
import { SignInCallback } from "./screens/SignInCallback";
import { TemplateBuilderScreen } from "./screens/templates/TemplateBuilder";
import { TemplateDetailScreen } from "./screens/templates/TemplateDetail";
import { TemplateListScreen } from "./screens/templates/TemplateList";

export const ROUTES: readonly RouteDefinition[] = [
  { path: "/", screen: Home },
  { path: "/sign-in", screen: SignIn, public: true },
  { path: "/sign-in/callback", screen: SignInCallback, public: true },
  { path: "/channels", screen: ChannelList },
  { path: "/channels/new", screen: AddChannel },
  { path: "/channels/:channelId", screen: ChannelHealthScreen },
  { path: "/channels/:channelId/settings", screen: ChannelSettings },
  { path: "/channels/:channelId/audit", screen: ChannelAudit },
  { path: "/channels/:channelId/templates", screen: TemplateListScreen },
  { path: "/channels/:channelId/templates/new", screen: TemplateBuilderScreen },
  { path: "/channels/:channelId/templates/:name/:language", screen: TemplateDetailScreen },
  { path: "/channels/:channelId/profile", screen: BusinessProfileScreen },
  { path: "/inbox", screen: Inbox },
  { path: "/inbox/:channelId/:contactId", screen: Inbox },
  { path: "/contacts", screen: ContactList },
  { path: "/contacts/:contactId", screen: ContactPage },
];

export const MAIN_NAVIGATION: readonly { href: string; label: string }[] = [
  { href: "/inbox", label: "Inbox" },
  { href: "/contacts", label: "Contacts" },
  { href: "/channels", label: "Channels" },
];

/** The tabs of a channel's page: path below /channels/{id}, and label. */
export const CHANNEL_TABS: readonly { path: string; label: string }[] = [
  { path: "", label: "Health" },
  { path: "/settings", label: "Settings" },
  { path: "/templates", label: "Templates" },
  { path: "/profile", label: "Business profile" },
  { path: "/audit", label: "Audit trail" },
];
