"""`python -m infra.local` (what `make run` runs): the local stack until Ctrl-C or SIGTERM."""

import asyncio
import logging
import os
import signal
import sys

from infra.local.cfn import TemplateError
from infra.local.stack import LocalStackError, LocalStackSettings, run_local_stack


async def _run_until_signalled(settings: LocalStackSettings) -> None:
    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop_signal, stop_requested.set)
    await run_local_stack(settings, stop_requested)


def main() -> int:
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("infra.local").setLevel(logging.INFO)
    # moto's server logs every request it serves through werkzeug.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        asyncio.run(_run_until_signalled(LocalStackSettings.from_environment(os.environ)))
    except (LocalStackError, TemplateError, OSError) as error:
        print(f"local stack: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
