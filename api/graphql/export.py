"""``python -m api.graphql.export``: write the schema to ``schema.graphql`` at the repository's root
(``--check`` only compares, exiting 1 when the committed file differs)."""

from __future__ import annotations

import sys
from pathlib import Path

from api.graphql.schema import schema_text

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def main(argv: list[str]) -> int:
    current = schema_text()
    if "--check" in argv:
        if not SCHEMA_FILE.exists() or SCHEMA_FILE.read_text(encoding="utf-8") != current:
            print(f"{SCHEMA_FILE} differs from the schema: run `python -m api.graphql.export`", file=sys.stderr)
            return 1
        return 0
    SCHEMA_FILE.write_text(current, encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
