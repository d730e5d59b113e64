"""Contacts: one per person and workspace, and how they are found by name or number."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from pydantic import ConfigDict, Field

from wachannel.models import Model

SEARCH_TOKEN_MIN = 2
# An entry's key holds its word: longer words are indexed by their beginning, as search matches them.
SEARCH_TOKEN_MAX = 64
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class Contact(Model):
    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    workspace_id: str
    phone_number: str | None = None
    whatsapp_id: str | None = None
    user_id: str | None = None
    profile_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    channels: frozenset[str] = frozenset()
    created_at: datetime
    updated_at: datetime | None = None


def fold(text: str) -> str:
    """Lower case without accents, so 'José' is found by 'jose'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_words(*names: str | None) -> set[str]:
    return {
        word for name in names if name for word in _WORD.findall(fold(name)) if len(word) >= SEARCH_TOKEN_MIN
    }


def search_tokens(
    phone_number: str | None,
    profile_name: str | None,
    first_name: str | None,
    last_name: str | None,
    email: str | None,
) -> set[str]:
    """The index entries a contact is found by: `p:` + its number's digits, `n:` + each name word
    (profile, first and last name, the e-mail's local part). Search matches their beginnings."""
    words = name_words(profile_name, first_name, last_name)
    if email:
        words |= name_words(email.split("@", 1)[0])
    tokens = {f"n:{word[:SEARCH_TOKEN_MAX]}" for word in words}
    if phone_number:
        tokens.add(f"p:{phone_number.removeprefix('+')}")
    return tokens


def search_prefix(query: str) -> tuple[str, list[str]] | None:
    """The index prefix for a query and the words every hit must also contain; None if the query
    has nothing to search by. Digits (with +, spaces, dashes) search numbers; anything else names."""
    compact = re.sub(r"[\s()+\-./]", "", query)
    if compact.isdigit() and len(compact) >= SEARCH_TOKEN_MIN:
        return f"p:{compact.removeprefix('00')}", []
    words = sorted(name_words(query), key=len, reverse=True)
    if not words:
        return None
    return f"n:{words[0][:SEARCH_TOKEN_MAX]}", words[1:]


def matches_all(contact: Contact, words: list[str]) -> bool:
    own = name_words(contact.profile_name, contact.first_name, contact.last_name)
    return all(any(word_of.startswith(word) for word_of in own) for word in words)
