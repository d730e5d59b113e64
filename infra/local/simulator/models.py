"""What the simulator remembers: numbers, webhook registrations, health, faults, logged requests and
the errors of failed message statuses."""

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator, model_validator

ApiGeneration = Literal["cloud", "on_premise"]
SendCapability = Literal["AVAILABLE", "LIMITED", "BLOCKED"]
FaultStatus = Literal[429, 500, 502, 503]

PHONE_NUMBER_PATTERN = r"^[1-9][0-9]{6,14}$"
DEFAULT_RETRY_AFTER_SECONDS = 1
LIMITED_INFO = "Your WhatsApp Business Account has reached its messaging limit."
BLOCKED_ERROR = {
    "error_code": 131031,
    "error_description": "Business account has been locked.",
    "possible_solution": "Check the account's policy violations in WhatsApp Manager.",
}


class WebhookRegistration(BaseModel):
    """The phone-number webhook as registered through `POST /v1/configs/webhook`."""

    model_config = ConfigDict(frozen=True)

    url: str
    headers: dict[str, str] = Field(default_factory=dict)


class HealthError(BaseModel):
    model_config = ConfigDict(frozen=True)

    error_code: int
    error_description: str
    possible_solution: str


class NumberHealth(BaseModel):
    """What the health endpoints report; a limited or blocked number without details gets plausible ones."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    can_send_message: SendCapability = "AVAILABLE"
    additional_info: list[str] = Field(default_factory=list)
    errors: list[HealthError] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def fill_in_details(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if data.get("can_send_message") == "LIMITED" and not data.get("additional_info"):
            return {**data, "additional_info": [LIMITED_INFO]}
        if data.get("can_send_message") == "BLOCKED" and not data.get("errors"):
            return {**data, "errors": [BLOCKED_ERROR]}
        return data


class SimulatedNumber(BaseModel):
    """One WhatsApp business number; `api_key` is None once revoked."""

    model_config = ConfigDict(frozen=True)

    phone_number: str = Field(pattern=PHONE_NUMBER_PATTERN)
    api_generation: ApiGeneration
    api_key: str | None
    api_key_id: str
    app_id: str
    partner_channel_id: str
    client_id: str
    waba_account_id: str
    phone_number_id: str
    waba_id: str
    phone_name: str
    template_namespace: str
    webhook: WebhookRegistration | None = None
    health: NumberHealth = Field(default_factory=NumberHealth)


class FaultSpec(BaseModel):
    """How matching 360dialog requests misbehave: an error status, a delay before answering, or both."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path_prefix: StrictStr = Field(default="/", pattern=r"^/")
    method: StrictStr | None = None
    status: FaultStatus | None = None
    retry_after: int | None = Field(default=None, ge=0)
    delay_seconds: float = Field(default=0.0, ge=0, le=60)
    times: int = Field(default=1, ge=1)

    @field_validator("method")
    @classmethod
    def uppercase_method(cls, method: str | None) -> str | None:
        return None if method is None else method.upper()

    @model_validator(mode="before")
    @classmethod
    def default_retry_after(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("status") == 429 and data.get("retry_after") is None:
            return {**data, "retry_after": DEFAULT_RETRY_AFTER_SECONDS}
        return data

    @model_validator(mode="after")
    def check_effect(self) -> Self:
        if self.status is None and self.delay_seconds == 0:
            raise ValueError("a fault needs a status, a delay_seconds, or both")
        return self


class StatusErrorSpec(BaseModel):
    """An error a `failed` status reports, written once for both generations' shapes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: int
    title: StrictStr
    message: StrictStr | None = None
    details: StrictStr | None = None


class Fault(FaultSpec):
    id: str
    remaining: int

    def matches(self, method: str, path: str) -> bool:
        return path.startswith(self.path_prefix) and self.method in (None, method)


class RecordedRequest(BaseModel):
    """One request to the 360dialog endpoints, with key headers masked; `status` is set once answered."""

    id: int
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any = None
    time: datetime
    status: int | None = None
