"""The HTTP face of the catalogue: one FastAPI application built by :func:`api.app.create_app`."""
