"""The business profile end to end: synced from the simulator, edited through the API and written
back in each generation's shape, refused edits leaving everything as it was."""

from __future__ import annotations

from typing import Any

from tests.e2e.clients import Frontend, Simulator


def _profile_at_simulator(simulator: Simulator, number: dict[str, Any]) -> dict[str, Any]:
    return dict(
        simulator.client.get(f"/_admin/numbers/{number['phone_number']}/profile").raise_for_status().json()
    )


def test_sync_and_edit_round_trip_in_both_generations(frontend: Frontend, simulator: Simulator) -> None:
    for generation in ("cloud", "on_premise"):
        number = simulator.new_number(generation)
        channel = frontend.connect(number)
        simulator.client.put(
            f"/_admin/numbers/{number['phone_number']}/profile",
            json={"about": "Fresh bread daily", "address": "Hauptstr. 1, Berlin"},
        ).raise_for_status()

        never = frontend.client.get(f"/channels/{channel['id']}/profile").raise_for_status().json()
        synced = frontend.client.post(f"/channels/{channel['id']}/profile/sync").raise_for_status().json()
        edited = frontend.client.patch(
            f"/channels/{channel['id']}/profile",
            json={"about": "Open 7-19", "vertical": "RESTAURANT", "websites": ["https://bakery.example"]},
        )

        assert never["last_synced_at"] is None, generation
        assert (synced["about"], synced["address"]) == ("Fresh bread daily", "Hauptstr. 1, Berlin"), (
            generation
        )
        assert edited.status_code == 200, edited.text
        assert (edited.json()["about"], edited.json()["vertical"]) == ("Open 7-19", "RESTAURANT")
        held = _profile_at_simulator(simulator, number)
        assert held["about"] == "Open 7-19"
        assert held["vertical"] == ("RESTAURANT" if generation == "cloud" else "Restaurant")
        assert held["websites"] == ["https://bakery.example"]
        health = frontend.client.get(f"/channels/{channel['id']}/health").raise_for_status().json()
        assert health["profile_last_synced_at"] == edited.json()["last_synced_at"]


def test_a_broken_edit_changes_nothing_anywhere(frontend: Frontend, simulator: Simulator) -> None:
    number = simulator.new_number()
    channel = frontend.connect(number)
    before = _profile_at_simulator(simulator, number)

    answer = frontend.client.patch(
        f"/channels/{channel['id']}/profile", json={"about": "", "websites": ["ftp://bakery.example"]}
    )

    assert answer.status_code == 422
    assert {p["field"] for p in answer.json()["error"]["details"]} == {"about", "websites.0"}
    assert _profile_at_simulator(simulator, number) == before


def test_another_workspace_sees_no_profile(
    frontend: Frontend, other_frontend: Frontend, simulator: Simulator
) -> None:
    channel = frontend.connect(simulator.new_number())

    for answer in (
        other_frontend.client.get(f"/channels/{channel['id']}/profile"),
        other_frontend.client.post(f"/channels/{channel['id']}/profile/sync"),
        other_frontend.client.patch(f"/channels/{channel['id']}/profile", json={"about": "Mine now"}),
    ):
        assert answer.status_code == 404, answer.text
