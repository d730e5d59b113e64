"""Message templates of the simulated numbers: what is stored, the checks Meta makes on a submission,
review policies, seeded templates, and the store shared by the server's event loop and other threads.

A template is one (name, language); deleting a name deletes all its languages and holds the name, as
Meta does (reference section 4).
"""

import re
import secrets
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from infra.local.simulator.errors import enum_parameter_message

TemplateStatus = Literal[
    "APPROVED",
    "PENDING",
    "REJECTED",
    "PAUSED",
    "DISABLED",
    "FLAGGED",
    "IN_APPEAL",
    "PENDING_DELETION",
    "DELETED",
    "LIMIT_EXCEEDED",
    "ARCHIVED",
]
# Meta's status events name the new status, except REINSTATED: a paused or disabled template approved again.
TemplateEvent = TemplateStatus | Literal["REINSTATED"]
ReviewDecision = Literal["manual", "approve", "reject"]

TEMPLATE_CATEGORIES = ("AUTHENTICATION", "MARKETING", "UTILITY")
TEMPLATE_NAME_PATTERN = re.compile(r"^[a-z0-9_]{1,512}$")
NO_REASON = "NONE"
DEFAULT_REJECTION_REASON = "INVALID_FORMAT"
# Meta holds a deleted template's name for about four weeks.
NAME_HOLD_AFTER_DELETION = timedelta(days=30)
MAX_SEEDED_TEMPLATES = 20000


class TemplateExists(Exception):
    def __init__(self, language: str) -> None:
        super().__init__(
            f"There is already {language} content for this template. "
            "You can create a new template and try again."
        )


class TemplateNameHeld(Exception):
    """The name was deleted too recently to be used again."""

    def __init__(self, language: str) -> None:
        super().__init__(
            f"New {language} content can't be added while the existing {language} content is being "
            "deleted. Try again in 4 weeks or make a new message template."
        )


class UnknownTemplate(Exception):
    def __init__(self, name: str, language: str | None = None) -> None:
        where = "" if language is None else f" in {language}"
        super().__init__(f"template {name} does not exist{where}")


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateContent:
    """A template as written, with the status it is in; `rejected_reason` is NONE unless rejected.

    Dataclasses, not models: seeding stores thousands at once, and the routes' request models have
    validated what goes in.
    """

    name: str
    language: str
    category: str
    components: list[dict[str, Any]]
    status: TemplateStatus
    rejected_reason: str = NO_REASON


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredTemplate(TemplateContent):
    """A template as kept: 360dialog's `id`, Meta's numeric id, and when it was made and last changed."""

    id: str
    message_template_id: int
    created_at: datetime
    modified_at: datetime


class TemplateSubmission(BaseModel):
    """The body of `POST /v1/configs/templates`; other fields (`allow_category_change`) only guide Meta's
    reviewers."""

    model_config = ConfigDict(extra="ignore")

    name: StrictStr
    language: StrictStr = Field(min_length=1)
    category: StrictStr
    components: list[dict[str, Any]]

    def problem(self) -> str | None:
        """What Meta would refuse at once, worded as Meta words it for people; None if nothing."""
        if not TEMPLATE_NAME_PATTERN.fullmatch(self.name):
            return (
                f"Template name {self.name!r} is not valid: use lowercase letters, numbers and "
                "underscores only, at most 512 characters."
            )
        if self.category.upper() not in TEMPLATE_CATEGORIES:
            return enum_parameter_message("category", TEMPLATE_CATEGORIES, self.category)
        if not any(str(component.get("type", "")).upper() == "BODY" for component in self.components):
            return "Message template components need a BODY component."
        return None

    def pending(self) -> TemplateContent:
        return TemplateContent(
            name=self.name,
            language=self.language,
            category=self.category.upper(),
            components=self.components,
            status="PENDING",
        )


