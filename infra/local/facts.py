"""`<state dir>/stack.json`: where a running local stack listens and what it made ready."""

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from infra.local.jwt_issuer import LocalJwtIssuer

STACK_FACTS_FILE = "stack.json"
JWT_PRIVATE_KEY_FILE = "jwt-private-key.pem"


@dataclass(frozen=True)
class ReadyNumber:
    """A number the simulator knows from the start, ready to be connected as a channel."""

    phone_number: str
    api_key: str
    api_generation: str


@dataclass(frozen=True)
class StackFacts:
    api_url: str
    webhook_base_url: str
    simulator_url: str
    moto_url: str
    jwt_issuer: str
    jwt_audience: str
    jwt_key_id: str
    jwt_private_key_path: str
    partner_id: str
    partner_api_key: str
    pid: int
    tokens: Mapping[str, str]
    """Workspace id -> a valid dev token for it."""
    numbers: tuple[ReadyNumber, ...]
    queues: Mapping[str, str] = field(default_factory=dict)
    """Logical id -> URL, for every queue of the template."""
    schedules: Mapping[str, str] = field(default_factory=dict)
    """Logical id -> when the schedule fires locally; each also fires on `POST /_local/schedules/{id}/run`."""

    def to_json(self) -> dict[str, Any]:
        return {
            "api_url": self.api_url,
            "webhook_base_url": self.webhook_base_url,
            "simulator_url": self.simulator_url,
            "moto_url": self.moto_url,
            "jwt_issuer": self.jwt_issuer,
            "jwt_audience": self.jwt_audience,
            "jwt_key_id": self.jwt_key_id,
            "jwt_private_key_path": self.jwt_private_key_path,
            "partner_id": self.partner_id,
            "partner_api_key": self.partner_api_key,
            "pid": self.pid,
            "tokens": [
                {"workspace_id": workspace, "token": token} for workspace, token in self.tokens.items()
            ],
            "numbers": [
                {
                    "phone_number": number.phone_number,
                    "api_key": number.api_key,
                    "api_generation": number.api_generation,
                }
                for number in self.numbers
            ],
            "queues": dict(self.queues),
            "schedules": dict(self.schedules),
        }

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Self:
        return cls(
            api_url=document["api_url"],
            webhook_base_url=document["webhook_base_url"],
            simulator_url=document["simulator_url"],
            moto_url=document["moto_url"],
            jwt_issuer=document["jwt_issuer"],
            jwt_audience=document["jwt_audience"],
            jwt_key_id=document["jwt_key_id"],
            jwt_private_key_path=document["jwt_private_key_path"],
            partner_id=document["partner_id"],
            partner_api_key=document["partner_api_key"],
            pid=document["pid"],
            tokens={entry["workspace_id"]: entry["token"] for entry in document["tokens"]},
            numbers=tuple(ReadyNumber(**number) for number in document["numbers"]),
            queues=document["queues"],
            schedules=document["schedules"],
        )

    @classmethod
    def read(cls, path: Path) -> Self:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))

    def write_atomically(self, path: Path) -> None:
        """Readers see no file or the whole file, so they may poll for it. Owner-only: it holds keys."""
        descriptor, temporary_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as temporary_file:
                json.dump(self.to_json(), temporary_file, indent=2)
            Path(temporary_name).replace(path)
        except BaseException:
            Path(temporary_name).unlink(missing_ok=True)
            raise

    def issuer(self) -> LocalJwtIssuer:
        """The stack's own issuer, to mint tokens it accepts (or, with overrides, tokens it must refuse)."""
        return LocalJwtIssuer.from_private_key_file(
            Path(self.jwt_private_key_path), self.jwt_issuer, self.jwt_audience, self.jwt_key_id
        )
