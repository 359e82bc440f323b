"""The scaled topology on 127.0.0.1, as `make topology` runs it and tests/test_topology.py tests it: an
Oxigraph server over a folder in var/, the catalogue loaded into it, N `katalog serve` processes over it
(each with a search index of its own) and nginx in front of them, in the foreground.

    python -m api.deploy.topology --processes 2 --port 8080

Ctrl-C (or SIGTERM) stops everything, in order: nginx, then the app processes, then the Oxigraph server,
so that no request reaches a stopped process and no write a process is finishing is cut off. The Oxigraph
server listens on 127.0.0.1 only and nginx never proxies to it: its /update and /store are the keys to the
catalogue. Every setting of the environment (``KATALOG_*``) passes to the app processes, except those that
say where the store is, which the topology decides.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from api.body_limit import readable_size
from catalogue.settings import REPOSITORY, Settings

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
DEFAULT_FOLDER = REPOSITORY / "var" / "topology"
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 120.0
"""How long a process may take to answer after it was started (an app builds its search index first)."""
STOP_SECONDS = 15.0
NGINX_SETTINGS = ("header_timeout", "max_body_bytes", "max_upload_bytes", "sparql_client_concurrency")
"""The app's settings the nginx configuration repeats."""


class TopologyError(RuntimeError):
    """A part of the topology did not start."""


def nginx_config(settings: Settings, *, port: int, app_ports: list[int], folder: Path, temp: Path) -> str:
    """The nginx configuration of the template with its names filled in: listening on 127.0.0.1:``port``,
    in front of the app processes on ``app_ports``, its logs and pid in ``folder``, its temporary files in
    ``temp``; the limits are the app's settings."""
    upstream = "\n".join(
        ["        least_conn;"] + [f"        server 127.0.0.1:{app_port} max_fails=0;" for app_port in app_ports]
    )
    values = {
        "FOLDER": str(folder),
        "TEMP": str(temp),
        "PORT": str(port),
        "UPSTREAM_SERVERS": upstream,
        # nginx takes whole numbers only: in milliseconds, a fraction of a second is one too.
        "HEADER_TIMEOUT": f"{max(1, round(settings.header_timeout * 1000))}ms",
        "UPSTREAM_IDLE_TIMEOUT": f"{max(1, round(settings.header_timeout * 500))}ms",
        "MAX_BODY_BYTES": str(settings.max_body_bytes),
        "MAX_BODY_SIZE": readable_size(settings.max_body_bytes),
        "MAX_UPLOAD_BYTES": str(settings.max_upload_bytes),
        "MAX_UPLOAD_SIZE": readable_size(settings.max_upload_bytes),
        "SPARQL_CLIENT_CONCURRENCY": str(settings.sparql_client_concurrency),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    body = text[text.index("daemon off;") :]  # the heading's comment names the placeholders itself
    if re.search(r"@[A-Z_]+@", body):
        raise TopologyError("the nginx template names a value the launcher does not fill in")
    return text


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(path, os.X_OK)), None
    )
    if found is None:
        raise TopologyError("nginx is not installed: apt-get install nginx (or make setup-test)")
    return found


@dataclass
class Topology:
    """The running topology: its folder, ports and processes."""

    folder: Path
    port: int | None
    """nginx's port (None: started without nginx)."""
    app_ports: list[int]
    oxigraph_port: int
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    """By name: "oxigraph", "app-1" … "app-N", "nginx"."""

    @property
    def url(self) -> str:
        """The site's address: nginx's, or the first app process's without nginx."""
        return f"http://127.0.0.1:{self.port if self.port is not None else self.app_ports[0]}"

    def app_url(self, number: int) -> str:
        """The address of app process ``number`` (from 1), bypassing nginx."""
        return f"http://127.0.0.1:{self.app_ports[number - 1]}"

    @property
    def oxigraph_url(self) -> str:
        return f"http://127.0.0.1:{self.oxigraph_port}"

    def environment(self) -> dict[str, str]:
        """The settings that point a `katalog` process at this topology's store."""
        return store_environment(self.folder, self.oxigraph_port)


