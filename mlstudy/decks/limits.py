"""Caps on what a deck may make mlstudy do: bytes read, folder depth, card size, nesting,
render time and inline images. Deck files come from outside (shared decks, imports, a
sync folder): a card over a cap is shown as plain text and reported, never rendered.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from urllib.parse import urlsplit

MAX_FILE_BYTES = 2 * 1024 * 1024
"""A card file larger than this is reported and not read."""
MAX_FOLDER_DEPTH = 24
"""Folders nested deeper than this under a deck folder are not walked."""
MAX_CARD_CHARS = 16 * 1024
"""Markdown characters of one card (question or answer) that are rendered."""
MAX_NESTING = 32
"""Levels of lists, quotes, brackets or HTML elements that are rendered."""
RENDER_SECONDS = 2.0
"""A card that takes longer than this to render is shown as plain text."""
MAX_IMAGE_BYTES = 512 * 1024
"""Decoded bytes of one inline ``data:`` image."""
MAX_IMAGE_PIXELS = 4_000_000
"""Width times height of one inline image (a small PNG can claim a huge canvas)."""
MAX_IMAGES_BYTES = 2 * 1024 * 1024
"""Decoded bytes of all inline images of one card."""
LINK_SCHEMES = ("http", "https", "mailto")

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_PREFIX_RE = re.compile(r"^(?:[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)))+")
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?:[^<>]*?(/?)>)?")
_CODE_SPAN_RE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_VOID_TAGS = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "area", "col"})
_DATA_URI_RE = re.compile(r"data:image/[A-Za-z+.-]+;base64,[A-Za-z0-9+/=]+")
_DATA_IMAGE_RE = re.compile(r"^data:image/(png|gif|jpeg);base64,([A-Za-z0-9+/=\s]*)$", re.I)


_BRACKET_RE = re.compile(r"[][()]")
_LINE_START_RE = re.compile(r"^[ \t>*+\-0-9.)]*", re.M)


def nesting_bound(text: str) -> int:
    """At least ``nesting_depth(text)``, in a few passes of C: every level it counts
    takes a bracket, a ``<``, or one character of a line's leading run of indentation
    and list or quote markers."""
    lead = max((len(run) for run in _LINE_START_RE.findall(text)), default=0)
    return max(text.count("[") + text.count("("), text.count("<"), lead)


def nesting_depth(text: str) -> int:
    """The deepest nesting in card markdown outside fenced code: list and quote levels
    (markers and indentation), brackets, and HTML elements."""
    deepest = 0
    fence: str | None = None
    brackets = 0
    elements = 0
    for line in text.split("\n"):
        match = _FENCE_RE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker[0]
            elif marker[0] == fence:
                fence = None
            continue
        if fence is not None:
            continue
        prefix = _PREFIX_RE.match(line)
        markers = len(re.findall(r"[-*+>]|\d+[.)]", prefix.group(0))) if prefix else 0
        indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))
        deepest = max(deepest, markers + indent // 4)
        line = _CODE_SPAN_RE.sub("", line)  # `List<String>` in code is text, not markup
        for char in _BRACKET_RE.findall(line):
            if char in "[(":
                brackets += 1
                deepest = max(deepest, brackets)
            elif char in "])" and brackets:
                brackets -= 1
        for closing, name, self_closing in _TAG_RE.findall(line):
            if name.lower() in _VOID_TAGS or self_closing:
                continue
            if closing:
                elements = max(0, elements - 1)
            else:
                elements += 1
                deepest = max(deepest, elements)
    return deepest


def over_cap(text: str) -> str | None:
    """Why a card's markdown is not rendered (size or nesting), or None."""
    # Inline images are capped on their own (``data_image_bytes``): their base64 does not
    # count as text, up to the images' cap.
    size = len(_DATA_URI_RE.sub("", text)) if len(text) > MAX_CARD_CHARS else len(text)
    if size > MAX_CARD_CHARS or len(text) > MAX_CARD_CHARS + MAX_IMAGES_BYTES * 4 // 3 + 4096:
        return (
            f"card text is {size / 1024:.1f} KB; cards over "
            f"{MAX_CARD_CHARS // 1024} KB are shown as plain text"
        )
    depth = nesting_depth(text) if nesting_bound(text) > MAX_NESTING else 0
    if depth > MAX_NESTING:
        return (
            f"card nests {depth} levels deep (lists, quotes, brackets or HTML); cards over "
            f"{MAX_NESTING} levels are shown as plain text"
        )
    return None


def is_link_allowed(url: str) -> bool:
    """True for an absolute http(s) URL with a host, or a mailto: address."""
    url = url.strip()
    if not url or any(c.isspace() or c in "<>\"'`\\" for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return bool(parts.hostname)
    return scheme == "mailto" and "@" in parts.path


def is_source_url(url: str) -> bool:
    """True for a card source: an absolute http(s) URL with a host."""
    return is_link_allowed(url) and urlsplit(url.strip()).scheme.lower() in ("http", "https")


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG, GIF or JPEG header; None when it cannot be read."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                return None
            marker = data[index + 1]
            length = int.from_bytes(data[index + 2 : index + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + length
    return None


def data_image_bytes(src: str) -> int | None:
    """Decoded size of an inline PNG, GIF or JPEG within the caps; None to drop it."""
    match = _DATA_IMAGE_RE.match(src.strip())
    if match is None or len(match.group(2)) > MAX_IMAGE_BYTES * 4 // 3 + 1024:
        return None
    try:
        data = base64.b64decode(re.sub(r"\s", "", match.group(2)), validate=True)
    except (binascii.Error, ValueError):
        return None
    size = image_size(data)
    if size is None or len(data) > MAX_IMAGE_BYTES:
        return None
    width, height = size
    if width <= 0 or height <= 0 or width * height > MAX_IMAGE_PIXELS:
        return None
    return len(data)
