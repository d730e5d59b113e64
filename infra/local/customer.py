"""`python -m infra.local.customer` (`make customer ARGS="..."`): play the customer against the local stack.

Asks the running stack's 360dialog simulator to deliver an inbound message, a status or a raw payload
to a number's registered webhook, and prints what the webhook answered.
"""

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from infra.local.facts import STACK_FACTS_FILE, ReadyNumber

DEFAULT_STACK_PATH = Path(".local") / STACK_FACTS_FILE
DEFAULT_CUSTOMER = "5511987654321"
DEFAULT_PROFILE_NAME = "Ana Souza"
MEDIA_KINDS = ("image", "video", "audio", "voice", "document", "sticker")
# A batch of slow deliveries can take a while; each delivery is cut by the simulator after 5 s.
ADMIN_TIMEOUT_SECONDS = 300.0

EXAMPLES = """\
examples:
  python -m infra.local.customer text "Hi there"
  python -m infra.local.customer text --to 4915110000001 --from 5511987654321 --name "Ana" "Hi there"
  python -m infra.local.customer media --kind voice
  python -m infra.local.customer media --kind document --filename invoice.pdf --caption "my invoice"
  python -m infra.local.customer location --lat -23.56 --lon -46.65 --place-name "Shop"
  python -m infra.local.customer reaction --message-id wamid.HBgNNTUxMTk4 --emoji "👍"
  python -m infra.local.customer button --payload CONFIRM_A1234 --text Confirm --reply-to wamid.HBgNNTUxMTk4
  python -m infra.local.customer interactive --reply-id yes_1 --title Yes
  python -m infra.local.customer status --message-id wamid.HBgNNTUxMTk4 --status read
  python -m infra.local.customer raw --file payload.json --copies 3 --concurrency 3
  make customer ARGS='text --copies 2 "Hi there"'

The number (--to) defaults to the first Cloud number of stack.json; it needs a webhook registered
(connect it as a channel first). Exit status 1 when the simulator refuses the request.
"""


class CustomerCommandError(Exception):
    """The command cannot run: no stack.json, no number to use, an unreadable payload file."""


@dataclass(frozen=True)
class LocalStackInfo:
    """What the command needs from stack.json."""

    simulator_url: str
    numbers: tuple[ReadyNumber, ...]

    @classmethod
    def read(cls, path: Path) -> "LocalStackInfo":
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CustomerCommandError(
                f"{path} does not exist; is the local stack running (make run)?"
            ) from None
        except (OSError, ValueError) as error:
            raise CustomerCommandError(f"cannot read {path}: {error}") from None
        return cls(
            simulator_url=document["simulator_url"],
            numbers=tuple(ReadyNumber(**number) for number in document["numbers"]),
        )

    def default_number(self) -> str:
        cloud = [number.phone_number for number in self.numbers if number.api_generation == "cloud"]
        if not cloud:
            raise CustomerCommandError("stack.json lists no Cloud number; name one with --to")
        return cloud[0]


@dataclass(frozen=True)
class AdminRequest:
    """A POST to the simulator's admin API."""

    path: str
    body: dict[str, Any]