class ReviewPolicy(BaseModel):
    """How a number's new templates are reviewed: by an admin call (manual), or approved or rejected
    (with `reason`) `after_seconds` after their submission."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    decision: ReviewDecision = "manual"
    after_seconds: float = Field(default=0.0, ge=0, le=3600)
    reason: StrictStr = Field(default=DEFAULT_REJECTION_REASON, min_length=1)


def status_after(event: TemplateEvent) -> TemplateStatus:
    return "APPROVED" if event == "REINSTATED" else event


def event_reason(event: TemplateEvent, reason: str | None) -> str:
    """The reason a status event gives: a rejection always names one."""
    if reason is not None:
        return reason
    return DEFAULT_REJECTION_REASON if event == "REJECTED" else NO_REASON


@dataclass(frozen=True)
class SeedTexts:
    """The wording of seeded templates in one language; `bodies` has one to three variables."""

    header: str
    bodies: tuple[str, str, str]
    footer: str
    quick_replies: tuple[str, str]
    link: str
    authentication: str
    copy_code: str


SEED_TEXTS = {
    "en": SeedTexts(
        header="Order update",
        bodies=(
            "Hi {{1}}, thanks for your message. We will get back to you soon.",
            "Hi {{1}}, your order {{2}} is on its way.",
            "Hi {{1}}, your order {{2}} arrives on {{3}}.",
        ),
        footer="Reply STOP to opt out",
        quick_replies=("Yes", "No"),
        link="Track",
        authentication="*{{1}}* is your verification code. For your security, do not share this code.",
        copy_code="Copy code",
    ),
    "de": SeedTexts(
        header="Neues zu deiner Bestellung",
        bodies=(
            "Hallo {{1}}, danke für deine Nachricht. Wir melden uns bald.",
            "Hallo {{1}}, deine Bestellung {{2}} ist unterwegs.",
            "Hallo {{1}}, deine Bestellung {{2}} kommt am {{3}} an.",
        ),
        footer="Antworte STOP zum Abbestellen",
        quick_replies=("Ja", "Nein"),
        link="Verfolgen",
        authentication="*{{1}}* ist dein Bestätigungscode. Teile diesen Code mit niemandem.",
        copy_code="Code kopieren",
    ),
}


def seeded_category(index: int) -> str:
    if index % 10 == 0:
        return "AUTHENTICATION"
    return "MARKETING" if index % 3 == 0 else "UTILITY"


def seeded_components(index: int, category: str, texts: SeedTexts) -> list[dict[str, Any]]:
    """Authentication templates have Meta's fixed code body and a copy-code button; the others a body
    with one to three variables and their examples, and, by index, a text or image header, a footer,
    quick replies or a link with a variable."""
    if category == "AUTHENTICATION":
        return [
            {"type": "BODY", "text": texts.authentication, "example": {"body_text": [["482913"]]}},
            {
                "type": "BUTTONS",
                "buttons": [{"type": "OTP", "otp_type": "COPY_CODE", "text": texts.copy_code}],
            },
        ]
    order = f"A-{index:05d}"
    variables = 1 + index % 3
    components: list[dict[str, Any]] = []
    if index % 4 == 1:
        components.append({"type": "HEADER", "format": "TEXT", "text": texts.header})
    elif index % 4 == 2:
        components.append(
            {
                "type": "HEADER",
                "format": "IMAGE",
                "example": {"header_handle": [f"https://media.example.com/seed/{index}.jpg"]},
            }
        )
    components.append(
        {
            "type": "BODY",
            "text": texts.bodies[variables - 1],
            "example": {"body_text": [["Anna", order, "12.05."][:variables]]},
        }
    )
    if index % 2 == 0:
        components.append({"type": "FOOTER", "text": texts.footer})
    if index % 5 == 0:
        buttons = [{"type": "QUICK_REPLY", "text": text} for text in texts.quick_replies]
        components.append({"type": "BUTTONS", "buttons": buttons})
    elif index % 7 == 0:
        link = {
            "type": "URL",
            "text": texts.link,
            "url": "https://track.example.com/{{1}}",
            "example": [f"https://track.example.com/{order}"],
        }
        components.append({"type": "BUTTONS", "buttons": [link]})
    return components


def seeded_templates(
    prefix: str, count: int, languages: Sequence[str], status: TemplateStatus
) -> list[TemplateContent]:
    """`count` names (`<prefix>_00001`, ...), each in every language; languages without seed texts get
    the English ones."""
    contents = []
    for index in range(1, count + 1):
        category = seeded_category(index)
        for language in dict.fromkeys(languages):
            contents.append(
                TemplateContent(
                    name=f"{prefix}_{index:05d}",
                    language=language,
                    category=category,
                    components=seeded_components(index, category, SEED_TEXTS.get(language, SEED_TEXTS["en"])),
                    status=status,
                )
            )
    return contents


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_message_template_id() -> int:
    """Meta's template ids are numbers of 15 or more digits."""
    return 10**14 + secrets.randbelow(9 * 10**14)


