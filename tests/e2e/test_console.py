"""The web console, served by the local stack and driven in a real browser.

The browser tests are console/tests/*.test.mjs (playwright-core driving Debian's chromium); each runs here
against the session's stack, as one test. `make test` builds the console and installs chromium first.
"""

import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from infra.local.process import LocalStackProcess
from infra.local.stack import DEV_WORKSPACE, REPO_ROOT

CONSOLE_DIR = REPO_ROOT / "console"
BROWSER_TESTS = sorted((CONSOLE_DIR / "tests").glob("*.test.mjs"))
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
BROWSER_TEST_TIMEOUT_SECONDS = 300


@pytest.fixture(scope="module")
def console_built() -> None:
    if not (CONSOLE_DIR / "dist" / "index.html").is_file():
        pytest.fail("the console is not built: run `make console` (make test and make e2e do)", pytrace=False)


@pytest.fixture(scope="module")
def browser_ready(console_built: None) -> str:
    node = shutil.which("node")
    missing = [
        reason
        for reason, absent in (
            ("Node.js (node)", node is None),
            (
                "playwright-core (make console runs npm ci)",
                not (CONSOLE_DIR / "node_modules" / "playwright-core").is_dir(),
            ),
            (f"chromium at {CHROMIUM} (make chromium installs it)", not CHROMIUM.exists()),
        )
        if absent
    ]
    if missing or node is None:
        pytest.fail(f"the browser tests need {', '.join(missing)}", pytrace=False)
    return node


def test_the_gateway_serves_the_console_with_deep_links_and_the_dev_token(
    stack: LocalStackProcess, console_built: None
) -> None:
    with httpx.Client(base_url=stack.api_url, timeout=30) as client:
        bare = client.get("/console")
        index = client.get("/console/")
        deep_link = client.get("/console/channels/ch_123/audit")
        missing_asset = client.get("/console/assets/missing.js")
        config = client.get("/console/config.json")

    assert bare.status_code == 308
    assert bare.headers["location"] == "/console/"
    assert index.status_code == 200
    assert index.headers["content-type"].startswith("text/html")
    assert '<div id="app">' in index.text
    assert deep_link.status_code == 200
    assert deep_link.text == index.text
    assert missing_asset.status_code == 404
    assert config.json() == {
        "api_url": None,
        "dev_token": stack.tokens[DEV_WORKSPACE],
        "environment": "local stack",
        "oidc": {
            "name": "the local issuer",
            "issuer": stack.facts.jwt_issuer,
            "client_id": stack.facts.jwt_audience,
        },
    }
    assert config.headers["cache-control"] == "no-store"
    assert f"console            {stack.api_url}/console/" in stack.log_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("script", BROWSER_TESTS, ids=[script.name for script in BROWSER_TESTS])
def test_in_the_browser(
    stack: LocalStackProcess, browser_ready: str, script: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    screenshots = os.environ.get("CONSOLE_SCREENSHOT_DIR") or str(tmp_path_factory.mktemp("screenshots"))
    environment = os.environ | {
        "CONSOLE_URL": f"{stack.api_url}/console/",
        "API_URL": stack.api_url,
        "SIMULATOR_URL": stack.simulator_url,
        "DEV_TOKEN": stack.tokens[DEV_WORKSPACE],
        "CONSOLE_SCREENSHOT_DIR": screenshots,
        "CHROMIUM": str(CHROMIUM),
    }
    try:
        run = subprocess.run(  # noqa: S603 (our own node and test script, no shell)
            [browser_ready, "--test", "--test-reporter=spec", str(script)],
            cwd=CONSOLE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=BROWSER_TEST_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as timeout:
        # What the test printed so far comes as bytes, even with text=True.
        output = (
            timeout.stdout.decode(errors="replace") if isinstance(timeout.stdout, bytes) else timeout.stdout
        )
        pytest.fail(f"{script.name} ran longer than {BROWSER_TEST_TIMEOUT_SECONDS} s:\n{output}")

    assert run.returncode == 0, (
        f"{script.name} failed (screenshots in {screenshots}):\n{run.stdout}\n{run.stderr}"
    )
