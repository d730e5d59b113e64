"""360dialog's endpoints as the functions call them, answered with the bodies 360dialog sends, and
the faults 360dialog or the network to it may put in their way."""

from __future__ import annotations

import email
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

import httpx
import respx

CLOUD_URL = "https://waba-v2.360dialog.io"
ON_PREMISE_URL = "https://waba.360dialog.io"
PARTNER_URL = "https://hub.360dialog.io/api/v2"
PARTNER_ID = "test01PA"
PARTNER_KEY_PARAMETER = "/wachannel/test/dialog360-partner-api-key"
PARTNER_API_KEY = "partner-key-0123456789"
KMS_ALIAS = "alias/wachannel-test-api-keys"
INVALID_KEY_BODY = {"meta": {"success": False, "http_code": 401, "developer_message": "Invalid api_key"}}


@dataclass(frozen=True)
class Endpoint:
    """The requests with this method to a path that `path` (a regular expression) is found in."""

    method: str
    path: str

    def matches(self, request: httpx.Request) -> bool:
        return request.method == self.method and re.search(self.path, request.url.path) is not None


@dataclass(frozen=True)
class ErrorAnswer:
    """360dialog answers with an error and does nothing. `{api_key}` in the body stands for the key
    the request carried, as a careless gateway echoes it."""

    id: str
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    carries_out: ClassVar[bool] = False

    def meet(self, request: httpx.Request, carry_out: Callable[[], httpx.Response]) -> httpx.Response:
        body = self.body.replace("{api_key}", _credential(request))
        content_type = "application/json" if body.startswith("{") else "text/html"
        return httpx.Response(self.status, text=body, headers={"Content-Type": content_type, **self.headers})


@dataclass(frozen=True)
class NoConnection:
    """The request never reaches 360dialog."""

    id: str
    error: type[httpx.ConnectError | httpx.ConnectTimeout]
    carries_out: ClassVar[bool] = False

    def meet(self, request: httpx.Request, carry_out: Callable[[], httpx.Response]) -> httpx.Response:
        raise self.error(f"no connection to {request.url.host}", request=request)


@dataclass(frozen=True)
class LostAnswer:
    """360dialog carries the request out, but its answer never arrives."""

    id: str
    carries_out: ClassVar[bool] = True

    def meet(self, request: httpx.Request, carry_out: Callable[[], httpx.Response]) -> httpx.Response:
        carry_out()
        raise httpx.ReadTimeout("the answer did not arrive", request=request)


@dataclass(frozen=True)
class SlowAnswer:
    """360dialog carries the request out and answers after `seconds`. respx does not enforce httpx's
    timeouts, so the double does what the network would: it waits no longer than the request's own
    read timeout, then the client gives up with ReadTimeout. A request without one waits it out."""

    id: str
    seconds: float
    carries_out: ClassVar[bool] = True

    def meet(self, request: httpx.Request, carry_out: Callable[[], httpx.Response]) -> httpx.Response:
        answer = carry_out()
        read_timeout = request.extensions.get("timeout", {}).get("read")
        if read_timeout is not None and read_timeout < self.seconds:
            time.sleep(read_timeout)
            raise httpx.ReadTimeout("the answer came too late", request=request)
        time.sleep(self.seconds)
        return answer


Fault = ErrorAnswer | NoConnection | LostAnswer | SlowAnswer


def _credential(request: httpx.Request) -> str:
    return request.headers.get("D360-API-KEY") or request.headers.get("X-API-Key") or ""


