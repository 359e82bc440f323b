"""Deployment of the scaled topology: the nginx configuration template and its launcher."""
