"""The Messaging API client for one channel (one number, one API key), either API generation."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from pydantic import ValidationError

from wachannel.dialog360.errors import ProviderRequestFailed
from wachannel.dialog360.models import (
    AccountHealth,
    ApiGeneration,
    HealthEntity,
    HealthIssue,
    MediaInfo,
    ProviderTemplate,
    SendAbility,
    SendReceipt,
    SubmittedTemplate,
    TemplateListing,
    UploadedHandle,
    UploadedMedia,
    UploadSession,
    WebhookConfig,
)
from wachannel.dialog360.payloads import (
    CloudHealthStatusBody,
    OnPremiseHealthBody,
    SendAnswerBody,
    TemplateListBody,
    WebhookConfigBody,
)
from wachannel.dialog360.profile_payloads import (
    OnPremisePhotoBody,
    cloud_profile_from,
    cloud_profile_update,
    on_premise_about_update,
    on_premise_business_update,
    on_premise_profile_from,
)
from wachannel.dialog360.retry import RetryPolicy
from wachannel.dialog360.transport import Dialog360HttpClient
from wachannel.domain.profile import BusinessProfile, ProfileChanges
from wachannel.streams import ChunkStream

CLOUD_HEALTH_PATH = "/health_status"
ON_PREMISE_HEALTH_PATH = "/v1/health"
WEBHOOK_PATH = "/v1/configs/webhook"
TEMPLATES_PATH = "/v1/configs/templates"
CLOUD_PROFILE_PATH = "/whatsapp_business_profile"
CLOUD_PROFILE_FIELDS = "about,address,description,email,profile_picture_url,websites,vertical"
ON_PREMISE_BUSINESS_PROFILE_PATH = "/v1/settings/business/profile"
ON_PREMISE_ABOUT_PATH = "/v1/settings/profile/about"
ON_PREMISE_PHOTO_PATH = "/v1/settings/profile/photo"
ON_PREMISE_MEDIA_PATH = "/v1/media"
CLOUD_MEDIA_PATH = "/media"
CLOUD_UPLOADS_PATH = "/uploads"
TEMPLATE_PAGE_SIZE = 1000
# 250 names per account, each in a few languages: far below this; it only stops a runaway loop.
_MOST_TEMPLATE_PAGES = 100
_GATEWAY_CONNECTED = "connected"


class Dialog360Client(Dialog360HttpClient):
    """Cheap to build per channel: pass the container's shared `httpx.Client` (see `build_http_client`).

    Without one it builds its own; then use it as a context manager or call `close()`.
    """

    def __init__(
        self,
        api_key: str,
        api_generation: ApiGeneration,
        base_url: str,
        *,
        http: httpx.Client | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            base_url=base_url,
            auth_header="D360-API-KEY",
            secret=api_key,
            http=http,
            retry=retry,
            sleep=sleep,
            monotonic=monotonic,
        )
        self.api_generation: ApiGeneration = api_generation

    def __repr__(self) -> str:
        return f"Dialog360Client(base_url={self.base_url!r}, api_generation={self.api_generation!r})"

    def check_api_key(self) -> None:
        """Return if 360dialog accepts the key; raise ApiKeyRejected if it refuses it."""
        if self.api_generation == "cloud":
            self._request("GET", CLOUD_HEALTH_PATH, idempotent=True)
        else:
            # On-Premise has no cheaper authenticated read; "no webhook yet" (404) still proves the key.
            self.get_webhook()

    def get_account_health(self) -> AccountHealth:
        if self.api_generation == "cloud":
            response = self._request("GET", CLOUD_HEALTH_PATH, idempotent=True)
            cloud = self._parse(response, CloudHealthStatusBody).health_status
            return AccountHealth(
                can_send_message=cloud.can_send_message, entities=cloud.entities, raw=response.json()
            )
        response = self._request("GET", ON_PREMISE_HEALTH_PATH, idempotent=True)
        gateways = self._parse(response, OnPremiseHealthBody).gateway_statuses()
        entities = [_gateway_entity(node, status) for node, status in gateways.items()]
        overall: SendAbility | None = None
        if entities:
            connected = all(status == _GATEWAY_CONNECTED for status in gateways.values())
            overall = "AVAILABLE" if connected else "BLOCKED"
        return AccountHealth(can_send_message=overall, entities=entities, raw=response.json())

    def get_webhook(self) -> WebhookConfig | None:
        """The number's webhook, or None when none is set (404 or an empty url)."""
        try:
            response = self._request("GET", WEBHOOK_PATH, idempotent=True)
        except ProviderRequestFailed as error:
            if error.provider_status == 404:
                return None
            raise
        stored = self._parse(response, WebhookConfigBody)
        if not stored.url:
            return None
        return WebhookConfig(url=stored.url, headers=stored.headers or {})

    def set_webhook(self, url: str, headers: dict[str, str]) -> WebhookConfig:
        """Register (or overwrite) the webhook; 360dialog adds `headers` to every delivery."""
        response = self._request("POST", WEBHOOK_PATH, json={"url": url, "headers": headers}, idempotent=True)
        try:
            echoed = WebhookConfigBody.model_validate_json(response.content)
        except ValidationError:
            echoed = WebhookConfigBody()
        # The echo is unconfirmed on Cloud (reference 2.1): what was sent stands in for a missing one.
        if not echoed.url:
            return WebhookConfig(url=url, headers=headers)
        return WebhookConfig(url=echoed.url, headers=headers if echoed.headers is None else echoed.headers)

    def clear_webhook(self) -> None:
        self._request("POST", WEBHOOK_PATH, json={"url": ""}, idempotent=True)

    def list_templates(self, page_size: int = TEMPLATE_PAGE_SIZE) -> TemplateListing:
        """Every template of the number, page by page until `total` is reached (or, without a
        total, until a page comes back short)."""
        templates: list[ProviderTemplate] = []
        unreadable = offset = requests = 0
        while requests < _MOST_TEMPLATE_PAGES:
            response = self._request(
                "GET",
                TEMPLATES_PATH,
                params={"limit": str(page_size), "offset": str(offset), "sort": "id"},
                idempotent=True,
            )
            requests += 1
            page = self._parse(response, TemplateListBody)
            for entry in page.waba_templates:
                try:
                    templates.append(ProviderTemplate.model_validate(entry))
                except ValidationError:
                    unreadable += 1
            offset += len(page.waba_templates)
            if not page.waba_templates:
                break
            if page.total is None and len(page.waba_templates) < page_size:
                break
            if page.total is not None and offset >= page.total:
                break
        return TemplateListing(templates=templates, unreadable=unreadable, requests=requests)

    def submit_template(self, template: dict[str, Any]) -> SubmittedTemplate:
        # Not idempotent: a repeat after a lost answer would meet "already exists".
        response = self._request("POST", TEMPLATES_PATH, json=template, idempotent=False)
        try:
            return SubmittedTemplate.model_validate_json(response.content)
        except ValidationError:
            return SubmittedTemplate()

    def delete_template(self, name: str) -> bool:
        """Deletes the name in every language; False when 360dialog has no template of that name."""
        try:
            self._request("DELETE", f"{TEMPLATES_PATH}/{quote(name, safe='')}", idempotent=True)
        except ProviderRequestFailed as error:
            if error.provider_status == 404:
                return False
            raise
        return True

    def send_message(self, path: str, body: dict[str, Any]) -> SendReceipt:
        """Sends once: 360dialog has no idempotency key, so only failures that surely sent nothing
        (429, 503, a connection never made) are repeated; a timeout after sending is not."""
        response = self._request("POST", path, json=body, idempotent=False)
        answer = self._parse(response, SendAnswerBody)
        sent = answer.messages[0]
        wa_id = answer.contacts[0].wa_id if answer.contacts else None
        return SendReceipt(wamid=sent.id, wa_id=wa_id, message_status=sent.message_status)

    def mark_read(self, method: str, path: str, body: dict[str, Any] | None) -> None:
        """Blue ticks on an inbound message; marking twice is harmless, so it may be repeated."""
        self._request(method, path, json=body, idempotent=True)

    def get_profile(self) -> BusinessProfile:
        if self.api_generation == "cloud":
            response = self._request(
                "GET", CLOUD_PROFILE_PATH, params={"fields": CLOUD_PROFILE_FIELDS}, idempotent=True
            )
            return self._parse_with(response, cloud_profile_from)
        business = self._request("GET", ON_PREMISE_BUSINESS_PROFILE_PATH, idempotent=True)
        about = self._request("GET", ON_PREMISE_ABOUT_PATH, idempotent=True)
        photo_link = self._on_premise_photo_link()
        return self._parse_with(
            business, lambda body: on_premise_profile_from(body, about.json(), photo_link)
        )

    def update_profile(self, changes: ProfileChanges) -> None:
        """Writes only the fields `changes` names; writing the same value twice is harmless."""
        if self.api_generation == "cloud":
            self._request("POST", CLOUD_PROFILE_PATH, json=cloud_profile_update(changes), idempotent=True)
            return
        business = on_premise_business_update(changes)
        if business is not None:
            self._request("POST", ON_PREMISE_BUSINESS_PROFILE_PATH, json=business, idempotent=True)
        about = on_premise_about_update(changes)
        if about is not None:
            self._request("PATCH", ON_PREMISE_ABOUT_PATH, json=about, idempotent=True)

    def _on_premise_photo_link(self) -> str | None:
        try:
            response = self._request("GET", ON_PREMISE_PHOTO_PATH, params={"format": "link"}, idempotent=True)
        except ProviderRequestFailed as error:
            if error.provider_status == 404:
                return None
            raise
        return self._parse(response, OnPremisePhotoBody).link

    @contextmanager
    def download_media(self, media_id: str) -> Iterator[MediaDownload]:
        """The file's bytes as a stream, with what 360dialog says it is. Cloud: the media's info,
        then at once its download URL with Meta's host replaced by 360dialog's (the link expires
        within minutes and only 360dialog's host takes our key); On-Premise: the bytes directly."""
        quoted = quote(media_id, safe="")
        if self.api_generation == "cloud":
            info = self._parse(self._request("GET", f"/{quoted}", idempotent=True), MediaInfo)
            at_360dialog = urlsplit(info.url)._replace(scheme="", netloc="").geturl()
            with self._stream(at_360dialog) as response:
                yield MediaDownload(
                    response=response,
                    mime_type=info.mime_type or response.headers.get("content-type"),
                    sha256=info.sha256,
                    file_size=info.file_size,
                )
            return
        with self._stream(f"{ON_PREMISE_MEDIA_PATH}/{quoted}") as response:
            length = response.headers.get("content-length")
            yield MediaDownload(
                response=response,
                mime_type=response.headers.get("content-type"),
                sha256=None,
                file_size=int(length) if length and length.isdigit() else None,
            )

    def upload_media(self, chunks: Iterable[bytes], *, mime_type: str, filename: str, size: int) -> str:
        """The file at 360dialog, for sending by id: Cloud as multipart form, On-Premise raw."""
        if self.api_generation == "cloud":
            response = self._send_file(
                CLOUD_MEDIA_PATH,
                data={"messaging_product": "whatsapp", "type": mime_type},
                files={"file": (filename, ChunkStream(chunks), mime_type)},
            )
        else:
            response = self._send_file(
                ON_PREMISE_MEDIA_PATH,
                content=chunks,
                headers={"Content-Type": mime_type, "Content-Length": str(size)},
            )
        media_id = self._parse(response, UploadedMedia).media_id
        if media_id is None:
            raise self._unreadable(response, None)
        return media_id

    def set_profile_photo(self, content: bytes, mime_type: str) -> None:
        """Cloud: a resumable upload session, the bytes, then the handle on the profile; On-Premise:
        the bytes to the photo endpoint."""
        if self.api_generation == "on_premise":
            self._send_file(ON_PREMISE_PHOTO_PATH, content=content, headers={"Content-Type": mime_type})
            return
        session = self._parse(
            self._send_file(
                CLOUD_UPLOADS_PATH, params={"file_length": str(len(content)), "file_type": mime_type}
            ),
            UploadSession,
        )
        handle = self._parse(
            self._send_file(f"/{session.id}", content=content, headers={"file_offset": "0"}),
            UploadedHandle,
        )
        self._request(
            "POST",
            CLOUD_PROFILE_PATH,
            json={"messaging_product": "whatsapp", "profile_picture_handle": handle.h},
            idempotent=True,
        )


@dataclass
class MediaDownload:
    response: httpx.Response
    mime_type: str | None
    sha256: str | None
    file_size: int | None


def _gateway_entity(node: str, gateway_status: str) -> HealthEntity:
    if gateway_status == _GATEWAY_CONNECTED:
        return HealthEntity(entity_type="GATEWAY", id=node, can_send_message="AVAILABLE")
    return HealthEntity(
        entity_type="GATEWAY",
        id=node,
        can_send_message="BLOCKED",
        errors=[HealthIssue(code=None, description=f"The WhatsApp gateway is {gateway_status}.")],
    )