def without_none(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


def customer_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The sender and the message fields every inbound subcommand shares."""
    context: dict[str, Any] | None = None
    if args.reply_to is not None or args.forwarded:
        context = without_none({"message_id": args.reply_to, "forwarded": args.forwarded or None})
    return without_none(
        {
            "from": args.sender,
            "user_id": args.user_id,
            "profile_name": args.name,
            "context": context,
            "id": args.id,
            "timestamp": args.timestamp,
        }
    )


def text_body(args: argparse.Namespace) -> dict[str, Any]:
    return {"type": "text", "text": args.body}


def media_body(args: argparse.Namespace) -> dict[str, Any]:
    media = without_none(
        {"id": args.media_id, "mime_type": args.mime_type, "caption": args.caption, "filename": args.filename}
    )
    return {"type": args.kind, "media": media}


def location_body(args: argparse.Namespace) -> dict[str, Any]:
    location = without_none(
        {"latitude": args.lat, "longitude": args.lon, "name": args.place_name, "address": args.address}
    )
    return {"type": "location", "location": location}


def reaction_body(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "type": "reaction",
        "reaction": without_none({"message_id": args.message_id, "emoji": args.emoji}),
    }


def button_body(args: argparse.Namespace) -> dict[str, Any]:
    return {"type": "button", "button": {"payload": args.payload, "text": args.text}}


def interactive_body(args: argparse.Namespace) -> dict[str, Any]:
    reply = without_none({"id": args.reply_id, "title": args.title, "description": args.description})
    return {"type": "interactive", "interactive": {"type": args.reply_type, args.reply_type: reply}}


def status_body(args: argparse.Namespace) -> dict[str, Any]:
    errors = None
    if args.error_code is not None:
        errors = [{"code": args.error_code, "title": args.error_title}]
    return without_none(
        {
            "message_id": args.message_id,
            "status": args.status,
            "recipient_id": args.recipient,
            "errors": errors,
            "timestamp": args.timestamp,
        }
    )


def raw_body(args: argparse.Namespace) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
        return {"payload": json.loads(text)}
    except (OSError, ValueError) as error:
        raise CustomerCommandError(f"cannot read a JSON payload from {args.file}: {error}") from None


BodyBuilder = Callable[[argparse.Namespace], dict[str, Any]]


def delivery_options() -> argparse.ArgumentParser:
    """Options of every subcommand: which stack and number, how many copies."""
    delivery = argparse.ArgumentParser(add_help=False)
    delivery.add_argument("--stack", type=Path, default=DEFAULT_STACK_PATH, help="default: %(default)s")
    delivery.add_argument("--to", help="the business number (default: the first Cloud number of stack.json)")
    delivery.add_argument("--copies", type=int, default=1, help="deliver the same payload N times (1-10)")
    delivery.add_argument("--concurrency", type=int, default=1, help="copies in flight at once (1-10)")
    delivery.add_argument("--json", action="store_true", help="print the simulator's whole answer as JSON")
    return delivery


def customer_options(delivery: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Options of the inbound-message subcommands: who sends, and the message's own fields."""
    customer = argparse.ArgumentParser(add_help=False, parents=[delivery])
    customer.add_argument(
        "--from", dest="sender", default=DEFAULT_CUSTOMER, help="customer wa_id (%(default)s)"
    )
    customer.add_argument("--user-id", help="business-scoped user id, e.g. BR.1502576394655843 (Cloud only)")
    customer.add_argument("--name", default=DEFAULT_PROFILE_NAME, help="profile name (%(default)s)")
    customer.add_argument("--reply-to", metavar="MESSAGE_ID", help="the message this one replies to")
    customer.add_argument("--forwarded", action="store_true", help="mark the message as forwarded")
    customer.add_argument("--id", help="the message id (default: generated in the number's style)")
    customer.add_argument("--timestamp", type=int, help="unix seconds (default: now)")
    return customer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.customer",
        description="Deliver what a WhatsApp customer (or 360dialog) would send to a number's webhook.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    delivery = delivery_options()
    customer = customer_options(delivery)

    def add_command(name: str, help_text: str, build: BodyBuilder, kind: str) -> argparse.ArgumentParser:
        parent = customer if kind == "inbound" else delivery
        command = commands.add_parser(name, help=help_text, parents=[parent])
        command.set_defaults(build=build, payload_kind=kind)
        return command

    text = add_command("text", "a text message", text_body, "inbound")
    text.add_argument("body", help="the message text")

    media = add_command(
        "media", "an image, video, audio, voice note, document or sticker", media_body, "inbound"
    )
    media.add_argument("--kind", choices=MEDIA_KINDS, required=True)
    media.add_argument("--caption")
    media.add_argument("--filename")
    media.add_argument("--mime-type")
    media.add_argument("--media-id", help="default: generated")

    location = add_command("location", "a shared location", location_body, "inbound")
    location.add_argument("--lat", type=float, required=True)
    location.add_argument("--lon", type=float, required=True)
    location.add_argument("--place-name")
    location.add_argument("--address")

    reaction = add_command("reaction", "a reaction (no --emoji: removes it)", reaction_body, "inbound")
    reaction.add_argument("--message-id", required=True)
    reaction.add_argument("--emoji")

    button = add_command("button", "a tap on a template's quick-reply button", button_body, "inbound")
    button.add_argument("--payload", required=True)
    button.add_argument("--text", required=True)

    interactive = add_command(
        "interactive", "a reply to a button or list message", interactive_body, "inbound"
    )
    interactive.add_argument("--reply-id", required=True)
    interactive.add_argument("--title", required=True)
    interactive.add_argument("--description")
    interactive.add_argument("--reply-type", choices=("button_reply", "list_reply"), default="button_reply")

    status = add_command("status", "a status of an outbound message", status_body, "status")
    status.add_argument("--message-id", required=True)
    status.add_argument(
        "--status", required=True, help="sent, delivered, read, failed, deleted, warning, ..."
    )
    status.add_argument("--recipient", default=DEFAULT_CUSTOMER, help="recipient wa_id (%(default)s)")
    status.add_argument("--error-code", type=int)
    status.add_argument("--error-title", default="simulated error")
    status.add_argument("--timestamp", type=int, help="unix seconds (default: now)")

    raw = add_command("raw", "a payload posted as given", raw_body, "raw")
    raw.add_argument("--file", required=True, help="a JSON file, or - for standard input")
    return parser


ENDPOINTS = {"inbound": "inbound", "status": "statuses", "raw": "deliver"}


def admin_request(args: argparse.Namespace, stack: LocalStackInfo) -> AdminRequest:
    """The admin API call the parsed command line asks for."""
    build: BodyBuilder = args.build
    body = build(args)
    if args.payload_kind == "inbound":
        body = customer_fields(args) | body
    body |= {"copies": args.copies, "concurrency": args.concurrency}
    number = args.to or stack.default_number()
    return AdminRequest(path=f"/_admin/numbers/{number}/{ENDPOINTS[args.payload_kind]}", body=body)


def describe_answer(answer: dict[str, Any]) -> str:
    lines = [] if answer.get("message_id") is None else [f"message id {answer['message_id']}"]
    for number, delivery in enumerate(answer["deliveries"], start=1):
        outcome = delivery.get("error") or json.dumps(delivery["body"], ensure_ascii=False)
        lines.append(f"delivery {number}: {delivery['status']} in {delivery['elapsed_ms']} ms: {outcome}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        stack = LocalStackInfo.read(args.stack)
        request = admin_request(args, stack)
    except CustomerCommandError as error:
        print(f"customer: {error}", file=sys.stderr)
        return 2
    url = stack.simulator_url + request.path
    try:
        response = httpx.post(url, json=request.body, timeout=ADMIN_TIMEOUT_SECONDS, trust_env=False)
    except httpx.HTTPError as error:
        print(f"customer: cannot reach the simulator at {url}: {error}", file=sys.stderr)
        return 2
    if response.is_error:
        print(f"customer: the simulator answered {response.status_code}: {response.text}", file=sys.stderr)
        return 1
    answer = response.json()
    print(json.dumps(answer, indent=2, ensure_ascii=False) if args.json else describe_answer(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
