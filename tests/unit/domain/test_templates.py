from datetime import UTC, datetime, timedelta

import pytest

from wachannel.domain.templates import (
    DELETED,
    StoredTemplate,
    StoredTemplateState,
    Template,
    TemplateKey,
    normalise_category,
    normalise_quality_score,
    normalise_rejected_reason,
    normalise_status,
    normalised_template,
    plan_sync,
)

BODY = [{"type": "BODY", "text": "Hi {{1}}, your order is on its way.", "example": {"body_text": [["Ana"]]}}]


def _template(name: str = "order_update", language: str = "en", status: str = "APPROVED") -> Template:
    return Template(name=name, language=language, category="UTILITY", status=status, components=BODY)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("approved", "APPROVED"),
        ("APPROVED", "APPROVED"),
        (" Approved ", "APPROVED"),
        ("submitted", "PENDING"),
        ("created", "PENDING"),
        ("pending_deletion", "PENDING_DELETION"),
        ("in appeal", "IN_APPEAL"),
        ("limit-exceeded", "LIMIT_EXCEEDED"),
        ("", "UNKNOWN"),
        (None, "UNKNOWN"),
    ],
)
def test_statuses_are_compared_case_insensitively_and_stored_in_metas_spelling(raw, normalised):
    assert normalise_status(raw) == normalised


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("marketing", "MARKETING"),
        ("TRANSACTIONAL", "UTILITY"),
        ("shipping_update", "UTILITY"),
        ("ALERT_UPDATE", "UTILITY"),
        ("OTP", "AUTHENTICATION"),
        (None, "UNKNOWN"),
    ],
)
def test_legacy_categories_map_to_the_current_ones(raw, normalised):
    assert normalise_category(raw) == normalised


def test_rejected_reason_none_means_not_rejected_and_quality_comes_in_two_shapes():
    assert normalise_rejected_reason("NONE") is None
    assert normalise_rejected_reason("invalid_format") == "INVALID_FORMAT"
    assert normalise_quality_score({"score": "green", "date": 1717171717}) == "GREEN"
    assert normalise_quality_score("YELLOW") == "YELLOW"
    assert normalise_quality_score({"date": 1}) is None


def test_the_content_hash_changes_with_any_field_and_only_then():
    template = _template()
    assert template.content_hash() == _template().content_hash()
    assert template.content_hash() != _template(status="PAUSED").content_hash()
    changed_body = template.model_copy(update={"components": [{**BODY[0], "text": "Hello {{1}}!"}]})
    assert template.content_hash() != changed_body.content_hash()


def test_normalised_template_reads_either_generation():
    template = normalised_template(
        name="shipping",
        language="pt_BR",
        category="SHIPPING_UPDATE",
        status="approved",
        rejected_reason="NONE",
        components=BODY,
        quality_score={"score": "GREEN"},
    )
    assert (template.status, template.category, template.rejected_reason, template.quality_score) == (
        "APPROVED",
        "UTILITY",
        None,
        "GREEN",
    )
    assert template.search_text() == "shipping hi {{1}}, your order is on its way."


def test_the_plan_writes_new_and_changed_and_marks_vanished_once():
    kept, changed, vanished, gone_already = (
        _template("kept"),
        _template("changed"),
        _template("vanished"),
        _template("gone"),
    )
    stored = [
        StoredTemplateState(kept.key, kept.content_hash(), "APPROVED"),
        StoredTemplateState(changed.key, changed.content_hash(), "APPROVED"),
        StoredTemplateState(vanished.key, vanished.content_hash(), "APPROVED"),
        StoredTemplateState(gone_already.key, DELETED, DELETED),
    ]
    fetched = [kept, _template("changed", status="PAUSED"), _template("new"), _template("new", language="de")]

    plan = plan_sync(stored, fetched)

    assert [t.key for t in plan.created] == [TemplateKey("new", "en"), TemplateKey("new", "de")]
    assert [t.key for t in plan.updated] == [TemplateKey("changed", "en")]
    assert plan.vanished == [TemplateKey("vanished", "en")]
    assert plan.unchanged == 1


def test_a_deleted_template_that_reappears_is_written_again():
    template = _template()
    plan = plan_sync([StoredTemplateState(template.key, DELETED, DELETED)], [template])
    assert plan.updated == [template]


def test_a_template_confirmed_by_the_channels_last_sync_shows_that_sync():
    created = datetime(2026, 11, 1, tzinfo=UTC)
    last_sync = created + timedelta(days=3)
    stored = StoredTemplate(template=_template(), created_at=created, updated_at=created, synced_at=created)
    assert stored.last_synced_at(last_sync) == last_sync
    submitted_later = stored.model_copy(
        update={"created_at": last_sync + timedelta(hours=1), "synced_at": None}
    )
    assert submitted_later.last_synced_at(last_sync) is None
    deleted = stored.model_copy(update={"template": _template(status=DELETED)})
    assert deleted.last_synced_at(last_sync) == created
