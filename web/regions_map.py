"""The map of the Czech regions with a number per region, drawn as an inline SVG tile map.

Why a tile map (one equal square per region on a grid that follows Czechia's shape) and not the
regions' borders: the site must draw its map offline, with no tile server, and no boundary data with
a licence fit for the catalogue is at hand here (amCharts' geodata asks for a link back, Natural
Earth is not packaged for this machine). A tile map also reads better for this picture: Prague, the
smallest region, gets a tile as big as the Central Bohemian Region around it, every tile has room
for its count written in it, and the tiles are links of equal, comfortable size.

The tile positions are presentation, kept here by ISO 3166-2:CZ code; the regions themselves (their
IRIs, names and codes) and the counts come from the graph. A region the graph does not have is not
drawn; the page's table lists every region the graph has, drawn or not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from catalogue.queries.concept import Resource

TILE_POSITIONS: Mapping[str, tuple[int, int]] = {
    # (column, row): Bohemia on the left, Moravia and Silesia on the right, north at the top.
    "CZ-41": (0, 1),  # Karlovarský kraj
    "CZ-42": (1, 0),  # Ústecký kraj
    "CZ-51": (2, 0),  # Liberecký kraj
    "CZ-52": (3, 0),  # Královéhradecký kraj
    "CZ-32": (0, 2),  # Plzeňský kraj
    "CZ-20": (1, 1),  # Středočeský kraj
    "CZ-10": (2, 1),  # Hlavní město Praha
    "CZ-53": (3, 1),  # Pardubický kraj
    "CZ-80": (5, 1),  # Moravskoslezský kraj
    "CZ-31": (1, 2),  # Jihočeský kraj
    "CZ-63": (2, 2),  # Kraj Vysočina
    "CZ-71": (4, 1),  # Olomoucký kraj
    "CZ-64": (3, 2),  # Jihomoravský kraj
    "CZ-72": (4, 2),  # Zlínský kraj
}
"""Where each region's tile stands, by ISO 3166-2:CZ code."""

SHORT_NAMES: Mapping[str, str] = {
    # The regions' customary three-letter abbreviations, which a tile shows instead of the full name
    # where the map is drawn small (presentation, like the positions).
    "CZ-10": "PHA",
    "CZ-20": "STČ",
    "CZ-31": "JHČ",
    "CZ-32": "PLK",
    "CZ-41": "KVK",
    "CZ-42": "ULK",
    "CZ-51": "LBK",
    "CZ-52": "HKK",
    "CZ-53": "PAK",
    "CZ-63": "VYS",
    "CZ-64": "JHM",
    "CZ-71": "OLK",
    "CZ-72": "ZLK",
    "CZ-80": "MSK",
}
"""A region's short name by ISO code, for the map on a phone (the full name is in the tile's title)."""

COLUMNS = 1 + max(column for column, _ in TILE_POSITIONS.values())
ROWS = 1 + max(row for _, row in TILE_POSITIONS.values())
TILE_WIDTH, TILE_HEIGHT = 130, 100  # wide enough for "Královéhradecký" on a line of its own
GAP = 6

# A sequential blue scale, light to dark; text is dark on the light steps and white on the dark
# ones, each pair at a contrast of 4.5:1 or more.
SCALE = ("#eef3f9", "#c6d8ee", "#8fb3dc", "#3f78b8", "#1d4f8a")
DARK_TEXT, LIGHT_TEXT = "#14202e", "#ffffff"
FIRST_LIGHT_TEXT_STEP = 3


@dataclass(frozen=True)
class Tile:
    region: Resource
    count: int
    x: int
    y: int
    fill: str
    text: str

    @property
    def name_lines(self) -> list[str]:
        """The region's name a word per line: a tile is too narrow for "Královéhradecký kraj"."""
        return self.region.label.split()

    @property
    def short_name(self) -> str:
        """The region's abbreviation, or its ISO code for a region without one."""
        return SHORT_NAMES.get(self.region.code or "", self.region.code or "")


@dataclass(frozen=True)
class Step:
    """One colour of the legend and the counts it stands for (``low`` to ``high``, inclusive)."""

    low: int
    high: int
    fill: str


@dataclass(frozen=True)
class TileMap:
    tiles: tuple[Tile, ...]
    steps: tuple[Step, ...]
    width: int = COLUMNS * TILE_WIDTH + (COLUMNS - 1) * GAP
    height: int = ROWS * TILE_HEIGHT + (ROWS - 1) * GAP


def _steps(highest: int) -> tuple[Step, ...]:
    """Zero on its own, then the counts 1 … ``highest`` split into equal ranges, at most one per colour."""
    steps = [Step(0, 0, SCALE[0])]
    colours = SCALE[1:]
    if highest <= 0:
        return tuple(steps)
    ranges = min(len(colours), highest)
    low = 1
    for index in range(ranges):
        high = round(highest * (index + 1) / ranges)
        steps.append(Step(low, high, colours[index]))
        low = high + 1
    return tuple(steps)


def tile_map(regions: Sequence[Resource], counts: Mapping[str, int]) -> TileMap:
    """The tiles of ``regions`` (``code`` = ISO code) with their ``counts`` (by region IRI)."""
    steps = _steps(max((counts.get(region.iri, 0) for region in regions), default=0))
    tiles = []
    for region in regions:
        position = TILE_POSITIONS.get(region.code or "")
        if position is None:
            continue
        count = counts.get(region.iri, 0)
        index = next(number for number, step in enumerate(steps) if step.low <= count <= step.high)
        column, row = position
        tiles.append(
            Tile(
                region=region,
                count=count,
                x=column * (TILE_WIDTH + GAP),
                y=row * (TILE_HEIGHT + GAP),
                fill=steps[index].fill,
                text=LIGHT_TEXT if SCALE.index(steps[index].fill) >= FIRST_LIGHT_TEXT_STEP else DARK_TEXT,
            )
        )
    tiles.sort(key=lambda tile: (tile.y, tile.x))  # reading order, for keyboard and screen reader
    return TileMap(tuple(tiles), steps)
