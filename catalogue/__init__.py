"""Katalog chytrých služeb: the knowledge graph of Czech smart-city policy and the tools that load it."""
