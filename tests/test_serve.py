"""`katalog serve` as a real server on 127.0.0.1: health check and the Czech page of pillars."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from catalogue.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path, loaded_store_path: Path) -> Iterator[str]:
    store = tmp_path / "store"
    shutil.copytree(loaded_store_path, store)
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "katalog"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={"KATALOG_STORE_PATH": str(store), "PATH": str(Path(sys.executable).parent)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            process.terminate()
            output = process.communicate(timeout=10)[0].decode(errors="replace")
            pytest.fail(f"the server did not become healthy within 30 s:\n{output}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_healthz_answers_once_the_store_is_open(server: str) -> None:
    answer = httpx.get(f"{server}/healthz", timeout=5)
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


def test_home_page_lists_the_pillars_in_czech(server: str) -> None:
    page = httpx.get(f"{server}/", timeout=5)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="cs">' in page.text
    for pillar in ("Lokální ekonomika", "Prostředí pro život", "Lidé a komunity", "Zastřešující průřezová oblast"):
        assert pillar in page.text


def test_app_reports_unavailable_until_started(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    app = create_app(Settings(store_path=tmp_path / "store"))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
    assert TestClient(app).get("/healthz").status_code == 503
