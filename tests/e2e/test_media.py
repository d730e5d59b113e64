"""Media end to end: a customer's image, voice note and PDF reach the media bucket after the webhook
answered and come back through signed URLs byte for byte; a failed copy keeps the message; an agent
uploads a document straight to the bucket and sends it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.e2e.clients import Frontend, Simulator

PDF = b"%PDF-1.7\n" + b"invoice 42 " * 2000


def _eventually(check: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.25)


def _customer_sends(
    simulator: Simulator, number: dict[str, Any], customer: str, kind: str, media: dict[str, Any]
) -> None:
    answer = simulator.client.post(
        f"/_admin/numbers/{number['phone_number']}/inbound",
        json={"from": customer, "profile_name": "Ana Souza", "type": kind, "media": media},
    )
    assert answer.status_code == 200, answer.text


def _thread(frontend: Frontend, customer: str) -> list[dict[str, Any]]:
    [contact] = (
        frontend.client.get("/contacts", params={"query": customer}).raise_for_status().json()["items"]
    )
    return list(frontend.client.get(f"/contacts/{contact['id']}/messages").raise_for_status().json()["items"])


def _media_link(frontend: Frontend, message: dict[str, Any]) -> httpx.Response:
    return frontend.client.get(f"/messages/{message['id']}/media")


def test_a_customers_image_voice_note_and_pdf_come_back_by_signed_url(
    frontend: Frontend, simulator: Simulator
) -> None:
    number = simulator.new_number()
    frontend.connect(number)
    customer = f"55119{time.time_ns() % 10**8:08d}"
    _customer_sends(simulator, number, customer, "image", {"mime_type": "image/jpeg", "size_bytes": 150_000})
    _customer_sends(simulator, number, customer, "voice", {"size_bytes": 20_000})
    _customer_sends(
        simulator, number, customer, "document", {"mime_type": "application/pdf", "filename": "invoice.pdf"}
    )

    _eventually(lambda: all(_media_link(frontend, m).status_code == 200 for m in _thread(frontend, customer)))

    held = {
        m["mime_type"].split(";")[0]: m
        for m in simulator.client.get(f"/_admin/numbers/{number['phone_number']}/media").json()
    }
    for message in _thread(frontend, customer):
        link = _media_link(frontend, message).json()
        downloaded = httpx.get(link["url"], timeout=30)
        assert downloaded.status_code == 200, downloaded.text
        original = simulator.client.get(
            f"/_admin/numbers/{number['phone_number']}/media/{held[link['mime_type'].split(';')[0]]['id']}"
        ).content
        assert downloaded.content == original, message["type"]
    assert {m["type"] for m in _thread(frontend, customer)} == {"image", "audio", "document"}


def test_a_failed_copy_keeps_the_message_and_says_why(frontend: Frontend, simulator: Simulator) -> None:
    number = simulator.new_number()
    frontend.connect(number)
    simulator.client.put(
        f"/_admin/numbers/{number['phone_number']}/media-settings",
        json={"download_fault": {"status": 404, "times": 1, "step": "info"}},
    ).raise_for_status()
    customer = f"55119{time.time_ns() % 10**8:08d}"
    _customer_sends(simulator, number, customer, "image", {"mime_type": "image/png", "caption": "broken?"})

    _eventually(lambda: _thread(frontend, customer)[0]["media"]["status"] == "failed")

    [message] = _thread(frontend, customer)
    answer = _media_link(frontend, message)
    assert message["media"]["caption"] == "broken?"
    assert (answer.status_code, answer.json()["error"]["code"]) == (502, "provider_error")


def test_an_agent_uploads_a_document_and_sends_it(
    frontend: Frontend, other_frontend: Frontend, simulator: Simulator
) -> None:
    number = simulator.new_number("on_premise")
    channel = frontend.connect(number)
    customer = f"55119{time.time_ns() % 10**8:08d}"
    simulator.client.post(
        f"/_admin/numbers/{number['phone_number']}/inbound",
        json={"from": customer, "profile_name": "Ana Souza", "type": "text", "text": "Send me the invoice"},
    ).raise_for_status()

    too_big = frontend.client.post(
        f"/channels/{channel['id']}/media/uploads",
        json={"filename": "huge.pdf", "mime_type": "application/pdf", "file_size": 101 * 1024 * 1024},
    )
    wrong_type = frontend.client.post(
        f"/channels/{channel['id']}/media/uploads",
        json={"filename": "setup.exe", "mime_type": "application/x-msdownload", "file_size": 1000},
    )
    upload = frontend.client.post(
        f"/channels/{channel['id']}/media/uploads",
        json={"filename": "invoice-42.pdf", "mime_type": "application/pdf", "file_size": len(PDF)},
    )
    assert (too_big.status_code, too_big.json()["error"]["details"]["limit_bytes"]) == (
        413,
        100 * 1024 * 1024,
    )
    assert wrong_type.status_code == 422
    assert upload.status_code == 201, upload.text
    put = httpx.put(
        upload.json()["upload_url"], content=PDF, headers={"Content-Type": "application/pdf"}, timeout=30
    )
    assert put.status_code == 200, put.text

    sent = frontend.client.post(
        f"/channels/{channel['id']}/messages",
        json={
            "to": f"+{customer}",
            "type": "document",
            "media": {"upload_id": upload.json()["upload_id"], "filename": "invoice-42.pdf"},
        },
    )

    assert sent.status_code == 201, sent.text
    [received] = simulator.client.get(f"/_admin/numbers/{number['phone_number']}/messages").json()
    media_id = received["body"]["document"]["id"]
    assert simulator.client.get(f"/_admin/numbers/{number['phone_number']}/media/{media_id}").content == PDF
    [inbound] = [m for m in _thread(frontend, customer) if m["direction"] == "inbound"]
    assert other_frontend.client.get(f"/messages/{inbound['id']}/media").status_code == 404
    # The agent's own file is linked as a customer's is, to the same workspace only.
    link = frontend.client.get(f"/messages/{sent.json()['id']}/media")
    assert link.status_code == 200, link.text
    assert httpx.get(link.json()["url"], timeout=30).content == PDF
    assert other_frontend.client.get(f"/messages/{sent.json()['id']}/media").status_code == 404
