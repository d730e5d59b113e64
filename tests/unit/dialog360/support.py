"""Base URLs, keys, a fake clock and 360dialog bodies shared by the 360dialog client tests."""

from typing import Any

CLOUD_BASE_URL = "https://waba-v2.360dialog.io"
ON_PREMISE_BASE_URL = "https://waba.360dialog.io"
PARTNER_BASE_URL = "https://hub.360dialog.io/api/v2"
API_KEY = "k3y-AbCdEf0123456789-channel"
PARTNER_ID = "abc123PA"
PARTNER_API_KEY = "partner-k3y-9876543210"
WEBHOOK_URL = "https://api.example.com/webhooks/360dialog/ch_01HX"
WEBHOOK_HEADERS = {"X-Webhook-Token": "s3cr3t-token"}

INVALID_API_KEY_BODY: dict[str, Any] = {
    "meta": {"success": False, "http_code": 401, "developer_message": "Invalid api_key"}
}
META_INVALID_TOKEN_BODY: dict[str, Any] = {
    "error": {
        "message": "Invalid OAuth access token - Cannot parse access token",
        "type": "OAuthException",
        "code": 190,
        "fbtrace_id": "AbCdEf123",
    }
}
META_TEMPLATE_MISSING_BODY: dict[str, Any] = {
    "error": {
        "message": "(#132001) Template name does not exist in the translation",
        "type": "OAuthException",
        "code": 132001,
        "error_data": {
            "messaging_product": "whatsapp",
            "details": "template name (order_updat) does not exist in de",
        },
        "fbtrace_id": "AbCdEf123",
    }
}
META_THROUGHPUT_BODY: dict[str, Any] = {
    "error": {
        "message": "(#130429) Rate limit hit",
        "type": "OAuthException",
        "code": 130429,
        "error_data": {
            "messaging_product": "whatsapp",
            "details": "Cloud API message throughput has been reached.",
        },
        "fbtrace_id": "AbCdEf124",
    }
}
ON_PREMISE_NOT_FOUND_BODY: dict[str, Any] = {
    "errors": [{"code": 1006, "title": "Resource not found", "details": "unknown contact"}],
    "meta": {"api_status": "stable", "version": "2.x"},
}
GATEWAY_RATE_LIMIT_BODY: dict[str, Any] = {
    "meta": {
        "success": False,
        "http_code": 400,
        "developer_message": "You have exceeded the endpoint rate limit",
    }
}
SERVICE_UNAVAILABLE_BODY: dict[str, Any] = {
    "meta": {"success": False, "http_code": 503, "developer_message": "Service temporarily unavailable"}
}


class FakeClock:
    """Monotonic time that moves only when the client sleeps (or a test says so)."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds
