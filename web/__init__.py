"""The site for municipalities and ministries: server-rendered Czech pages (jinja2)."""
