"""The editing layer: the one way anything writes to the catalogue's store after a load.

Accounts, sessions and tokens (:mod:`.accounts`), who may do what (:mod:`.authorisation`), drafts,
review, publication, history and revert (:mod:`.drafts`), and the audit log (:mod:`.audit`). The
GraphQL mutations, the web forms and the CLI call these modules; none writes to the store or composes
SPARQL of its own.
"""
