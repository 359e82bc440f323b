"""`katalog user …` and `katalog token create` as an operator runs them: the real console script, the
password piped in on standard input or typed at a terminal without echo, errors in one line with exit
code 2, and every command in the audit log."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from catalogue.editing import accounts, audit
from catalogue.settings import Settings
from catalogue.store import CatalogueStore
from tests.conftest import katalog

PASSWORD = "heslo z klávesnice 1"  # noqa: S105 - a test password


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"KATALOG_STORE_PATH": str(tmp_path / "store"), "KATALOG_LOG_FILE": str(tmp_path / "katalog.log")}


def opened(env: dict[str, str]) -> CatalogueStore:
    settings = Settings(store_path=Path(env["KATALOG_STORE_PATH"]))
    return CatalogueStore.open(settings)


def settings_of(env: dict[str, str]) -> Settings:
    return Settings(store_path=Path(env["KATALOG_STORE_PATH"]))


def test_the_account_commands(env: dict[str, str]) -> None:
    added = katalog("user", "add", "Jana@Obec.cz", "--role", "admin", "--name", "Jana Nováková", env=env,
                    stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "Account jana@obec.cz added with role admin"
    assert katalog("user", "add", "petr@obec.cz", "--role", "curator", env=env, stdin=PASSWORD).returncode == 0

    listed = katalog("user", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["E-mail", "Name", "Role", "Organisation", "State"]
    assert lines[1].split() == ["jana@obec.cz", "Jana", "Nováková", "admin", "-", "active"]
    assert lines[2].split() == ["petr@obec.cz", "petr", "curator", "-", "active"]
    assert lines[-1] == "2 accounts"

    settings = settings_of(env)
    with opened(env) as store:
        petr = accounts.authenticate(store, settings, "petr@obec.cz", PASSWORD)
        assert petr is not None
        session = accounts.create_session(store, settings, petr)
        assert "$argon2id$" in store.dump().decode() and PASSWORD not in store.dump().decode()

    assert katalog("user", "set-role", "petr@obec.cz", "reviewer", env=env).returncode == 0
    assert katalog("user", "set-password", "petr@obec.cz", env=env, stdin="nové heslo pro petra\n").returncode == 0
    created = katalog("token", "create", "petr@obec.cz", "--expires", "30", env=env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("kcs_") and "\n" not in token

    with opened(env) as store:
        assert accounts.account_for_session(store, settings, session) is None, "a new role and password log out"
        assert accounts.authenticate(store, settings, "petr@obec.cz", PASSWORD) is None
        petr = accounts.authenticate(store, settings, "petr@obec.cz", "nové heslo pro petra")
        assert petr is not None and petr.role == "reviewer"
        assert accounts.account_for_token(store, settings, token) == petr
        assert token not in store.dump().decode()

    disabled = katalog("user", "disable", "petr@obec.cz", env=env)
    assert disabled.returncode == 0 and "disabled" in disabled.stdout
    rows = [line.split() for line in katalog("user", "list", env=env).stdout.splitlines()]
    assert ["petr@obec.cz", "petr", "reviewer", "-", "disabled"] in rows
    with opened(env) as store:
        assert accounts.account_for_token(store, settings, token) is None
        actions = [entry.action for entry in audit.entries(store, settings, limit=100)]
    assert actions[::-1] == [
        audit.ACCOUNT_ADDED, audit.ACCOUNT_ADDED, audit.ACCOUNTS_LISTED, audit.LOGIN, audit.ROLE_CHANGED,
        audit.PASSWORD_CHANGED, audit.TOKEN_CREATED, audit.LOGIN_FAILED, audit.LOGIN, audit.ACCOUNT_DISABLED,
        audit.ACCOUNTS_LISTED,
    ]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("user", "add", "kratke@obec.cz", "--role", "curator"), "jedenáct zn\n", "Heslo musí mít alespoň 12 znaků"),
        (("user", "add", "kratke@obec.cz", "--role", "curator"), "", "Heslo musí mít alespoň 12 znaků (zadané má 0)"),
        (("user", "add", "spatny-email", "--role", "curator"), PASSWORD, "není platná e-mailová adresa"),
        (("user", "add", "role@obec.cz", "--role", "šéf"), PASSWORD, "Neznámá role „šéf“"),
        (("user", "add", "mmr@obec.cz", "--role", "ministry"), PASSWORD, "potřebuje organizaci"),
        (("user", "set-role", "nikdo@obec.cz", "admin"), None, "Účet s e-mailem nikdo@obec.cz neexistuje."),
        (("user", "disable", "nikdo@obec.cz"), None, "neexistuje"),
        (("user", "set-password", "nikdo@obec.cz"), PASSWORD, "neexistuje"),
        (("token", "create", "nikdo@obec.cz"), None, "neexistuje"),
    ],
)
def test_errors_are_one_czech_line_and_exit_2(env: dict[str, str], args: tuple[str, ...], stdin: str | None,
                                              message: str) -> None:
    result = katalog(*args, env=env, stdin=stdin)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("katalog: error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    if Path(env["KATALOG_STORE_PATH"]).exists():
        with opened(env) as store:
            assert accounts.accounts(store, settings_of(env)) == []


def test_a_taken_email_and_a_bad_expiry_are_refused(env: dict[str, str]) -> None:
    assert katalog("user", "add", "jana@obec.cz", "--role", "admin", env=env, stdin=PASSWORD).returncode == 0
    again = katalog("user", "add", "JANA@obec.cz", "--role", "curator", env=env, stdin=PASSWORD)
    assert again.returncode == 2 and "Účet s e-mailem jana@obec.cz už existuje." in again.stderr
    expiry = katalog("token", "create", "jana@obec.cz", "--expires", "0", env=env)
    assert expiry.returncode == 2 and "kladný počet dní" in expiry.stderr
    last = katalog("user", "disable", "jana@obec.cz", env=env)
    assert last.returncode == 2 and "jediný aktivní účet správce" in last.stderr


def _read_until(descriptor: int, wanted: bytes, seen: bytearray, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while wanted not in seen:
        ready, _, _ = select.select([descriptor], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            pytest.fail(f"no {wanted!r} from the terminal; it showed {bytes(seen)!r}")
        try:
            seen += os.read(descriptor, 4096)
        except OSError:  # the program ended and closed the terminal
            break


def test_a_password_typed_at_a_terminal_is_not_echoed(env: dict[str, str]) -> None:
    terminal, program_side = pty.openpty()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "katalog"), "user", "add", "tty@obec.cz", "--role", "curator"],
        stdin=program_side, stdout=program_side, stderr=program_side, env={**os.environ, **env}, close_fds=True,
    )
    os.close(program_side)
    seen = bytearray()
    try:
        _read_until(terminal, b"Password:", seen)
        os.write(terminal, PASSWORD.encode() + b"\n")
        _read_until(terminal, b"Repeat for confirmation:", seen)
        os.write(terminal, PASSWORD.encode() + b"\n")
        _read_until(terminal, b"added with role curator", seen)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(terminal)
    assert PASSWORD.encode() not in seen, "the terminal does not echo the password"
    with opened(env) as store:
        assert accounts.authenticate(store, settings_of(env), "tty@obec.cz", PASSWORD) is not None