def store_environment(folder: Path, oxigraph_port: int) -> dict[str, str]:
    base = f"http://127.0.0.1:{oxigraph_port}"
    return {
        "KATALOG_STORE": "sparql",
        "KATALOG_SPARQL_QUERY_ENDPOINT": f"{base}/query",
        "KATALOG_SPARQL_UPDATE_ENDPOINT": f"{base}/update",
        "KATALOG_SPARQL_STORE_ENDPOINT": f"{base}/store",
        # Unused with a remote store, but its folder is where the one secret key of all the processes is
        # kept (KATALOG_SECRET_KEY, when set, wins): form tokens signed by one process pass in another.
        "KATALOG_STORE_PATH": str(folder / "store"),
    }


def _private(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def _wait_until(ready: Callable[[], bool], process: subprocess.Popen[bytes], name: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with suppress(httpx.TransportError):
            if ready():
                return
        time.sleep(0.2)
    output = log.read_text(errors="replace")[-4000:] if log.exists() else ""
    raise TopologyError(f"{name} did not start (its log, {log}):\n{output}")


def _healthy(url: str) -> Callable[[], bool]:
    return lambda: httpx.get(f"{url}/healthz", timeout=2).status_code == 200


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running(
    folder: Path = DEFAULT_FOLDER,
    *,
    processes: int = 2,
    port: int | None = 8080,
    app_ports: list[int] | None = None,
    oxigraph_port: int = 7878,
    load: bool = True,
    settings: Mapping[str, str] | None = None,
    say: Callable[[str], None] = print,
) -> Iterator[Topology]:
    """Start the topology in ``folder`` and yield it once every part answers; stop it all afterwards.
    ``port`` None starts no nginx. ``app_ports`` default to the ports after ``port`` (8081, 8082, … for
    8080). ``settings`` (``KATALOG_*`` variables) are added to this process's environment for the app
    processes."""
    if processes < 1:
        raise TopologyError("at least one app process")
    if app_ports is None:
        first = (port or 8080) + 1
        app_ports = list(range(first, first + processes))
    if len(app_ports) != processes:
        raise TopologyError(f"{processes} app processes need {processes} ports, not {len(app_ports)}")
    base_environment = {**os.environ, **(settings or {})}
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    logs = _private(folder / "log")
    topology = Topology(folder, port, list(app_ports), oxigraph_port)
    store = topology.environment()
    # The limits nginx shares with the app; the rest of the settings are the app processes' own business.
    limits = Settings(
        **{  # type: ignore[arg-type]
            name: base_environment[f"KATALOG_{name.upper()}"]
            for name in NGINX_SETTINGS
            if f"KATALOG_{name.upper()}" in base_environment
        }
    )
    app_environment = {**base_environment, **store, "KATALOG_TRUSTED_PROXIES": json.dumps(["127.0.0.1"])}
    if port is None:
        app_environment.pop("KATALOG_TRUSTED_PROXIES")  # no proxy in front: the peer is the client
    elif "KATALOG_PUBLIC_URL" not in base_environment:
        app_environment["KATALOG_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    opened: list[IO[bytes]] = []
    temp: Path | None = None

    def start(name: str, command: list[str], env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = open(logs / f"{name}.log", "ab")  # noqa: SIM115 - closed when the topology stops
        opened.append(log)
        # A process group of its own: Ctrl-C reaches only the launcher, which stops the parts in order.
        process = subprocess.Popen(  # noqa: S603 - this environment's oxigraph and katalog, the system's nginx
            command, stdout=log, stderr=subprocess.STDOUT, env=env, process_group=0, stdin=subprocess.DEVNULL
        )
        topology.processes[name] = process
        return process

    try:
        say(f"Oxigraph server on 127.0.0.1:{oxigraph_port} over {folder / 'oxigraph'}")
        _private(folder / "oxigraph")
        oxigraph = start(
            "oxigraph",
            [
                str(BIN / "oxigraph"),
                "serve",
                "--location",
                str(folder / "oxigraph"),
                "--bind",
                f"127.0.0.1:{oxigraph_port}",
                "--union-default-graph",
            ],
        )
        _wait_until(
            lambda: httpx.post(f"{topology.oxigraph_url}/query", data={"query": "ASK {}"}, timeout=2).is_success,
            oxigraph,
            "the Oxigraph server",
            logs / "oxigraph.log",
        )
        if load:
            say("katalog load")
            loaded = subprocess.run(  # noqa: S603 - this environment's own katalog
                [str(BIN / "katalog"), "load"],
                env={**app_environment, "KATALOG_INDEX_PATH": str(folder / "index-load")},
                capture_output=True,
                text=True,
                timeout=600,
            )
            if loaded.returncode != 0:
                raise TopologyError(f"katalog load failed:\n{loaded.stdout}{loaded.stderr}")
        for number, app_port in enumerate(app_ports, start=1):
            say(f"katalog serve {number} on 127.0.0.1:{app_port}")
            start(
                f"app-{number}",
                [str(BIN / "katalog"), "serve", "--host", "127.0.0.1", "--port", str(app_port)],
                {
                    **app_environment,
                    "KATALOG_INDEX_PATH": str(folder / f"index-{number}"),
                    "KATALOG_LOG_FILE": str(logs / f"katalog-{number}.log"),
                },
            )
        for number in range(1, processes + 1):
            _wait_until(
                _healthy(topology.app_url(number)),
                topology.processes[f"app-{number}"],
                f"katalog serve {number}",
                logs / f"app-{number}.log",
            )
        if port is not None:
            say(f"nginx on 127.0.0.1:{port}")
            nginx_folder = folder / "nginx"
            nginx_folder.mkdir(exist_ok=True)
            # Outside the private folders: nginx's workers (nobody, when started as root) write there.
            temp = Path(tempfile.mkdtemp(prefix="katalog-nginx-"))
            temp.chmod(0o711)
            config = nginx_folder / "nginx.conf"
            config.write_text(
                nginx_config(limits, port=port, app_ports=list(app_ports), folder=nginx_folder, temp=temp),
                encoding="utf-8",
            )
            nginx = start(
                "nginx",
                [nginx_binary(), "-p", str(nginx_folder), "-e", str(nginx_folder / "error.log"), "-c", str(config)],
            )
            _wait_until(_healthy(topology.url), nginx, "nginx", nginx_folder / "error.log")
        say(f"Ready: {topology.url}")
        yield topology
    finally:
        for name in ["nginx", *(f"app-{number}" for number in range(1, processes + 1)), "oxigraph"]:
            if name in topology.processes:
                _stop(topology.processes[name])
        for log in opened:
            log.close()
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


def serve_until_stopped(topology: Topology, say: Callable[[str], None] = print) -> int:
    """Wait until Ctrl-C or SIGTERM, or until the Oxigraph server, nginx or every app process has stopped;
    an app process that stops is reported, and nginx leaves it out meanwhile."""
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    reported: set[str] = set()
    while not stopping:
        for name, process in topology.processes.items():
            if process.poll() is not None and name not in reported:
                reported.add(name)
                say(f"{name} stopped (exit {process.returncode}); its log: {topology.folder / 'log' / name}.log")
        essential = {"oxigraph", "nginx"} & reported
        apps = [name for name in topology.processes if name.startswith("app-")]
        if essential or all(name in reported for name in apps):
            return 1
        time.sleep(0.5)
    say("Stopping")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.deploy.topology", description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=2, help="How many `katalog serve` processes (default 2).")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1 (default 8080).")
    parser.add_argument("--app-port", type=int, help="The first app process's port (default: nginx's + 1).")
    parser.add_argument("--oxigraph-port", type=int, default=7878, help="The Oxigraph server's port (default 7878).")
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help="Where the store, indexes and logs go.")
    parser.add_argument("--no-load", action="store_true", help="Do not run `katalog load` first.")
    arguments = parser.parse_args(argv)
    first = arguments.app_port or arguments.port + 1
    try:
        with running(
            arguments.folder,
            processes=arguments.processes,
            port=arguments.port,
            app_ports=list(range(first, first + arguments.processes)),
            oxigraph_port=arguments.oxigraph_port,
            load=not arguments.no_load,
        ) as topology:
            return serve_until_stopped(topology)
    except TopologyError as error:
        print(f"topology: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
