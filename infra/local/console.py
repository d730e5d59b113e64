"""The web console at `/console` on the local gateway: `console/dist` (`make console` builds it) served as a
static host would serve it, and `/console/config.json` answered from the running stack's facts.

The console calls the public API only. The one thing it learns from the local stack is config.json: the API
is this origin, the identity provider is the stack's own issuer (its hosted sign-in, as Cognito's would be),
and the dev workspace's token is offered on the sign-in screen (the console honours it only on a loopback
host). Deployed, config.json is the build's static file, naming the API's URL and the identity provider.
"""

import html
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from infra.local.facts import StackFacts

CONSOLE_PATH = "/console"
CONFIG_FILE = "config.json"
INDEX_FILE = "index.html"
_HASHED_ASSETS = "assets/"
_NOT_BUILT = "The console is not built: run `make console` (`make run` builds it before starting the stack)."
# The build's Content-Security-Policy takes media from https URLs only (the bucket's signed URLs on AWS).
_CSP_META = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")')
_CSP_MEDIA_DIRECTIVES = ("connect-src", "img-src", "media-src")


def with_media_origin(index_html: str, origin: str) -> str:
    """index.html with its Content-Security-Policy also allowing `origin` for media, fetches and uploads.

    The local stack's media bucket is moto, on http and a port of its own, so the signed URLs of media
    and uploads point there; the built file itself stays as strict as it is deployed."""

    def widened(policy: str) -> str:
        directives = [directive.strip() for directive in html.unescape(policy).split(";")]
        return html.escape(
            "; ".join(
                f"{directive} {origin}" if directive.split(" ")[0] in _CSP_MEDIA_DIRECTIVES else directive
                for directive in directives
            )
        )

    return _CSP_META.sub(lambda meta: meta[1] + widened(meta[2]) + meta[3], index_html)


class SinglePageApp(StaticFiles):
    """Files as they are; any other path without a file extension is a screen of the app, so index.html
    answers it (deep links and reloads work). Vite's hashed assets may be cached for good, index.html not.
    `media_origin` gives the origin of the stack's media bucket, which index.html's policy then allows."""

    def __init__(self, *, directory: Path, media_origin: Callable[[], str | None] = lambda: None) -> None:
        super().__init__(directory=directory, check_dir=False)
        self._media_origin = media_origin

    async def get_response(self, path: str, scope: Scope) -> Response:
        if self.directory is None or not (Path(self.directory) / INDEX_FILE).is_file():
            return PlainTextResponse(_NOT_BUILT, status_code=503)
        try:
            response = await super().get_response(path, scope)
        except HTTPException as error:
            if error.status_code != 404 or "." in PurePosixPath(path).name:
                raise
            path = INDEX_FILE
            response = await super().get_response(path, scope)
        origin = self._media_origin() if path == INDEX_FILE and response.status_code == 200 else None
        if origin:
            html = (Path(self.directory) / INDEX_FILE).read_text(encoding="utf-8")
            response = HTMLResponse(with_media_origin(html, origin))
        if path.startswith(_HASHED_ASSETS):
            response.headers["cache-control"] = "public, max-age=31536000, immutable"
        else:
            response.headers["cache-control"] = "no-cache"
        return response


def console_routes(dist_dir: Path, facts_path: Path, dev_workspace: str) -> list[BaseRoute]:
    """The gateway's routes for the console; they take precedence over the API's routes."""

    async def serve_config(_: Request) -> Response:
        try:
            facts = StackFacts.read(facts_path)
        except (OSError, ValueError, KeyError):
            return JSONResponse({"message": "The local stack is still starting."}, status_code=503)
        return JSONResponse(
            {
                "api_url": None,
                "dev_token": facts.tokens.get(dev_workspace),
                "environment": "local stack",
                # Endpoints come from the issuer's discovery document, as for any OIDC issuer.
                "oidc": {
                    "name": "the local issuer",
                    "issuer": facts.jwt_issuer,
                    "client_id": facts.jwt_audience,
                },
            },
            headers={"cache-control": "no-store"},
        )

    def media_origin() -> str | None:
        try:
            return StackFacts.read(facts_path).moto_url
        except (OSError, ValueError, KeyError):
            return None

    async def redirect_to_console(_: Request) -> Response:
        return RedirectResponse(CONSOLE_PATH + "/", status_code=308)

    return [
        Route(CONSOLE_PATH, redirect_to_console, methods=["GET"]),
        Route(f"{CONSOLE_PATH}/{CONFIG_FILE}", serve_config, methods=["GET"]),
        Mount(CONSOLE_PATH, app=SinglePageApp(directory=dist_dir, media_origin=media_origin)),
    ]
