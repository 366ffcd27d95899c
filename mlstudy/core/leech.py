"""Leeches: cards a person keeps failing (Anki's name and default threshold).

A card is a leech once it has lapsed ``LEECH_LAPSES`` times: that many state-changing
answers graded below 3 (``core.replay``'s ``lapses``; same-day drills do not count).
Rewriting the card, or reading its source, usually helps more than more reviews.
"""

from __future__ import annotations

LEECH_LAPSES = 8
"""Lapses that make a card a leech (Anki's default leech threshold)."""
LEECH_HINT = "You keep missing this: rewrite it, or read its source."


def is_leech(lapses: int) -> bool:
    """True for a card that has lapsed at least ``LEECH_LAPSES`` times."""
    return lapses >= LEECH_LAPSES


def became_leech(lapses_before: int, lapses_after: int) -> bool:
    """True when an answer made the card a leech (its lapse that reached the threshold)."""
    return not is_leech(lapses_before) and is_leech(lapses_after)