@dataclass
class NumberAt360dialog:
    """One number as 360dialog knows it: its current key and webhook registration."""

    phone_digits: str
    api_key: str
    generation: str
    webhook: dict[str, Any] | None = None
    can_send_message: str = "AVAILABLE"
    partner_channel_id: str = ""
    revoked: set[str] = field(default_factory=set)
    templates: list[dict[str, Any]] = field(default_factory=list)
    template_list_requests: int = 0
    # An outage of this number's template endpoints: every call answers this status.
    templates_unavailable: bool = False
    sent: list[dict[str, Any]] = field(default_factory=list)
    read_receipts: list[str] = field(default_factory=list)
    # What the next sends get instead of success, in order: an answer (a 429, a Meta error body), or
    # an exception raised after the message was taken (a timeout that sent anyway).
    send_failures: list[httpx.Response | Exception] = field(default_factory=list)
    # The business profile as 360dialog holds it (Cloud field names and vertical enum).
    profile: dict[str, Any] = field(
        default_factory=lambda: {"about": "Available", "vertical": "RESTAURANT", "websites": []}
    )
    profile_wrapped: bool = True  # Meta's {"data": [...]} around a Cloud profile
    profile_refusal: httpx.Response | None = None
    # Files at 360dialog by media id: (bytes, mime type); what agents uploaded lands here too.
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    media_failure: httpx.Response | None = None  # what GET /{media_id} answers instead, if set
    photo: bytes | None = None

    def add_template(
        self, name: str, language: str = "en", status: str = "APPROVED", **fields: Any
    ) -> dict[str, Any]:
        """A template in this number's generation's shape: On-Premise writes statuses in lower case."""
        template = {
            "name": name,
            "language": language,
            "category": fields.pop("category", "UTILITY"),
            "status": status.lower() if self.generation == "on_premise" else status.upper(),
            "rejected_reason": fields.pop("rejected_reason", "NONE"),
            "namespace": "a1b2c3d4_e5f6_7890_abcd_ef1234567890",
            "components": fields.pop(
                "components",
                [
                    {
                        "type": "BODY",
                        "text": "Hi {{1}}, order {{2}} is on its way.",
                        "example": {"body_text": [["Anna", "A-1234"]]},
                    }
                ],
            ),
            **fields,
        }
        if self.generation == "cloud":
            template.setdefault("id", f"tpl_{len(self.templates) + 1}")
        self.templates = [t for t in self.templates if (t["name"], t["language"]) != (name, language)] + [
            template
        ]
        return template


