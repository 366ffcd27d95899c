"""Chart colours: the light and dark palettes, answer-kind and card-state colours.

Plain ``#rrggbb`` strings and pure functions, so view models can hold colours and
tests can compare them without Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

KIND_COLORS = {"new": "#8e6bbf", "review": "#5b8db8", "drill": "#d4a72c"}
"""Answer kinds; chosen away from the domain colours so the two never read alike."""
STATE_COLORS = {"new": "#8e6bbf", "learning": "#d4a72c", "mature": "#2e9e5b", "due": "#d1495b"}
"""Card states; "due" also marks today's bar of the due forecast."""


@dataclass(frozen=True, slots=True)
class Palette:
    """The colours of a chart in the light or the dark theme."""

    dark: bool
    background: str
    foreground: str
    muted: str
    axis: str
    accent: str
    hover_fill: str
    heat_empty: str
    heat_low: str
    heat_high: str

    @classmethod
    def for_theme(cls, dark: bool) -> Palette:
        """The dark palette when ``dark``, else the light one."""
        return DARK if dark else LIGHT


LIGHT = Palette(
    dark=False,
    background="#ffffff",
    foreground="#1f2328",
    muted="#59636e",
    axis="#c8ccd1",
    accent="#0969da",
    hover_fill="#f6f8fa",
    heat_empty="#ebedf0",
    heat_low="#9be9a8",
    heat_high="#216e39",
)
DARK = Palette(
    dark=True,
    background="#15181c",
    foreground="#e6edf3",
    muted="#8b949e",
    axis="#3d444d",
    accent="#4493f8",
    hover_fill="#2a2f36",
    heat_empty="#262c34",
    heat_low="#0e4429",
    heat_high="#39d353",
)


def rgb(color: str) -> tuple[int, int, int]:
    """``"#rrggbb"`` -> (red, green, blue)."""
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def hex_color(red: float, green: float, blue: float) -> str:
    """(red, green, blue), each 0..255 and rounded -> ``"#rrggbb"``."""
    return f"#{round(red):02x}{round(green):02x}{round(blue):02x}"


def blend(low: str, high: str, share: float) -> str:
    """The colour ``share`` (0..1) of the way from ``low`` to ``high``."""
    start, end = rgb(low), rgb(high)
    return hex_color(*(a + (b - a) * share for a, b in zip(start, end, strict=True)))


def heat_share(count: float, busiest: float) -> float:
    """Where a day's count sits on the heat scale, 0..1 (square root: quiet days show)."""
    if busiest <= 0 or count <= 0:
        return 0.0
    return math.sqrt(min(count, busiest) / busiest)


def swatch(color: str, label: str, mark: str = "■") -> str:
    """A coloured mark and a label, as legend HTML."""
    return f'<span style="color:{color}">{mark}</span>&nbsp;{escape(label)}'
