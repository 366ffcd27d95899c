"""Light and dark palettes, the user's font size, and the domain colours."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

DOMAIN_COLORS = {1: "#0072B2", 2: "#E69F00", 3: "#009E73", 4: "#CC79A7", 5: "#56B4E9", 6: "#D55E00"}
"""One colour per domain everywhere in the app (Okabe-Ito, safe for colour blindness)."""


def domain_color(number: int) -> str:
    """The colour of a domain number."""
    return DOMAIN_COLORS.get(number, "#999999")


def system_prefers_dark() -> bool:
    """True when the desktop asks for a dark colour scheme."""
    hints = QGuiApplication.styleHints()
    return bool(hints.colorScheme() == Qt.ColorScheme.Dark)


def is_dark(theme: str) -> bool:
    """Whether a theme setting ("light", "dark", "system") means dark right now."""
    return theme == "dark" or (theme == "system" and system_prefers_dark())


def apply_theme(app: QApplication, theme: str) -> bool:
    """Apply the Fusion style with a light or dark palette; return True when dark."""
    app.setStyle("Fusion")
    dark = is_dark(theme)
    palette = QPalette()
    if dark:
        roles = {
            QPalette.ColorRole.Window: "#1e2126",
            QPalette.ColorRole.WindowText: "#e6edf3",
            QPalette.ColorRole.Base: "#15181c",
            QPalette.ColorRole.AlternateBase: "#22262c",
            QPalette.ColorRole.Text: "#e6edf3",
            QPalette.ColorRole.Button: "#2a2f36",
            QPalette.ColorRole.ButtonText: "#e6edf3",
            QPalette.ColorRole.Highlight: "#2f6fb3",
            QPalette.ColorRole.HighlightedText: "#ffffff",
            QPalette.ColorRole.ToolTipBase: "#2a2f36",
            QPalette.ColorRole.ToolTipText: "#e6edf3",
            QPalette.ColorRole.PlaceholderText: "#8b949e",
            QPalette.ColorRole.Link: "#4493f8",
        }
        for role, color in roles.items():
            palette.setColor(role, QColor(color))
        palette.setColor(
            QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#6e7681")
        )
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6e7681"))
    else:
        palette = app.style().standardPalette()
    app.setPalette(palette)
    return dark
