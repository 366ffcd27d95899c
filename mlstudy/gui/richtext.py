"""Text from outside as Qt rich text, safely: every label built from card text, every
link opened, every card view's resources go through here.

Card text (questions, tags, sources, deck problems) is data. Qt treats a string that
looks like markup as rich text in labels, tooltips and message boxes, and rich text
loads images from local paths: ``<img src=/dev/zero>`` in a tag aborted the app. So
card text is escaped before it joins rich text, labels that show messages are plain
text, links open only for http, https and mailto, and a card view loads nothing but
capped inline images.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage
from PySide6.QtWidgets import QLabel, QTextBrowser, QWidget

from mlstudy.services.render import inline_image_allowed, link_allowed


class Markup(str):
    """Rich text that is already safe (built here from escaped parts); not escaped again."""

    __slots__ = ()


def escape(text: object) -> Markup:
    """Any value as rich text that shows exactly its characters."""
    return Markup(html.escape(str(text), quote=True))


def rich(template: str, /, **values: object) -> Markup:
    """Fill a rich-text template of our own; every value is escaped unless it is Markup.

    ``rich("<b>{name}</b>", name=card.domain_name)``
    """
    safe = {k: v if isinstance(v, Markup) else escape(v) for k, v in values.items()}
    return Markup(template.format(**safe))


def link(url: str, text: str) -> Markup:
    """A link when the URL may be opened (http, https, mailto), else just the text."""
    if not link_allowed(url):
        return escape(text)
    return rich('<a href="{url}">{text}</a>', url=url, text=text)


def as_rich_text(text: str) -> Markup:
    """Plain text forced to display as such where Qt guesses the format (tooltips)."""
    return Markup("<qt>" + html.escape(text).replace("\n", "<br/>") + "</qt>")


def open_link(url: QUrl | str) -> bool:
    """Open a link in the system's browser or mail app: http, https and mailto only."""
    target = url if isinstance(url, QUrl) else QUrl(url)
    text = target.toString(QUrl.ComponentFormattingOption.FullyEncoded)
    if not link_allowed(text):
        return False
    QDesktopServices.openUrl(target)
    return True


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that shows its text as plain text, whatever it looks like."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class CardBrowser(QTextBrowser):
    """A read-only card view: links go to ``open_link``, nothing is fetched or read from
    disk; only inline images within the caps load."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(open_link)

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        """Capped inline ``data:`` images only; never a file or the network.

        Anything else gets an empty answer rather than none: with none, the document
        would fall back to loading the URL itself (local files included).
        """
        url = QUrl(name) if isinstance(name, str) else name
        text = url.toString()
        if url.scheme() == "data" and inline_image_allowed(text):
            image = QImage.fromData(QByteArray.fromBase64(text.split(",", 1)[1].encode()))
            if not image.isNull():
                return image
        return QByteArray()
