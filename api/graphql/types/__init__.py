"""The GraphQL types, one module per domain: the concept, funding, projects, search and the answer."""