class Dialog360Double:
    """360dialog's endpoints for the channels function, answered with the bodies 360dialog sends."""

    def __init__(self, router: respx.MockRouter) -> None:
        self.numbers: list[NumberAt360dialog] = []
        self.router = router
        # Every request any endpoint received, faulted or not.
        self.requests: list[httpx.Request] = []
        self._faults: list[tuple[Endpoint, Fault]] = []
        for base in (CLOUD_URL, ON_PREMISE_URL):
            router.get(f"{base}/health_status").mock(side_effect=self._cloud_health)
            router.get(f"{base}/v1/health").mock(side_effect=self._on_premise_health)
            router.get(f"{base}/v1/configs/webhook").mock(side_effect=self._get_webhook)
            router.post(f"{base}/v1/configs/webhook").mock(side_effect=self._set_webhook)
            router.get(f"{base}/v1/configs/templates").mock(side_effect=self._list_templates)
            router.post(f"{base}/v1/configs/templates").mock(side_effect=self._submit_template)
            router.delete(url__regex=rf"{base}/v1/configs/templates/(?P<name>[^/?]+)").mock(
                side_effect=self._delete_template
            )
        router.post(f"{CLOUD_URL}/messages").mock(side_effect=self._cloud_send)
        router.post(f"{ON_PREMISE_URL}/v1/messages").mock(side_effect=self._on_premise_send)
        router.put(url__regex=rf"{ON_PREMISE_URL}/v1/messages/(?P<wamid>[^/?]+)").mock(
            side_effect=self._on_premise_read
        )
        router.get(f"{CLOUD_URL}/whatsapp_business_profile").mock(side_effect=self._cloud_profile)
        router.post(f"{CLOUD_URL}/whatsapp_business_profile").mock(side_effect=self._cloud_profile_update)
        router.get(f"{ON_PREMISE_URL}/v1/settings/business/profile").mock(
            side_effect=self._on_premise_business
        )
        router.post(f"{ON_PREMISE_URL}/v1/settings/business/profile").mock(
            side_effect=self._on_premise_business_update
        )
        router.get(f"{ON_PREMISE_URL}/v1/settings/profile/about").mock(side_effect=self._on_premise_about)
        router.patch(f"{ON_PREMISE_URL}/v1/settings/profile/about").mock(
            side_effect=self._on_premise_about_update
        )
        router.get(f"{ON_PREMISE_URL}/v1/settings/profile/photo").mock(
            return_value=httpx.Response(404, json={"errors": [{"code": 1006, "title": "Resource not found"}]})
        )
        router.get(url__regex=rf"{CLOUD_URL}/(?P<media_id>[0-9]+)$").mock(side_effect=self._cloud_media_info)
        router.get(url__regex=rf"{CLOUD_URL}/whatsapp_business/attachments/").mock(
            side_effect=self._cloud_media_download
        )
        router.get(url__regex=rf"{ON_PREMISE_URL}/v1/media/(?P<media_id>[^/?]+)").mock(
            side_effect=self._on_premise_media
        )
        router.post(f"{CLOUD_URL}/media").mock(side_effect=self._cloud_upload)
        router.post(f"{ON_PREMISE_URL}/v1/media").mock(side_effect=self._on_premise_upload)
        router.post(f"{CLOUD_URL}/uploads").mock(
            return_value=httpx.Response(200, json={"id": "upload:SESSION1"})
        )
        router.post(f"{CLOUD_URL}/upload:SESSION1").mock(side_effect=self._cloud_photo_bytes)
        router.post(f"{ON_PREMISE_URL}/v1/settings/profile/photo").mock(side_effect=self._on_premise_photo)
        router.get(f"{PARTNER_URL}/partners/{PARTNER_ID}/channels").mock(side_effect=self._partner_channels)
        router.post(url__regex=rf"{PARTNER_URL}/partners/{PARTNER_ID}/channels/(?P<cid>[^/]+)/api_keys").mock(
            side_effect=self._new_key
        )
        for route in router.routes:
            route.side_effect = self._faultable(route)

    @contextmanager
    def failing(self, fault: Fault, endpoint: Endpoint) -> Iterator[None]:
        """Every request to `endpoint` meets `fault` until the block ends."""
        self._faults.append((endpoint, fault))
        try:
            yield
        finally:
            self._faults.remove((endpoint, fault))

    def requests_to(self, endpoint: Endpoint) -> int:
        return sum(1 for request in self.requests if endpoint.matches(request))

    def _faultable(self, route: respx.Route) -> Callable[..., httpx.Response]:
        """The route's own answer, recorded, unless a fault stands in its way."""
        # Every route above answers with a Response, by function or as its return value.
        side_effect = cast("Callable[..., httpx.Response] | None", route.side_effect)
        return_value = route.return_value

        def answer(request: httpx.Request, **matched: str) -> httpx.Response:
            self.requests.append(request)

            def carry_out() -> httpx.Response:
                if side_effect is None:
                    assert return_value is not None
                    return return_value
                return side_effect(request, **matched)

            fault = next((fault for endpoint, fault in self._faults if endpoint.matches(request)), None)
            return carry_out() if fault is None else fault.meet(request, carry_out)

        return answer

    def add(self, phone_digits: str, api_key: str, generation: str = "cloud") -> NumberAt360dialog:
        number = NumberAt360dialog(phone_digits, api_key, generation, partner_channel_id=f"pc_{phone_digits}")
        self.numbers.append(number)
        return number

    def _number(self, request: httpx.Request) -> NumberAt360dialog | None:
        key = request.headers.get("D360-API-KEY")
        return next((n for n in self.numbers if n.api_key == key), None)

    def _cloud_health(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None or number.generation != "cloud":
            return httpx.Response(401, json=INVALID_KEY_BODY)
        state = number.can_send_message
        waba: dict[str, Any] = {"entity_type": "WABA", "id": "5678", "can_send_message": state}
        if state == "BLOCKED":
            waba["errors"] = [
                {
                    "error_code": 131031,
                    "error_description": "Business account is restricted",
                    "possible_solution": "Contact support",
                }
            ]
        entities = [{"entity_type": "PHONE_NUMBER", "id": "1234", "can_send_message": state}, waba]
        return httpx.Response(200, json={"health_status": {"can_send_message": state, "entities": entities}})

    def _on_premise_health(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None or number.generation != "on_premise":
            return httpx.Response(401, json=INVALID_KEY_BODY)
        return httpx.Response(
            200,
            json={
                "health": {"gateway_status": "connected"},
                "meta": {"api_status": "stable", "version": "2.x"},
            },
        )

    def _get_webhook(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None:
            return httpx.Response(401, json=INVALID_KEY_BODY)
        if number.webhook is None:
            return httpx.Response(404, json={"errors": [{"code": 1006, "title": "Resource not found"}]})
        return httpx.Response(200, json=number.webhook)

    def _set_webhook(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None:
            return httpx.Response(401, json=INVALID_KEY_BODY)
        body = json.loads(request.content)
        number.webhook = (
            None if body["url"] == "" else {"url": body["url"], "headers": body.get("headers", {})}
        )
        return httpx.Response(200, json=body)

    def _list_templates(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None:
            return httpx.Response(401, json=INVALID_KEY_BODY)
        number.template_list_requests += 1
        if number.templates_unavailable:
            return httpx.Response(
                503,
                json={
                    "meta": {"success": False, "http_code": 503, "developer_message": "Service unavailable"}
                },
            )
        limit = int(request.url.params.get("limit", "50"))
        offset = int(request.url.params.get("offset", "0"))
        page = number.templates[offset : offset + limit]
        return httpx.Response(
            200,
            json={
                "count": len(page),
                "total": len(number.templates),
                "limit": limit,
                "offset": offset,
                "sort": ["id"],
                "filters": {},
                "waba_templates": page,
            },
        )

    def _submit_template(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None:
            return httpx.Response(401, json=INVALID_KEY_BODY)
        body = json.loads(request.content)
        if any((t["name"], t["language"]) == (body["name"], body["language"]) for t in number.templates):
            return httpx.Response(
                400,
                json={
                    "error": {
                        "message": "Invalid parameter",
                        "type": "OAuthException",
                        "code": 100,
                        "error_subcode": 2388024,
                        "error_user_title": "Content in this language already exists",
                        "fbtrace_id": "AbCdEf123",
                    }
                },
            )
        body.pop("allow_category_change", None)
        created = number.add_template(status="PENDING", **body)
        return httpx.Response(200, json=created)

    def _delete_template(self, request: httpx.Request, name: str) -> httpx.Response:
        number = self._number(request)
        if number is None:
            return httpx.Response(401, json=INVALID_KEY_BODY)
        remaining = [t for t in number.templates if t["name"] != name]
        if len(remaining) == len(number.templates):
            return httpx.Response(404, json={"errors": [{"code": 1006, "title": "Resource not found"}]})
        number.templates = remaining
        return httpx.Response(200, json={"meta": {"success": True}})

    def _cloud_send(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None or number.generation != "cloud":
            return httpx.Response(401, json=INVALID_KEY_BODY)
        body = json.loads(request.content)
        if body.get("status") == "read":
            number.read_receipts.append(body["message_id"])
            return httpx.Response(200, json={"success": True})
        failure = number.send_failures.pop(0) if number.send_failures else None
        if isinstance(failure, httpx.Response):
            return failure
        number.sent.append(body)
        if failure is not None:
            raise failure
        wamid = f"wamid.sent{len(number.sent):04d}"
        return httpx.Response(
            200,
            json={
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [
                    {"id": wamid, **({"message_status": "accepted"} if body["type"] == "template" else {})}
                ],
            },
        )

    def _on_premise_send(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None or number.generation != "on_premise":
            return httpx.Response(401, json=INVALID_KEY_BODY)
        failure = number.send_failures.pop(0) if number.send_failures else None
        if isinstance(failure, httpx.Response):
            return failure
        number.sent.append(json.loads(request.content))
        if failure is not None:
            raise failure
        return httpx.Response(
            201,
            json={"messages": [{"id": f"gBEGsent{len(number.sent):04d}"}], "meta": {"api_status": "stable"}},
        )

    def _on_premise_read(self, request: httpx.Request, wamid: str) -> httpx.Response:
        number = self._number(request)
        if number is None or number.generation != "on_premise":
            return httpx.Response(401, json=INVALID_KEY_BODY)
        number.read_receipts.append(wamid)
        return httpx.Response(200, json={"meta": {"api_status": "stable", "version": "2.x"}})

    def _cloud_profile(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None or number.generation != "cloud":
            return httpx.Response(401, json=INVALID_KEY_BODY)
        profile = {"messaging_product": "whatsapp", **number.profile}
        return httpx.Response(200, json={"data": [profile]} if number.profile_wrapped else profile)

    def _cloud_profile_update(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None or number.generation != "cloud":
            return httpx.Response(401, json=INVALID_KEY_BODY)
        if number.profile_refusal is not None:
            return number.profile_refusal
        changes = json.loads(request.content)
        changes.pop("messaging_product")
        if changes.pop("profile_picture_handle", None) is not None:
            changes["profile_picture_url"] = "https://pps.whatsapp.net/v/photo.jpg"
        number.profile.update(changes)
        return httpx.Response(200, json={"success": True})

    def _on_premise_business(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None or number.generation != "on_premise":
            return httpx.Response(401, json=INVALID_KEY_BODY)
        business = {k: v for k, v in number.profile.items() if k != "about"}
        business.setdefault("vertical", "Restaurant")
        if business["vertical"] == "RESTAURANT":
            business["vertical"] = "Restaurant"
        return httpx.Response(200, json={"settings": {"business": {"profile": business}}, "meta": {}})

    def _on_premise_business_update(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None or number.generation != "on_premise":
            return httpx.Response(401, json=INVALID_KEY_BODY)
        if number.profile_refusal is not None:
            return number.profile_refusal
        number.profile.update(json.loads(request.content))
        return httpx.Response(200, json={"meta": {"api_status": "stable", "version": "2.x"}})

    def _on_premise_about(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None or number.generation != "on_premise":
            return httpx.Response(401, json=INVALID_KEY_BODY)
        about = {"text": number.profile.get("about")}
        return httpx.Response(200, json={"settings": {"profile": {"about": about}}, "meta": {}})

    def _on_premise_about_update(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None or number.generation != "on_premise":
            return httpx.Response(401, json=INVALID_KEY_BODY)
        number.profile["about"] = json.loads(request.content)["text"]
        return httpx.Response(200, json={"meta": {"api_status": "stable", "version": "2.x"}})

    def _cloud_media_info(self, request: httpx.Request, media_id: str) -> httpx.Response:
        number = self._number(request)
        if number is None:
            return httpx.Response(401, json=INVALID_KEY_BODY)
        if number.media_failure is not None:
            return number.media_failure
        if media_id not in number.media:
            return httpx.Response(400, json={"error": {"message": "Unsupported get request", "code": 100}})
        content, mime_type = number.media[media_id]
        return httpx.Response(
            200,
            json={
                "messaging_product": "whatsapp",
                "id": media_id,
                "mime_type": mime_type,
                "sha256": hashlib.sha256(content).hexdigest(),
                "file_size": len(content),
                "url": f"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid={media_id}&ext=1&hash=x",
            },
        )

    def _cloud_media_download(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None:
            return httpx.Response(401, json=INVALID_KEY_BODY)
        content, mime_type = number.media[request.url.params["mid"]]
        return httpx.Response(200, content=content, headers={"Content-Type": mime_type})

    def _on_premise_media(self, request: httpx.Request, media_id: str) -> httpx.Response:
        number = self._number(request)
        if number is None:
            return httpx.Response(401, json=INVALID_KEY_BODY)
        if number.media_failure is not None:
            return number.media_failure
        content, mime_type = number.media[media_id]
        return httpx.Response(200, content=content, headers={"Content-Type": mime_type})

    def _cloud_upload(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None:
            return httpx.Response(401, json=INVALID_KEY_BODY)
        message = email.message_from_bytes(
            b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + request.read()
        )
        [file_part] = [part for part in message.walk() if part.get_filename()]
        content = file_part.get_payload(decode=True)
        assert isinstance(content, bytes)
        media_id = str(900000 + len(number.media))
        number.media[media_id] = (content, file_part.get_content_type())
        return httpx.Response(200, json={"id": media_id})

    def _on_premise_upload(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None:
            return httpx.Response(401, json=INVALID_KEY_BODY)
        media_id = f"f{len(number.media):04d}-uploaded"
        number.media[media_id] = (request.read(), request.headers["content-type"])
        return httpx.Response(201, json={"media": [{"id": media_id}], "meta": {"api_status": "stable"}})

    def _cloud_photo_bytes(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None:
            return httpx.Response(401, json=INVALID_KEY_BODY)
        number.photo = request.read()
        return httpx.Response(200, json={"h": "2:HANDLE"})

    def _on_premise_photo(self, request: httpx.Request) -> httpx.Response:
        number = self._number(request)
        if number is None:
            return httpx.Response(401, json=INVALID_KEY_BODY)
        number.photo = request.read()
        return httpx.Response(200, json={"meta": {"api_status": "stable"}})

    def _partner_channels(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("X-API-Key") != PARTNER_API_KEY:
            return httpx.Response(401, json=INVALID_KEY_BODY)
        wanted = json.loads(request.url.params.get("filters", "{}")).get("phone_number")
        channels = [
            {"id": n.partner_channel_id, "status": "running", "setup_info": {"phone_number": n.phone_digits}}
            for n in self.numbers
            if wanted in (None, n.phone_digits)
        ]
        return httpx.Response(
            200, json={"partner_channels": channels, "count": len(channels), "total": len(channels)}
        )

    def _new_key(self, request: httpx.Request, cid: str) -> httpx.Response:
        number = next(n for n in self.numbers if n.partner_channel_id == cid)
        number.revoked.add(number.api_key)
        number.api_key = f"refreshed-key-{len(number.revoked):04d}-abcdef"
        return httpx.Response(
            201, json={"id": "ak_2", "api_key": number.api_key, "address": CLOUD_URL, "app_id": "1"}
        )