def iso_time(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def stored(content: TemplateContent, now: datetime) -> StoredTemplate:
    return StoredTemplate(
        name=content.name,
        language=content.language,
        category=content.category,
        components=content.components,
        status=content.status,
        rejected_reason=content.rejected_reason,
        id=secrets.token_hex(12),
        message_template_id=new_message_template_id(),
        created_at=now,
        modified_at=now,
    )


@dataclass
class NumberTemplates:
    """One number's templates by (name, language), the names it deleted and when, its review policy."""

    templates: dict[tuple[str, str], StoredTemplate] = field(default_factory=dict)
    deleted_names: dict[str, datetime] = field(default_factory=dict)
    review_policy: ReviewPolicy = field(default_factory=ReviewPolicy)


class TemplateStore:
    """Each number's templates; every method is safe to call from any thread.

    Templates are immutable models: methods return them as they are and store replaced copies.
    """

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._numbers: defaultdict[str, NumberTemplates] = defaultdict(NumberTemplates)

    def templates(self, phone_number: str) -> list[StoredTemplate]:
        with self._lock:
            return list(self._numbers[phone_number].templates.values())

    def template(self, phone_number: str, name: str, language: str) -> StoredTemplate | None:
        with self._lock:
            return self._numbers[phone_number].templates.get((name, language))

    def submit(self, phone_number: str, content: TemplateContent) -> StoredTemplate:
        """Stores a new template, refused as Meta refuses an existing (name, language) or a held name."""
        with self._lock:
            book = self._numbers[phone_number]
            now = self._clock()
            if (content.name, content.language) in book.templates:
                raise TemplateExists(content.language)
            deleted_at = book.deleted_names.get(content.name)
            if deleted_at is not None and now - deleted_at < NAME_HOLD_AFTER_DELETION:
                raise TemplateNameHeld(content.language)
            template = stored(content, now)
            book.templates[content.name, content.language] = template
        return template

    def put(self, phone_number: str, contents: Iterable[TemplateContent]) -> list[StoredTemplate]:
        """Stores templates as given, without review, replacing those of the same (name, language)."""
        with self._lock:
            now = self._clock()
            templates = [stored(content, now) for content in contents]
            self._numbers[phone_number].templates.update(
                ((template.name, template.language), template) for template in templates
            )
        return templates

    def delete_name(self, phone_number: str, name: str) -> list[StoredTemplate]:
        """Deletes the name in every language and holds it."""
        with self._lock:
            book = self._numbers[phone_number]
            deleted = [template for template in book.templates.values() if template.name == name]
            if not deleted:
                raise UnknownTemplate(name)
            for template in deleted:
                del book.templates[template.name, template.language]
            book.deleted_names[name] = self._clock()
        return deleted

    def set_status(
        self, phone_number: str, name: str, language: str, status: TemplateStatus, reason: str
    ) -> StoredTemplate:
        with self._lock:
            book = self._numbers[phone_number]
            current = book.templates.get((name, language))
            if current is None:
                raise UnknownTemplate(name, language)
            return self._store_status(book, current, status, reason)

    def decide_pending(
        self, phone_number: str, submitted: StoredTemplate, status: TemplateStatus, reason: str
    ) -> StoredTemplate | None:
        """Decides a submitted template still waiting for review; None once it is gone, replaced or
        decided otherwise."""
        with self._lock:
            book = self._numbers[phone_number]
            current = book.templates.get((submitted.name, submitted.language))
            if current is None or current.id != submitted.id or current.status != "PENDING":
                return None
            return self._store_status(book, current, status, reason)

    def review_policy(self, phone_number: str) -> ReviewPolicy:
        with self._lock:
            return self._numbers[phone_number].review_policy

    def set_review_policy(self, phone_number: str, policy: ReviewPolicy) -> None:
        with self._lock:
            self._numbers[phone_number].review_policy = policy

    def clear(self) -> None:
        with self._lock:
            self._numbers.clear()

    def _store_status(
        self, book: NumberTemplates, current: StoredTemplate, status: TemplateStatus, reason: str
    ) -> StoredTemplate:
        changed = replace(
            current,
            status=status,
            rejected_reason=reason if status == "REJECTED" else NO_REASON,
            modified_at=self._clock(),
        )
        book.templates[current.name, current.language] = changed
        return changed
