"""The console on the local gateway: index.html's Content-Security-Policy also allows the stack's media
bucket (moto, on http and a port of its own), where the built file allows https media only."""

from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from infra.local.console import SinglePageApp, with_media_origin

BUILT_INDEX = (
    '<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;; '
    "connect-src &#39;self&#39; https:; img-src &#39;self&#39; data: https:; media-src &#39;self&#39; https:; "
    'script-src &#39;self&#39;"></head><body><div id="app"></div></body></html>'
)
MOTO = "http://127.0.0.1:4566"


def _policy(html: str) -> dict[str, str]:
    content = html.split('content="', 1)[1].split('"', 1)[0].replace("&#x27;", "'")
    return {
        directive.split(" ", 1)[0]: directive.split(" ", 1)[1]
        for directive in (part.strip() for part in content.split(";"))
    }


def test_the_media_directives_take_the_bucket_origin_and_nothing_else_changes() -> None:
    policy = _policy(with_media_origin(BUILT_INDEX, MOTO))

    assert policy == {
        "default-src": "'self'",
        "connect-src": f"'self' https: {MOTO}",
        "img-src": f"'self' data: https: {MOTO}",
        "media-src": f"'self' https: {MOTO}",
        "script-src": "'self'",
    }


def test_index_html_is_served_with_the_bucket_allowed_and_assets_as_built(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(BUILT_INDEX, encoding="utf-8")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app.js").write_text("console.log(1)", encoding="utf-8")
    app = Starlette(
        routes=[Mount("/console", app=SinglePageApp(directory=tmp_path, media_origin=lambda: MOTO))]
    )

    with TestClient(app) as client:
        deep_link = client.get("/console/inbox/ch_1/ct_1")
        index = client.get("/console/")
        asset = client.get("/console/assets/app.js")

    assert deep_link.status_code == 200
    assert deep_link.headers["cache-control"] == "no-cache"
    assert MOTO in _policy(deep_link.text)["img-src"]
    assert index.text == deep_link.text
    assert asset.text == "console.log(1)"


def test_without_a_bucket_origin_index_html_is_served_as_built(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(BUILT_INDEX, encoding="utf-8")
    app = Starlette(routes=[Mount("/console", app=SinglePageApp(directory=tmp_path))])

    with TestClient(app) as client:
        assert client.get("/console/contacts").text == BUILT_INDEX
