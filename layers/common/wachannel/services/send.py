"""Sending: to a contact or a number, inside WhatsApp's customer-service window (templates any time),
templates checked against the synced copy and filled from the contact, every send stored with its
outcome. One path for every sender: an agent, an API client, the greeting."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeGuard

from aws_lambda_powertools.metrics import MetricUnit

from wachannel.clock import Clock
from wachannel.dialog360 import (
    Dialog360Error,
    ProviderRequestFailed,
    ProviderUnavailable,
)
from wachannel.domain.channels import Channel
from wachannel.domain.contacts import Contact, search_tokens
from wachannel.domain.conversations import window_expires_at, window_open
from wachannel.domain.ids import new_id
from wachannel.domain.messages import message_id, parse_message_id
from wachannel.domain.outbound import (
    FreeFormContent,
    Location,
    MediaContent,
    OutboundContent,
    ReactionContent,
    TemplateContent,
    TextContent,
    outbound_message,
)
from wachannel.domain.outbound_payloads import (
    message_body,
    read_receipt,
    send_path,
    summary_text,
    template_body,
    template_summary_text,
    template_value_problems,
)
from wachannel.domain.phone import canonical_whatsapp_number, identity_key, to_e164, whatsapp_digits
from wachannel.domain.template_rendering import value_count_problems
from wachannel.domain.template_settings import with_defaults
from wachannel.domain.templates import APPROVED, DELETED, StoredTemplate, Template, TemplateKey
from wachannel.domain.variables import VariableContext, resolve_values
from wachannel.errors import (
    DomainError,
    NotFound,
    OutsideCustomerServiceWindow,
    TemplateNotApproved,
    TemplateNotEnabled,
    TemplateNotFound,
    ValidationFailed,
)
from wachannel.idempotency import OnceOnly
from wachannel.observability import logger, metrics
from wachannel.services.channel_access import ChannelAccess, require_active, require_channel
from wachannel.services.uploads import NewUpload, Uploads
from wachannel.store.channels import iso
from wachannel.store.contacts import ContactRepository
from wachannel.store.outbound import OutboundRepository, SendFacts
from wachannel.store.templates import TemplateRepository

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from wachannel.services.templates import TemplateService
    from wachannel.store.inbound import InboundRepository

# Meta's codes for "the template you named is not what it was" (reference 3.2): resync.
_STALE_TEMPLATE_CODES = frozenset({132001, 132015, 132016, 2001})
_CONTACT_ID_PREFIX = "ct_"
SUMMARY_TEXT_LENGTH = 200


@dataclass(frozen=True)
class Recipient:
    contact: Contact
    wa_id: str


@dataclass(frozen=True)
class SendOutcome:
    """The stored message, and the error to answer with when 360dialog did not take it."""

    message: dict[str, Any]
    error: DomainError | None = None


class SendService:
    def __init__(
        self,
        *,
        access: ChannelAccess,
        outbound: OutboundRepository,
        contacts: ContactRepository,
        identities: Callable[[], InboundRepository],
        templates: TemplateRepository,
        template_service: Callable[[], TemplateService],
        uploads: Uploads,
        once_only: OnceOnly,
        clock: Clock,
    ) -> None:
        self._access = access
        self._outbound = outbound
        self._contacts = contacts
        self._identities = identities
        self._templates = templates
        self._template_service = template_service
        self._uploads = uploads
        self._once_only = once_only
        self._clock = clock

    # ------------------------------------------------------------------ send
    def send(
        self,
        workspace_id: str,
        channel_id: str,
        to: str,
        content: OutboundContent,
        *,
        idempotency_key: str | None = None,
        invocation: LambdaContext | None = None,
    ) -> dict[str, Any]:
        """The stored message; a failure is stored too, then raised in the contract's terms. With a key,
        a repeat returns the first answer and sends nothing (a timeout counts as maybe sent)."""
        if idempotency_key is None:
            outcome = self._send(workspace_id, channel_id, to, content)
        else:
            payload = {"channel_id": channel_id, "to": to, "content": content.model_dump(mode="json")}
            recorded = self._once_only.run(
                "send",
                f"{workspace_id}:{idempotency_key}",
                payload,
                lambda: self._recordable(self._send(workspace_id, channel_id, to, content)),
                invocation,
            )
            outcome = _replayed(recorded)
        if outcome.error is not None:
            raise outcome.error
        return outcome.message

    def send_greeting(
        self,
        workspace_id: str,
        channel_id: str,
        contact_id: str,
        job_key: str,
        invocation: LambdaContext | None = None,
    ) -> str:
        """The channel's greeting to a new contact, once per job key however often the job arrives.
        Returns what happened, for the log."""
        channel = self._access.repository.get(workspace_id, channel_id)
        if channel is None or channel.status != "active" or not channel.greeting_message:
            return "skipped: the channel is gone, disconnected or has no greeting"
        greeting = OutboundContent(type="text", text=channel.greeting_message)
        recorded = self._once_only.run(
            "greeting",
            f"{workspace_id}:{job_key}",
            {"contact_id": contact_id},
            lambda: self._recordable(self._send(workspace_id, channel_id, contact_id, greeting)),
            invocation,
        )
        outcome = _replayed(recorded)
        if outcome.error is not None and not _maybe_sent(outcome.error):
            raise outcome.error
        return "sent"

    def mark_read(self, workspace_id: str, message_id: str) -> None:
        parsed = parse_message_id(message_id)
        if parsed is None:
            raise NotFound("No such message in this workspace.")
        channel_id, wamid = parsed
        channel = self._access.active_channel(workspace_id, channel_id)
        message = self._outbound.inbound_message(workspace_id, channel_id, wamid)
        if message is None or message.get("direction") != "inbound":
            raise NotFound("No such message from a customer in this workspace.")
        call = read_receipt(channel.api_generation, wamid)
        self._access.client(channel).mark_read(call.method, call.path, call.body)

    # ------------------------------------------------------------------ the path
    def _send(self, workspace_id: str, channel_id: str, to: str, content: OutboundContent) -> SendOutcome:
        checked = outbound_message(content, channel_id=channel_id)
        now = self._clock.now()
        is_template = isinstance(checked.content, TemplateContent)
        phone_number = None if to.startswith(_CONTACT_ID_PREFIX) else to_e164(to, field="to")
        facts = self._outbound.read_for_send(
            workspace_id,
            channel_id,
            contact_id=None if phone_number else to,
            identity=f"P#{identity_key(phone_number)}" if phone_number else None,
        )
        channel = require_active(require_channel(facts.channel))
        recipient = self._recipient(channel, facts, phone_number, create=is_template, now=now)
        stored_content: dict[str, Any] = {"type": content.type, "to_wa_id": recipient.wa_id}
        if isinstance(checked.content, TemplateContent):
            body, stored_content["template"], stored_content["text"] = self._template_message(
                channel, recipient, checked.content, checked.reply_to_wamid
            )
        else:
            _check_window(facts.last_inbound_at, now)
            free_form, stored_copy = self._with_uploaded_media(channel, checked.content)
            body = message_body(
                channel.api_generation,
                recipient.wa_id,
                free_form,
                reply_to_wamid=checked.reply_to_wamid,
            )
            stored_content.update(_stored_parts(free_form))
            if stored_copy is not None:
                stored_content["media"] = stored_copy | stored_content["media"]
            stored_content["text"] = summary_text(free_form)
        if checked.reply_to_wamid is not None:
            stored_content["context"] = {"message_id": checked.reply_to_wamid}
        try:
            receipt = self._access.client(channel).send_message(send_path(channel.api_generation), body)
        except Dialog360Error as error:
            return self._failed(channel, recipient, stored_content, error, content)
        contact_id = recipient.contact.id
        stored = _writers().submit(
            self._outbound.store_sent,
            workspace_id,
            channel_id,
            wamid=receipt.wamid,
            contact_id=contact_id,
            content=stored_content,
            now=now,
        )
        summary = {
            "id": message_id(channel_id, receipt.wamid),
            "direction": "outbound",
            "type": content.type,
            "text": (stored_content.get("text") or "")[:SUMMARY_TEXT_LENGTH] or None,
            "timestamp": iso(now),
        }
        # The two writes touch different items and do not depend on each other: one round trip.
        self._outbound.touch_conversation(workspace_id, channel_id, contact_id, summary=summary, at=now)
        message = stored.result()
        _count(content.type, "accepted")
        logger.info("Message sent", extra={"channel_id": channel.id, "message_type": content.type})
        return SendOutcome(message)

    def _failed(
        self,
        channel: Channel,
        recipient: Recipient,
        stored_content: dict[str, Any],
        error: Dialog360Error,
        content: OutboundContent,
    ) -> SendOutcome:
        code = error.provider_code
        message = self._outbound.store_unsent(
            channel.workspace_id,
            channel.id,
            local_id=new_id("out", self._clock.now()),
            contact_id=recipient.contact.id,
            content=stored_content,
            error={"code": str(code if code is not None else error.code), "message": error.provider_message},
            now=self._clock.now(),
        )
        outcome = "maybe_sent" if _maybe_sent(error) else "failed"
        _count(content.type, outcome)
        metrics.add_metric(
            name=f"ProviderErrors.{code if code is not None else error.code}", unit=MetricUnit.Count, value=1
        )
        logger.warning(
            "Send failed",
            extra={
                "channel_id": channel.id,
                "message_type": content.type,
                "provider_status": error.provider_status,
                "provider_code": code,
            },
        )
        if isinstance(error, ProviderRequestFailed) and _as_int(code) in _STALE_TEMPLATE_CODES:
            self._resync_templates(channel)
            if isinstance(content.template, TemplateContent):
                # Say what the fresh copy knows: gone (with the languages left) or no longer approved.
                key = TemplateKey(content.template.name, content.template.language)
                try:
                    self._approved(self._template_service().stored(channel.workspace_id, channel.id, key))
                except (TemplateNotFound, TemplateNotApproved) as stale:
                    return SendOutcome(message, stale)
        return SendOutcome(message, error)

    # ------------------------------------------------------------------ recipient and window
    def _recipient(
        self, channel: Channel, facts: SendFacts, phone_number: str | None, *, create: bool, now: datetime
    ) -> Recipient:
        if facts.contact is not None:
            return Recipient(facts.contact, _wa_id_of(facts.contact))
        if phone_number is None:
            raise NotFound("No such contact in this workspace.")
        if not create:
            raise OutsideCustomerServiceWindow(
                f"{phone_number} has never written to this channel, so only a template may be sent.",
                details={"last_inbound_at": None, "window_expired_at": None},
            )
        identity = f"P#{identity_key(phone_number)}"
        return Recipient(
            self._new_contact(channel, phone_number, identity, now), whatsapp_digits(phone_number)
        )

    def _new_contact(self, channel: Channel, phone_number: str, identity: str, now: datetime) -> Contact:
        """A template to a number nobody wrote from yet: the contact it will belong to, found or made
        with the same identity rules as inbound, so the reply lands on it."""
        workspace_id = channel.workspace_id
        digits = whatsapp_digits(phone_number)
        resolution = self._identities().resolve_contact(
            workspace_id,
            identity=identity,
            channel_id=channel.id,
            new_contact_id=new_id("ct", now),
            wa_id=digits,
            profile_name=None,
            now=now,
        )
        if resolution.created:
            canonical = canonical_whatsapp_number(digits)
            self._identities().put_contact(
                workspace_id,
                {
                    "id": resolution.contact_id,
                    "phone_number": canonical,
                    "whatsapp_id": digits,
                    "attributes": {},
                    "channels": {channel.id},
                    "created_at": iso(now),
                    "updated_at": iso(now),
                },
            )
            self._identities().index_contact(
                workspace_id,
                resolution.contact_id,
                remove=set(),
                add=search_tokens(canonical, None, None, None, None),
            )
        contact = self._contacts.get(workspace_id, resolution.contact_id)
        if contact is None:
            raise NotFound("The contact for this number could not be read back; try again.")
        return contact

    def create_upload(
        self, workspace_id: str, channel_id: str, *, filename: str, mime_type: str, file_size: int
    ) -> NewUpload:
        channel = self._access.active_channel(workspace_id, channel_id)
        return self._uploads.create(channel, filename=filename, mime_type=mime_type, file_size=file_size)

    def _with_uploaded_media(
        self, channel: Channel, content: FreeFormContent
    ) -> tuple[FreeFormContent, dict[str, Any] | None]:
        """A file the agent uploaded goes to 360dialog first (once per upload) and is sent by id; the
        message keeps the bucket's copy of it."""
        if not isinstance(content, MediaContent) or content.media.upload_id is None:
            return content, None
        sent_file = self._uploads.for_sending(
            channel,
            self._access.client(channel),
            content.media.upload_id,
            kind=content.type,
            field="media.upload_id",
        )
        media = content.media.model_copy(update={"id": sent_file.provider_media_id, "upload_id": None})
        return content.model_copy(update={"media": media}), sent_file.stored_copy

    # ------------------------------------------------------------------ templates
    def _template_message(
        self, channel: Channel, recipient: Recipient, content: TemplateContent, reply_to_wamid: str | None
    ) -> tuple[dict[str, Any], dict[str, Any], str | None]:
        key = TemplateKey(content.name, content.language)
        stored = self._known_template(channel, key)
        template = self._approved(stored)
        if not stored.settings.enabled:
            raise TemplateNotEnabled(
                f"The template {key.name!r} in {key.language!r} is approved but this workspace has not "
                "enabled it for sending; enable it with "
                f"PATCH /channels/{channel.id}/templates/{key.name}/{key.language}.",
                details={"name": key.name, "language": key.language},
            )
        values = with_defaults(content.parameters, stored.settings.parameter_defaults)
        problems = [
            {**problem, "field": f"template.{problem['field']}"}
            for problem in value_count_problems(template.components, values)
        ]
        if problems:
            raise ValidationFailed(problems, message="The parameters do not fit the template.")
        context = VariableContext(
            contact=recipient.contact, channel_name=channel.name, channel_phone_number=channel.phone_number
        )
        try:
            resolved = resolve_values(values, context)
        except ValidationFailed as unresolved:
            raise ValidationFailed(
                [{**p, "field": f"template.{p['field']}"} for p in unresolved.details],
                message=unresolved.message,
            ) from None
        problems = template_value_problems(template.components, resolved)
        if problems:
            raise ValidationFailed(problems, message="The parameters do not fit the template.")
        body = template_body(
            channel.api_generation,
            recipient.wa_id,
            name=key.name,
            language=key.language,
            components=template.components,
            values=resolved,
            namespace=template.namespace,
            reply_to_wamid=reply_to_wamid,
        )
        stored_template = {
            "name": key.name,
            "language": key.language,
            "parameters": resolved.model_dump(mode="json"),
        }
        return body, stored_template, template_summary_text(template.components, resolved)

    @staticmethod
    def _approved(stored: StoredTemplate) -> Template:
        template = stored.template
        if template.status != APPROVED:
            raise TemplateNotApproved(
                f"The template {template.name!r} in {template.language!r} is {template.status}, "
                "not approved, so it cannot be sent.",
                details={"status": template.status, "rejected_reason": template.rejected_reason},
            )
        return template

    def _known_template(self, channel: Channel, key: TemplateKey) -> StoredTemplate:
        """The synced copy; a template not known here gets one sync first, so one made in 360dialog's
        hub a minute ago is found."""
        stored = self._templates.get(channel.workspace_id, channel.id, key)
        if stored is None or stored.template.status == DELETED:
            self._template_service().sync(channel.workspace_id, channel.id)
        return self._template_service().stored(channel.workspace_id, channel.id, key)

    def _resync_templates(self, channel: Channel) -> None:
        try:
            self._template_service().sync_channel(channel)
        except Dialog360Error as error:
            logger.warning(
                "Template resync after a stale-template error failed", extra={"reason": error.message}
            )

    # ------------------------------------------------------------------ idempotent replay
    @staticmethod
    def _recordable(outcome: SendOutcome) -> dict[str, Any]:
        """What the idempotency record keeps. A request left without an answer may have sent the
        message, so its answer is kept and replayed; any other failure (a refusal, a connection never
        made) sent nothing and raises, which frees the key to retry."""
        error = outcome.error
        if error is None:
            return {"message": outcome.message}
        if _maybe_sent(error):
            return {
                "message": outcome.message,
                "timeout": {"message": error.message, "provider_message": error.provider_message},
            }
        raise error


