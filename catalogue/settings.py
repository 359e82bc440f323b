"""One settings object for the whole product, read from environment variables (prefix ``KATALOG_``).

Nothing is read at import time: call :func:`get_settings` (or build :class:`Settings` yourself in tests).
``katalog settings`` prints every setting with its help text, and a test checks each is documented.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_BASE = "https://w3id.org/kcs/id/"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KATALOG_", extra="ignore")

    store: Literal["oxigraph", "sparql"] = Field(
        "oxigraph",
        description="Where the knowledge graph lives: 'oxigraph' (embedded on-disk store at store_path) "
        "or 'sparql' (a remote SPARQL 1.1 query/update endpoint).",
    )
    store_path: Path = Field(
        REPOSITORY / "var" / "store",
        description="Folder of the embedded Oxigraph store (created on first load).",
    )
    sparql_query_endpoint: str | None = Field(
        None, description="URL of the remote SPARQL 1.1 query endpoint, when store is 'sparql'."
    )
    sparql_update_endpoint: str | None = Field(
        None, description="URL of the remote SPARQL 1.1 update endpoint, when store is 'sparql'."
    )
    sparql_store_endpoint: str | None = Field(
        None,
        description="URL of the remote Oxigraph server's Graph Store endpoint, when store is 'sparql' (default: the "
        "update endpoint with /update replaced by /store). Like /update, never expose it to the public.",
    )
    sparql_timeout: float = Field(30.0, description="Seconds to wait for the remote SPARQL endpoint before giving up.")
    data_dir: Path = Field(
        REPOSITORY / "catalogue" / "data",
        description="Folder of the catalogue's Turtle files, one named graph each.",
    )
    ontology_dir: Path = Field(
        REPOSITORY / "ontology",
        description="Folder of the ontology (kcs.ttl) and the SHACL shapes (shapes.ttl).",
    )
    instance_base: str = Field(
        DEFAULT_INSTANCE_BASE,
        description="Base IRI of the catalogue's resources; the data is rewritten to it when loaded.",
    )
    search_engine: Literal["whoosh", "tantivy"] = Field(
        "whoosh",
        description="Full-text engine of the search index: 'whoosh' for the embedded catalogue, 'tantivy' for "
        "catalogues of national size (tens of thousands of realisations).",
    )
    index_path: Path = Field(
        REPOSITORY / "var" / "index",
        description="Folder of the search index (rebuilt by `katalog reindex` and whenever the loaded data changes).",
    )
    sparql_endpoint_timeout: float = Field(
        10.0, gt=0, description="Seconds a query sent to /sparql may run before it is stopped."
    )
    sparql_endpoint_row_limit: int = Field(
        10000, ge=1, description="Most rows (or triples) /sparql returns for one query; the rest is cut off."
    )
    graphql_cache_size: int = Field(
        1000,
        ge=0,
        description="Whole GraphQL answers kept per catalogue version (forgotten when the data changes); 0 turns "
        "keeping off.",
    )
    graphql_cache_bytes: int = Field(
        64_000_000,
        ge=0,
        description="Bytes the kept GraphQL answers may take in all; an answer larger than a thirty-second of it is "
        "never kept.",
    )
    page_cache_size: int = Field(
        20_000,
        ge=0,
        description="Whole public pages kept per catalogue version for anonymous visitors (the answer page, the "
        "listings, the resources' pages; forgotten when the data changes); 0 turns keeping off.",
    )
    page_cache_bytes: int = Field(
        64_000_000,
        ge=0,
        description="Bytes the kept pages may take in all (a seed catalogue's answer page is 10 to 100 KB); a page "
        "larger than a thirty-second of it is never kept.",
    )
    graphql_max_nodes: int = Field(
        20_000,
        ge=1,
        description="Most objects and list items one GraphQL answer may hold; a query that would return more is "
        "refused with a message naming the limit.",
    )
    graphql_timeout: float = Field(
        5.0, gt=0, description="Seconds one GraphQL operation may run before it is stopped with an error."
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Secret that signs the web forms' anti-forgery tokens; every server of one site needs the same. "
        "When unset, a random one is made once and kept in the file secret-key beside the store folder.",
    )
    host: str = Field("127.0.0.1", description="Address `katalog serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `katalog serve` listens on.")
    debug: bool = Field(
        False, description="Print the traceback of an unexpected error in the CLI (as `katalog --debug` does)."
    )
    log_file: Path = Field(
        REPOSITORY / "var" / "log" / "katalog.log",
        description="File every unexpected error is logged to, with its traceback (created 0600).",
    )
    environment: Literal["development", "production"] = Field(
        "development",
        description="'production' masks internal errors in answers and turns off GraphQL introspection and GraphiQL.",
    )
    demand_min_asked: int = Field(
        2,
        ge=1,
        description="Times a problem's text must have been asked before the demand page (/poptavka) shows it, so "
        "that one person's words are not published.",
    )
    session_idle_hours: float = Field(
        12.0, gt=0, description="Hours a log-in session lasts without a request before it must log in again."
    )
    session_max_days: float = Field(
        7.0, gt=0, description="Days a log-in session lasts at most, however busy, before it must log in again."
    )
    login_failures_per_account: int = Field(
        5,
        ge=1,
        description="Failed log-ins to one e-mail address within the failure window after which further tries are "
        "refused (429) until the oldest leaves the window.",
    )
    login_failures_per_address: int = Field(
        20,
        ge=1,
        description="Failed log-ins from one client address within the failure window after which further tries from "
        "it are refused (429).",
    )
    login_failure_window_minutes: float = Field(
        15.0, gt=0, description="Minutes a failed log-in counts towards the two limits above."
    )
    proposal_retention_days: float = Field(
        180.0,
        gt=0,
        description="Days a proposal's contact is kept; `katalog purge` (and the server, daily) deletes older ones.",
    )
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="The site's address as people reach it, without a trailing slash: the links in the e-mails "
        "the catalogue sends and, when set, a project's share link start with it.",
    )
    max_body_bytes: int = Field(
        2**20,
        ge=1,
        description="Most bytes of a request body (/sparql, /graphql, every form); a bigger one is refused with 413 "
        "before it is read, a streamed one as soon as it passes the limit.",
    )
    max_upload_bytes: int = Field(
        10 * 2**20,
        ge=1,
        description="Most bytes of a multipart/form-data request body (a file upload, such as an import).",
    )
    allowed_hosts: list[str] = Field(
        [],
        description="Host names the server answers (the request's Host header, without the port; `*.example.cz` "
        "for subdomains); any other is refused with 400. Empty: the host of the public URL, 127.0.0.1, localhost "
        "and ::1 (and the in-process test client's `testserver` outside production).",
    )
    trusted_proxies: list[str] = Field(
        [],
        description="Addresses (or networks, such as 10.0.0.0/8) of the reverse proxies in front of the server, "
        "whose X-Forwarded-For header names the client; from any other peer the header is ignored. Empty: the "
        "peer's own address is the client's, whatever headers it sends.",
    )
    header_timeout: float = Field(
        10.0,
        gt=0,
        description="Seconds a connection may take to send a request's head (its line and headers) before "
        "`katalog serve` closes it, so that slowly trickling connections cannot hold the server.",
    )
    sparql_max_answer_bytes: int = Field(
        8_000_000,
        ge=1,
        description="Most bytes of one /sparql answer; a longer one is refused with 413 and a Czech message "
        "naming the limit (ask for fewer rows, or use `katalog export`).",
    )
    sparql_client_concurrency: int = Field(
        1,
        ge=1,
        description="/sparql queries one client (its address) may have running at once; more are refused with "
        "429 at once, so a few clients cannot take every worker.",
    )
    sparql_client_seconds_per_minute: float = Field(
        30.0,
        gt=0,
        description="Seconds of query time one client may use on /sparql within a minute; past it, its queries "
        "are refused with 429 until its time of the last minute falls under the budget.",
    )
    smtp_host: str | None = Field(
        None,
        description="SMTP server the notifications are sent through; unset, nothing is sent and the admins' "
        "outbox (/sprava/posta) lists what would have been.",
    )
    smtp_port: int = Field(587, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_user: str | None = Field(None, description="User name to log in to the SMTP server with; unset: no log-in.")
    smtp_password: SecretStr | None = Field(None, description="Password to log in to the SMTP server with.")
    smtp_from: str = Field(
        "Katalog chytrých služeb <katalog@localhost>", description="Sender (From) of the notifications."
    )
    smtp_starttls: bool = Field(
        True, description="Switch the SMTP connection to TLS (STARTTLS) before logging in and sending."
    )
    smtp_timeout: float = Field(10.0, gt=0, description="Seconds to wait for the SMTP server before giving up.")

    @model_validator(mode="after")
    def _remote_store_needs_endpoints(self) -> Settings:
        if self.store == "sparql" and not (self.sparql_query_endpoint and self.sparql_update_endpoint):
            raise ValueError(
                "KATALOG_STORE=sparql needs KATALOG_SPARQL_QUERY_ENDPOINT and KATALOG_SPARQL_UPDATE_ENDPOINT"
            )
        if self.store == "sparql" and self.sparql_store_endpoint is None:
            update = str(self.sparql_update_endpoint)
            self.sparql_store_endpoint = update.removesuffix("/update") + "/store"
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    f"KATALOG_TRUSTED_PROXIES: {proxy!r} is not an IP address or network (such as 10.0.0.0/8)"
                ) from None
        if not self.instance_base.endswith(("/", "#")):
            raise ValueError("KATALOG_INSTANCE_BASE must end with '/' or '#'")
        return self

    @property
    def ontology_file(self) -> Path:
        return self.ontology_dir / "kcs.ttl"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"

    @property
    def secret_key_file(self) -> Path:
        """Where the generated secret is kept when ``secret_key`` is unset: beside the store, so it
        survives restarts (a new secret would void every form open in a browser) and moves with it."""
        return self.store_path.parent / "secret-key"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment once, on first use."""
    return Settings()
