"""Numbered pages of a long list, for every page that lists one (good practice, a region's or a
service's realisations): the first page, the last, and a few on each side of the current one, with a
gap („…“) where pages are left out. ``macros.html``'s ``pager`` shows them."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from web.site import url_with

PAGE_PARAMETER = "strana"
PAGES_AROUND = 2
"""How many numbered pages the pager shows on each side of the current one (and the first and last)."""


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: a gap („…“)
    url: str | None = None
    current: bool = False


@dataclass(frozen=True)
class Pager:
    """What a list's pager shows: the numbered pages and the links to the neighbours of the current one."""

    links: list[PageLink]
    previous_url: str | None
    next_url: str | None


def page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def page_links(request: Request, current: int, pages: int) -> list[PageLink]:
    """The numbered pages: the first, the last and :data:`PAGES_AROUND` on each side of ``current``,
    with a gap where pages are left out."""
    shown = sorted({1, pages, *range(max(1, current - PAGES_AROUND), min(pages, current + PAGES_AROUND) + 1)})
    links: list[PageLink] = []
    for number in shown:
        if links and links[-1].number is not None and number - (links[-1].number or 0) > 1:
            links.append(PageLink(None))
        url = url_with(request, **{PAGE_PARAMETER: None if number == 1 else str(number)})
        links.append(PageLink(number, url, number == current))
    return links


def pager(request: Request, current: int, pages: int) -> Pager | None:
    """The pager of page ``current`` of ``pages``; None for a list of one page."""
    if pages <= 1:
        return None
    return Pager(
        page_links(request, current, pages),
        url_with(request, **{PAGE_PARAMETER: str(current - 1)}) if 1 < current <= pages else None,
        url_with(request, **{PAGE_PARAMETER: str(current + 1)}) if current < pages else None,
    )