def _replayed(recorded: dict[str, Any]) -> SendOutcome:
    timeout = recorded.get("timeout")
    if timeout is None:
        return SendOutcome(recorded["message"])
    return SendOutcome(
        recorded["message"],
        ProviderUnavailable(
            timeout["message"], provider_message=timeout["provider_message"], may_have_acted=True
        ),
    )


def _maybe_sent(error: DomainError) -> TypeGuard[ProviderUnavailable]:
    """No answer after the request left: the message may be with the customer. A refusal, or a
    connection never made, sent nothing."""
    return isinstance(error, ProviderUnavailable) and error.may_have_acted


def _check_window(last_inbound_at: datetime | None, now: datetime) -> None:
    if window_open(last_inbound_at, now):
        return
    expired = window_expires_at(last_inbound_at)
    raise OutsideCustomerServiceWindow(
        "More than 24 hours have passed since this contact last wrote on this channel"
        if last_inbound_at
        else "This contact has never written on this channel",
        details={
            "last_inbound_at": last_inbound_at.strftime("%Y-%m-%dT%H:%M:%SZ") if last_inbound_at else None,
            "window_expired_at": expired.strftime("%Y-%m-%dT%H:%M:%SZ") if expired else None,
        },
    )


@cache
def _writers() -> ThreadPoolExecutor:
    """Per container: the send's two writes go out side by side."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="send-writes")


def _stored_parts(content: FreeFormContent) -> dict[str, Any]:
    """The message's content as the inbox shows it (the same fields inbound messages use)."""
    if isinstance(content, TextContent):
        return {}
    if isinstance(content, MediaContent):
        return {"media": content.media.model_dump(exclude_none=True)}
    if isinstance(content, Location):
        return {"location": content.model_dump(exclude_none=True)}
    if isinstance(content, ReactionContent):
        return {"reaction": {"message_id": content.message_wamid, "emoji": content.emoji}}
    return {"interactive": content.model_dump(exclude_none=True)}


def _wa_id_of(contact: Contact) -> str:
    """WhatsApp's own id for the person, as it last wrote it; else the number's digits."""
    if contact.whatsapp_id:
        return contact.whatsapp_id
    if contact.phone_number:
        return whatsapp_digits(contact.phone_number)
    raise ValidationFailed.single("to", "This contact has no phone number WhatsApp can deliver to.")


def _count(message_type: str, outcome: str) -> None:
    metrics.add_metric(name=f"Sends.{message_type}.{outcome}", unit=MetricUnit.Count, value=1)


def _as_int(code: int | str | None) -> int | None:
    try:
        return int(code) if code is not None else None
    except ValueError:
        return None
