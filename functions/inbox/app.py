"""The inbox: contacts, conversations with their customer-service window, a contact's messages."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from wachannel.api.inbox import ContactOut, ContactPage, ConversationPage, UpdateContactRequest
from wachannel.api.media import MediaLink
from wachannel.api.message_out import MessagePage
from wachannel.api.paging import PageCursor, PageLimit
from wachannel.config import MediaApiSettings, load_settings
from wachannel.http import (
    PAGE_LIMIT_DEFAULT,
    Caller,
    CursorCodec,
    caller_of,
    create_resolver,
    documented,
)
from wachannel.observability import HTTP_CORRELATION_PATH, logger, metrics
from wachannel.services.inbox_factory import inbox_service, media_service

settings = load_settings(MediaApiSettings)
cursors = CursorCodec(settings.cursor_signing_key.get_secret_value().encode())
app = create_resolver()

ChannelFilter = Annotated[str | None, Query(max_length=64)]


def _caller() -> Caller:
    return caller_of(app.current_event)


@app.get("/contacts", responses=documented(200, ContactPage), tags=["Inbox"])
def list_contacts(
    query: Annotated[
        str | None, Query(max_length=100, description="Beginning of a name word or of the number")
    ] = None,
    channel_id: ChannelFilter = None,
    limit: PageLimit = PAGE_LIMIT_DEFAULT,
    cursor: PageCursor = None,
) -> ContactPage:
    caller = _caller()
    scope = f"contacts:{caller.workspace_id}:{channel_id or ''}:{query or ''}"
    contacts, position = inbox_service().contacts(
        caller, query, channel_id, limit, cursors.decode(scope, cursor)
    )
    return ContactPage(items=contacts, next_cursor=cursors.encode(scope, position))


@app.get("/contacts/<contact_id>", responses=documented(200, ContactOut), tags=["Inbox"])
def get_contact(contact_id: str) -> ContactOut:
    return inbox_service().contact(_caller(), contact_id)


@app.patch("/contacts/<contact_id>", responses=documented(200, ContactOut), tags=["Inbox"])
def update_contact(contact_id: str, request: UpdateContactRequest) -> ContactOut:
    changes = request.model_dump(include=request.model_fields_set)
    return inbox_service().update_contact(_caller(), contact_id, changes)


@app.get("/conversations", responses=documented(200, ConversationPage), tags=["Inbox"])
def list_conversations(
    channel_id: ChannelFilter = None, limit: PageLimit = PAGE_LIMIT_DEFAULT, cursor: PageCursor = None
) -> ConversationPage:
    caller = _caller()
    scope = f"conversations:{caller.workspace_id}:{channel_id or ''}"
    items, position = inbox_service().conversations(caller, channel_id, limit, cursors.decode(scope, cursor))
    return ConversationPage(items=items, next_cursor=cursors.encode(scope, position))


@app.get("/contacts/<contact_id>/messages", responses=documented(200, MessagePage), tags=["Inbox"])
def list_messages(
    contact_id: str,
    channel_id: ChannelFilter = None,
    limit: PageLimit = PAGE_LIMIT_DEFAULT,
    cursor: PageCursor = None,
) -> MessagePage:
    caller = _caller()
    scope = f"messages:{caller.workspace_id}:{contact_id}:{channel_id or ''}"
    items, position = inbox_service().messages(
        caller, contact_id, channel_id, limit, cursors.decode(scope, cursor)
    )
    return MessagePage(items=items, next_cursor=cursors.encode(scope, position))


@app.get(
    "/messages/<message_id>/media",
    responses=documented(200, MediaLink, 409, 502),
    tags=["Media"],
)
def get_media(message_id: str) -> MediaLink:
    signed = media_service().signed_media(_caller().workspace_id, message_id)
    return MediaLink(
        url=signed.url,
        mime_type=signed.mime_type,
        file_size=signed.file_size,
        filename=signed.filename,
        expires_at=signed.expires_at,
    )


@logger.inject_lambda_context(correlation_id_path=HTTP_CORRELATION_PATH)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
