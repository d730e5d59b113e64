"""The simulator's in-memory state, shared by the server's event loop and the thread that launched it."""

import secrets
import string
import threading
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from infra.local.simulator.media import MediaStore
from infra.local.simulator.models import (
    ApiGeneration,
    Fault,
    FaultSpec,
    NumberHealth,
    RecordedRequest,
    SimulatedNumber,
    WebhookRegistration,
)
from infra.local.simulator.outbound import OutboundStore
from infra.local.simulator.profiles import ProfileStore
from infra.local.simulator.templates import TemplateStore

_ID_ALPHABET = string.ascii_letters + string.digits


class NumberAlreadyExists(Exception):
    def __init__(self, phone_number: str) -> None:
        super().__init__(f"number {phone_number} already exists")


class ApiKeyInUse(Exception):
    def __init__(self) -> None:
        super().__init__("this api_key already belongs to another number")


class UnknownNumber(Exception):
    def __init__(self, phone_number: str) -> None:
        super().__init__(f"no number {phone_number}")


def new_api_key() -> str:
    return secrets.token_urlsafe(32)


def random_id(prefix: str = "", length: int = 12, suffix: str = "") -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length)) + suffix


def random_digits(length: int) -> str:
    return str(secrets.choice(range(1, 10))) + "".join(
        secrets.choice(string.digits) for _ in range(length - 1)
    )


def new_template_namespace() -> str:
    """Shaped like 360dialog's namespaces: a UUID written with underscores."""
    return str(uuid.uuid4()).replace("-", "_")


class SimulatorState:
    """Numbers, keys, webhooks, templates, outbound messages, business profiles, media, faults and the
    request log; every method is safe to call from any thread.

    Numbers and faults are immutable models: methods return them as they are and store replaced copies.
    """

    def __init__(self, partner_id: str = "sim01PA", partner_api_key: str | None = None) -> None:
        self.partner_id = partner_id
        self.partner_api_key = partner_api_key or new_api_key()
        self._lock = threading.Lock()
        self._numbers: dict[str, SimulatedNumber] = {}
        self._faults: list[Fault] = []
        self._requests: list[RecordedRequest] = []
        self._next_request_id = 1
        self.templates = TemplateStore()
        self.outbound = OutboundStore()
        self.profiles = ProfileStore()
        self.media = MediaStore()

    def add_number(
        self, phone_number: str, api_generation: ApiGeneration, api_key: str | None = None
    ) -> SimulatedNumber:
        number = SimulatedNumber(
            phone_number=phone_number,
            api_generation=api_generation,
            api_key=api_key or new_api_key(),
            api_key_id=random_id("ak_"),
            app_id=random_digits(6),
            partner_channel_id=random_id("ch_"),
            client_id=random_id("cl_"),
            waba_account_id=random_id(suffix="WA"),
            phone_number_id=random_digits(15),
            waba_id=random_digits(15),
            phone_name=f"Simulated {phone_number}",
            template_namespace=new_template_namespace(),
        )
        with self._lock:
            if phone_number in self._numbers:
                raise NumberAlreadyExists(phone_number)
            if any(existing.api_key == number.api_key for existing in self._numbers.values()):
                raise ApiKeyInUse
            self._numbers[phone_number] = number
        return number

    def numbers(self) -> list[SimulatedNumber]:
        with self._lock:
            return list(self._numbers.values())

    def number(self, phone_number: str) -> SimulatedNumber:
        with self._lock:
            return self._stored_number(phone_number)

    def number_by_api_key(self, api_key: str) -> SimulatedNumber | None:
        with self._lock:
            return next(
                (
                    number
                    for number in self._numbers.values()
                    if number.api_key is not None and secrets.compare_digest(number.api_key, api_key)
                ),
                None,
            )

    def number_by_channel_id(self, partner_channel_id: str) -> SimulatedNumber | None:
        with self._lock:
            return next(
                (n for n in self._numbers.values() if n.partner_channel_id == partner_channel_id), None
            )

    def set_webhook(self, phone_number: str, webhook: WebhookRegistration | None) -> SimulatedNumber:
        return self._update_number(phone_number, webhook=webhook)

    def set_health(self, phone_number: str, health: NumberHealth) -> SimulatedNumber:
        return self._update_number(phone_number, health=health)

    def revoke_api_key(self, phone_number: str) -> SimulatedNumber:
        return self._update_number(phone_number, api_key=None)

    def rotate_api_key(self, phone_number: str) -> SimulatedNumber:
        """Issues a new key and key id; the previous key stops working at once."""
        return self._update_number(phone_number, api_key=new_api_key(), api_key_id=random_id("ak_"))

    def add_fault(self, spec: FaultSpec) -> Fault:
        fault = Fault(**spec.model_dump(), id=random_id("flt_"), remaining=spec.times)
        with self._lock:
            self._faults.append(fault)
        return fault

    def faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def take_fault(self, method: str, path: str) -> Fault | None:
        """Returns the oldest fault matching the request and counts it used; a used-up fault is dropped."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.matches(method, path):
                    if fault.remaining == 1:
                        del self._faults[index]
                    else:
                        self._faults[index] = fault.model_copy(update={"remaining": fault.remaining - 1})
                    return fault
        return None

    def record_request(
        self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: Any
    ) -> int:
        with self._lock:
            request_id = self._next_request_id
            self._next_request_id += 1
            self._requests.append(
                RecordedRequest(
                    id=request_id,
                    method=method,
                    path=path,
                    query=dict(query),
                    headers=dict(headers),
                    body=body,
                    time=datetime.now(UTC),
                )
            )
        return request_id

    def record_response_status(self, request_id: int, status: int) -> None:
        with self._lock:
            for recorded in reversed(self._requests):
                if recorded.id == request_id:
                    recorded.status = status
                    return

    def requests(self, path_prefix: str = "") -> list[RecordedRequest]:
        with self._lock:
            return [r.model_copy(deep=True) for r in self._requests if r.path.startswith(path_prefix)]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def reset(self) -> None:
        """Forgets numbers, their templates, outbound messages, profiles and media, faults and requests;
        the partner identity stays."""
        with self._lock:
            self._numbers.clear()
            self._faults.clear()
            self._requests.clear()
        self.templates.clear()
        self.outbound.clear()
        self.profiles.clear()
        self.media.clear()

    def _stored_number(self, phone_number: str) -> SimulatedNumber:
        try:
            return self._numbers[phone_number]
        except KeyError:
            raise UnknownNumber(phone_number) from None

    def _update_number(self, phone_number: str, **changes: Any) -> SimulatedNumber:
        with self._lock:
            number = self._stored_number(phone_number).model_copy(update=changes)
            self._numbers[phone_number] = number
        return number
