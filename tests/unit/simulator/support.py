"""Numbers, keys and expected bodies shared by the simulator tests."""

from infra.local.simulator import SimulatedNumber

CLOUD_PHONE_NUMBER = "4915112345678"
ON_PREMISE_PHONE_NUMBER = "4915187654321"
PARTNER_ID = "sim01PA"
PARTNER_API_KEY = "partner-key-for-tests"
PARTNER_HEADER = {"X-API-Key": PARTNER_API_KEY}
INVALID_API_KEY_BODY = {"meta": {"success": False, "http_code": 401, "developer_message": "Invalid api_key"}}
ON_PREMISE_META = {"api_status": "stable", "version": "2.x"}


def key_header(number: SimulatedNumber) -> dict[str, str]:
    assert number.api_key is not None
    return {"D360-API-KEY": number.api_key}
