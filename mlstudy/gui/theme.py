"""Light and dark palettes, one stylesheet for type and controls, the UI zoom, and the
domain colours.

Type sizes live here, not in the pages: a page marks a label with a ``role`` property
("title", "number", "heading", "muted", "error") and the stylesheet sizes it from the
application font times the UI zoom, so Ctrl+= and Ctrl+- scale every page together.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from mlstudy import paths

DOMAIN_COLORS = {1: "#0072B2", 2: "#E69F00", 3: "#009E73", 4: "#CC79A7", 5: "#56B4E9", 6: "#D55E00"}
"""One colour per domain everywhere in the app (Okabe-Ito, safe for colour blindness)."""

ZOOM_STEPS = (0.8, 0.9, 1.0, 1.1, 1.25, 1.4, 1.6)
"""The UI zoom levels that Ctrl+= and Ctrl+- step through."""
ROLES = ("title", "number", "heading", "muted", "error", "success")
"""Values of the ``role`` property that the stylesheet knows."""


@dataclass(frozen=True, slots=True)
class Colors:
    """The colours of one theme that the stylesheet uses."""

    text: str
    muted: str
    base: str
    button: str
    button_hover: str
    border: str
    focus: str
    accent: str
    error: str
    success: str
    lapse_bg: str
    lapse_border: str
    hard_bg: str
    hard_border: str
    pass_bg: str
    pass_border: str
    nav_selected: str
    panel: str
    panel_border: str


LIGHT = Colors(
    text="#1f2328",
    muted="#59636e",
    base="#ffffff",
    button="#f6f8fa",
    button_hover="#eaeef2",
    border="#8c959f",
    focus="#0969da",
    accent="#0969da",
    error="#cf222e",
    success="#1a7f37",
    lapse_bg="#ffebe9",
    lapse_border="#cf222e",
    hard_bg="#fff8c5",
    hard_border="#9a6700",
    pass_bg="#dafbe1",
    pass_border="#1a7f37",
    nav_selected="#ddf4ff",
    panel="#ffffff",
    panel_border="#d0d7de",
)
DARK = Colors(
    text="#e6edf3",
    muted="#9198a1",
    base="#0d1117",
    button="#2a2f36",
    button_hover="#343a42",
    border="#8b949e",
    focus="#58a6ff",
    accent="#2f81f7",
    error="#ff7b72",
    success="#3fb950",
    lapse_bg="#4a1c1f",
    lapse_border="#f85149",
    hard_bg="#3d3110",
    hard_border="#d29922",
    pass_bg="#12361f",
    pass_border="#3fb950",
    nav_selected="#1f3a5f",
    panel="#161b22",
    panel_border="#3d444d",
)

_state = {"zoom": 1.0, "base_pt": 0.0, "dark": False}


def domain_color(number: int) -> str:
    """The colour of a domain number."""
    return DOMAIN_COLORS.get(number, "#999999")


def domain_text_color(number: int) -> str:
    """A domain's colour for text: lightened on a dark theme, where the darker Okabe-Ito
    colours (domain 1's blue) are hard to read."""
    color = QColor(domain_color(number))
    if _state["dark"] and color.lightnessF() < 0.6:
        color = color.lighter(160)
    return str(color.name())


def system_prefers_dark() -> bool:
    """True when the desktop asks for a dark colour scheme."""
    hints = QGuiApplication.styleHints()
    return bool(hints.colorScheme() == Qt.ColorScheme.Dark)


def is_dark(theme: str) -> bool:
    """Whether a theme setting ("light", "dark", "system") means dark right now."""
    return theme == "dark" or (theme == "system" and system_prefers_dark())


def colors(dark: bool | None = None) -> Colors:
    """The colours of the theme in use (or of the one asked for)."""
    return DARK if (_state["dark"] if dark is None else dark) else LIGHT


def zoom() -> float:
    """The UI zoom in use (1.0: the system's size)."""
    return float(_state["zoom"])


def next_zoom(current: float, step: int) -> float:
    """The zoom one step up (+1) or down (-1) from ``current``, within ``ZOOM_STEPS``."""
    index = min(range(len(ZOOM_STEPS)), key=lambda i: abs(ZOOM_STEPS[i] - current))
    return ZOOM_STEPS[max(0, min(len(ZOOM_STEPS) - 1, index + step))]


def set_role(widget: QWidget, role: str) -> None:
    """Give a widget a stylesheet role (type size or colour) and restyle it."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    widget.setProperty("role", role)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def stylesheet(c: Colors, point_size: float) -> str:
    """The application stylesheet: type by role, inputs, buttons, focus ring, sidebar."""
    icons = paths.resources_dir() / "icons"
    check = (icons / "check.svg").as_posix()
    up = (icons / "arrow-up.svg").as_posix()
    down = (icons / "arrow-down.svg").as_posix()

    def pt(factor: float) -> str:
        return f"{point_size * factor:.1f}pt"

    return f"""
QWidget {{ font-size: {pt(1)}; }}
QLabel[role="title"] {{ font-size: {pt(1.45)}; font-weight: 700; }}
QLabel[role="number"] {{ font-size: {pt(2.1)}; font-weight: 700; }}
QLabel[role="heading"] {{ font-size: {pt(1.12)}; font-weight: 600; }}
QLabel[role="muted"] {{ color: {c.muted}; }}
QLabel[role="error"] {{ color: {c.error}; }}
QLabel[role="success"] {{ color: {c.success}; }}
QPushButton {{
    background: {c.button}; color: {c.text}; border: 1px solid {c.border};
    border-radius: 5px; padding: 5px 12px;
}}
QPushButton:hover {{ background: {c.button_hover}; }}
QPushButton:disabled {{ color: {c.muted}; border-color: {c.button_hover}; }}
QPushButton:focus {{ border: 2px solid {c.focus}; padding: 4px 11px; }}
QPushButton[primary="true"] {{
    background: {c.accent}; color: #ffffff; border-color: {c.accent}; font-weight: 600;
}}
QPushButton[primary="true"]:focus {{ border: 2px solid {c.text}; }}
QPushButton[outcome] {{ padding: 4px 2px; min-height: 2.7em; }}
QPushButton[outcome]:focus {{ padding: 3px 1px; }}
QPushButton[outcome="lapse"] {{ background: {c.lapse_bg}; border-color: {c.lapse_border}; }}
QPushButton[outcome="hard"] {{ background: {c.hard_bg}; border-color: {c.hard_border}; }}
QPushButton[outcome="pass"] {{ background: {c.pass_bg}; border-color: {c.pass_border}; }}
QPushButton[outcome="lapse"]:focus, QPushButton[outcome="hard"]:focus,
QPushButton[outcome="pass"]:focus {{ border: 2px solid {c.focus}; }}
QLineEdit, QSpinBox, QDateEdit, QTimeEdit, QComboBox, QPlainTextEdit {{
    border: 1px solid {c.border}; border-radius: 4px; padding: 2px 4px;
    background: {c.base}; color: {c.text}; min-height: 1.5em;
}}
QLineEdit:disabled, QSpinBox:disabled, QDateEdit:disabled, QTimeEdit:disabled,
QComboBox:disabled {{ color: {c.muted}; background: {c.button}; border-color: {c.button_hover}; }}
QSpinBox, QDateEdit, QTimeEdit {{ padding-right: 20px; }}
QComboBox {{ padding-right: 20px; }}
QLineEdit:focus, QSpinBox:focus, QDateEdit:focus, QTimeEdit:focus, QComboBox:focus,
QPlainTextEdit:focus {{ border: 2px solid {c.focus}; padding: 1px 3px; }}
QSpinBox:focus, QDateEdit:focus, QTimeEdit:focus, QComboBox:focus {{ padding-right: 19px; }}
QSpinBox::up-button, QDateEdit::up-button, QTimeEdit::up-button {{
    subcontrol-origin: border; subcontrol-position: top right; width: 18px;
    border: none; border-left: 1px solid {c.button_hover}; background: transparent;
}}
QSpinBox::down-button, QDateEdit::down-button, QTimeEdit::down-button {{
    subcontrol-origin: border; subcontrol-position: bottom right; width: 18px;
    border: none; border-left: 1px solid {c.button_hover}; background: transparent;
}}
QSpinBox::up-arrow, QDateEdit::up-arrow, QTimeEdit::up-arrow {{
    image: url("{up}"); width: 9px; height: 6px;
}}
QSpinBox::down-arrow, QDateEdit::down-arrow, QTimeEdit::down-arrow,
QComboBox::down-arrow {{ image: url("{down}"); width: 9px; height: 6px; }}
QDateEdit[calendarPopup="true"]::drop-down, QComboBox::drop-down {{
    subcontrol-origin: padding; subcontrol-position: center right; width: 18px;
    border: none; background: transparent;
}}
QSpinBox::up-button:hover, QSpinBox::down-button:hover, QDateEdit::up-button:hover,
QDateEdit::down-button:hover, QTimeEdit::up-button:hover, QTimeEdit::down-button:hover,
QComboBox::drop-down:hover {{ background: {c.button_hover}; }}
QComboBox QAbstractItemView {{
    background: {c.base}; color: {c.text}; selection-background-color: {c.nav_selected};
    selection-color: {c.text}; border: 1px solid {c.border};
}}
QTableView:focus, QListView:focus, QTreeView:focus, QTextBrowser:focus {{
    border: 2px solid {c.focus};
}}
QCheckBox::indicator {{
    width: 14px; height: 14px; border: 1px solid {c.border}; border-radius: 3px;
    background: {c.base};
}}
QCheckBox::indicator:checked {{
    background: {c.accent}; border-color: {c.accent}; image: url("{check}");
}}
QCheckBox::indicator:disabled {{ border-color: {c.button_hover}; }}
QCheckBox:focus {{ color: {c.focus}; }}
QListWidget#nav {{ border: none; background: transparent; outline: none; }}
QListWidget#nav::item {{ padding: 7px 6px; border-radius: 5px; color: {c.text}; }}
QListWidget#nav::item:selected {{ background: {c.nav_selected}; color: {c.text}; }}
QListWidget#nav:focus {{ border: none; }}
QListWidget#nav::item:focus {{ border: 2px solid {c.focus}; }}
QFrame#panel {{
    background: {c.panel}; border: 1px solid {c.panel_border}; border-radius: 8px;
}}
QToolTip {{ color: {c.text}; background: {c.button}; border: 1px solid {c.border}; }}
"""


def apply_theme(app: QApplication, theme: str, ui_zoom: float | None = None) -> bool:
    """Apply the Fusion style with a light or dark palette and the stylesheet at a UI
    zoom (None keeps the current one); return True when dark."""
    app.setStyle("Fusion")
    if not _state["base_pt"]:
        _state["base_pt"] = app.font().pointSizeF() if app.font().pointSizeF() > 0 else 10.0
    if ui_zoom is not None:
        _state["zoom"] = ui_zoom
    dark = is_dark(theme)
    _state["dark"] = dark
    palette = QPalette()
    if dark:
        roles = {
            QPalette.ColorRole.Window: "#1e2126",
            QPalette.ColorRole.WindowText: "#e6edf3",
            QPalette.ColorRole.Base: "#0d1117",
            QPalette.ColorRole.AlternateBase: "#22262c",
            QPalette.ColorRole.Text: "#e6edf3",
            QPalette.ColorRole.Button: "#2a2f36",
            QPalette.ColorRole.ButtonText: "#e6edf3",
            QPalette.ColorRole.Highlight: "#2f6fb3",
            QPalette.ColorRole.HighlightedText: "#ffffff",
            QPalette.ColorRole.ToolTipBase: "#2a2f36",
            QPalette.ColorRole.ToolTipText: "#e6edf3",
            QPalette.ColorRole.PlaceholderText: "#8b949e",
            QPalette.ColorRole.Link: "#58a6ff",
            QPalette.ColorRole.Mid: "#6e7681",
            QPalette.ColorRole.Dark: "#8b949e",
        }
        for role, color in roles.items():
            palette.setColor(role, QColor(color))
        palette.setColor(
            QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#6e7681")
        )
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6e7681"))
        palette.setColor(
            QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#6e7681")
        )
    else:
        palette = app.style().standardPalette()
    app.setPalette(palette)
    app.setStyleSheet(stylesheet(colors(dark), float(_state["base_pt"]) * zoom()))
    return dark
