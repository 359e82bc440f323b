"""`katalog serve`, started many times fast: a process that imports the app once, then for each line
``serve PORT`` on its standard input forks a child that runs the real `katalog serve` command on
127.0.0.1 and prints the child's pid.

The crash-safety test kills the serving process 50 times; a fresh `katalog serve` spends more than two
seconds importing its modules before it opens anything, which would be most of the test's time. The
child does everything a started server does from there on: it opens the store and the search index,
starts the /sparql workers, serves and writes.

Run as ``python -m tests.forked_server LOG``; each child's output goes to LOG.
"""

from __future__ import annotations

import os
import signal
import sys

import api.app  # noqa: F401 - imported before forking, which is the point
from catalogue import cli


def main(log: str) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system: a killed one vanishes
    for line in sys.stdin:
        command, _, port = line.strip().partition(" ")
        if command != "serve":
            continue
        child = os.fork()
        if child == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the server waits for its own worker processes
            output = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.dup2(output, 1)
            os.dup2(output, 2)
            os.close(0)
            try:
                cli.main(["serve", "--host", "127.0.0.1", "--port", port])
            finally:
                os._exit(1)
        print(child, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
