"""The site's pages, one module each; every module has a ``router``, which ``web.routes`` includes."""
