"""Keyboard shortcuts that describe themselves, and the F1 list built from them.

A page binds its keys with ``bind`` (the description rides on the ``QShortcut``); the
main window lists its menu actions and each page's shortcuts, so the Help list is
made from the keys that really work, never from a text kept by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

Entry = tuple[str, str]
"""(keys as shown, what they do)."""


def bind(
    widget: QWidget,
    keys: str,
    slot: Callable[[], object],
    description: str,
    context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut,
) -> QShortcut:
    """A shortcut on ``widget`` that carries its description for the F1 list."""
    shortcut = QShortcut(QKeySequence(keys), widget)
    shortcut.setContext(context)
    shortcut.activated.connect(slot)
    shortcut.setWhatsThis(description)
    return shortcut


def _key_text(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def widget_entries(widget: QWidget) -> list[Entry]:
    """The described shortcuts of a widget and its children; keys with one description
    are joined ("Space, Return")."""
    grouped: dict[str, list[str]] = {}
    for shortcut in widget.findChildren(QShortcut):
        description = shortcut.whatsThis()
        if description:
            grouped.setdefault(description, []).append(_key_text(shortcut.key()))
    return [(", ".join(keys), description) for description, keys in grouped.items()]


def action_entries(actions: Iterable[QAction]) -> list[Entry]:
    """Menu actions that have a shortcut, with their menu text."""
    entries = []
    for action in actions:
        keys = [_key_text(k) for k in action.shortcuts() if not k.isEmpty()]
        if keys:
            entries.append((", ".join(keys), action.text().replace("&", "").rstrip("…")))
    return entries


def help_text(sections: Sequence[tuple[str, Sequence[Entry]]]) -> str:
    """The sections as aligned plain text (keys in one column, for a fixed-width font)."""
    width = max((len(keys) for _title, entries in sections for keys, _d in entries), default=0)
    lines = ["Keyboard shortcuts"]
    for title, entries in sections:
        if not entries:
            continue
        lines += ["", title]
        lines += [f"  {keys.ljust(width)}   {description}" for keys, description in entries]
    return "\n".join(lines) + "\n"
