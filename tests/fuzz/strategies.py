"""Hypothesis strategies for input from outside: deck files and their parts.

Reusable by every feature that reads files it did not write (decks today; Anki packages
and sync folders next): build on ``text_pieces``, ``urls``, ``html_fragments``,
``markdown_blocks`` and ``nested`` for new formats, and on ``card_file_bytes`` for
anything that ends up as a deck. Sizes reach past the caps in ``mlstudy.decks.limits``
so the checks see both sides of each cap.
"""

from __future__ import annotations

from hypothesis import strategies as st

from mlstudy.decks import limits

SCHEMES = ["http", "https", "mailto", "javascript", "file", "data", "ftp", "smb", "qrc", ""]
NASTY_TEXT = [
    "<",
    ">",
    "&",
    '"',
    "'",
    "`",
    "\\",
    "\x00",
    "\u202e",
    "\ufeff",
    "\r",
    "{#",
    "}",
    "## ",
    ":tags:",
    "```",
    "~~~",
    "---",
    "<!--",
    "]]>",
    "&#x3C;",
    "%00",
    "%2e%2e/",
    "../",
    "/dev/zero",
    "file:///etc/passwd",
]


def text_pieces() -> st.SearchStrategy[str]:
    """Short text with the characters that break markup, paths and parsers."""
    return st.lists(st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=12)), max_size=8).map(
        "".join
    )


def urls() -> st.SearchStrategy[str]:
    """URLs of every scheme mlstudy refuses or allows, well-formed or not."""
    return st.builds(
        lambda scheme, sep, host, path: f"{scheme}{sep}{host}{path}",
        st.sampled_from(SCHEMES),
        st.sampled_from(["://", ":", ":/", ""]),
        st.sampled_from(["example.com", "", "localhost", "user@host", "a b", "[::1]", "ü.example"]),
        text_pieces(),
    )


def data_image_uris() -> st.SearchStrategy[str]:
    """``data:`` URIs: images in and over the caps, other types, broken base64."""
    import base64
    import struct
    import zlib

    def png(width: int, height: int) -> bytes:
        def chunk(kind: bytes, data: bytes) -> bytes:
            return (
                struct.pack(">I", len(data))
                + kind
                + data
                + struct.pack(">I", zlib.crc32(kind + data))
            )

        ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")

    sides = st.sampled_from([0, 1, 64, 2000, 2001, 30_000, 2**31 - 1])
    return st.one_of(
        st.builds(
            lambda w, h, kind: f"data:image/{kind};base64," + base64.b64encode(png(w, h)).decode(),
            sides,
            sides,
            st.sampled_from(["png", "gif", "svg+xml", "jpeg"]),
        ),
        st.builds(lambda t: "data:text/html," + t, text_pieces()),
        st.just("data:image/png;base64,!!!!"),
    )


TAGS = ["div", "span", "a", "img", "script", "style", "iframe", "b", "ul", "li", "table", "svg"]


def html_fragments() -> st.SearchStrategy[str]:
    """Raw HTML: tags with dangerous attributes, unclosed and nested tags."""
    attribute = st.builds(
        lambda name, value: f' {name}="{value}"',
        st.sampled_from(["href", "src", "onclick", "style", "class", "srcset"]),
        st.one_of(urls(), data_image_uris(), text_pieces()),
    )
    return st.builds(
        lambda tag, attrs, inner, close: (
            f"<{tag}{''.join(attrs)}>{inner}" + (f"</{tag}>" if close else "")
        ),
        st.sampled_from(TAGS),
        st.lists(attribute, max_size=3),
        text_pieces(),
        st.booleans(),
    )


def nested(depth: st.SearchStrategy[int] | None = None) -> st.SearchStrategy[str]:
    """One construct repeated inside itself, from shallow to far past ``MAX_NESTING``."""
    depths = depth or st.integers(min_value=1, max_value=limits.MAX_NESTING * 4)
    return st.builds(
        lambda kind, n: {
            "list": "\n".join("    " * i + "- x" for i in range(min(n, 60))),
            "quote": "> " * n + "x",
            "brackets": "[" * n + "x" + "]" * n,
            "parens": "[a](" * n + "x",
            "divs": "<div>" * n + "x" + "</div>" * n,
            "open-tags": "<a " * n,
            "emphasis": "*_" * n + "x" + "_*" * n,
        }[kind],
        st.sampled_from(["list", "quote", "brackets", "parens", "divs", "open-tags", "emphasis"]),
        depths,
    )


def markdown_blocks() -> st.SearchStrategy[str]:
    """Markdown of the kinds cards hold, and pieces that confuse a parser."""
    link = st.builds(lambda t, u: f"[{t}]({u})", text_pieces(), urls())
    image = st.builds(
        lambda t, u: f"![{t}]({u})", text_pieces(), st.one_of(urls(), data_image_uris())
    )
    fence = st.builds(
        lambda lang, body: f"```{lang}\n{body}\n```",
        st.sampled_from(["", "python", "x"]),
        text_pieces(),
    )
    table = st.builds(
        lambda a, b: f"| {a} | {b} |\n|---|---|\n| {b} | {a} |", text_pieces(), text_pieces()
    )
    return st.one_of(
        text_pieces(),
        link,
        image,
        fence,
        table,
        html_fragments(),
        nested(),
        st.builds(lambda t: f"**{t}** _{t}_ `{t}`", text_pieces()),
    )


def card_texts() -> st.SearchStrategy[str]:
    """A card body: several markdown blocks, sometimes past the size cap."""
    body = st.lists(markdown_blocks(), max_size=6).map("\n\n".join)
    big = st.builds(
        lambda block, times: "\n\n".join([block] * times),
        markdown_blocks().filter(bool),
        st.integers(min_value=1, max_value=limits.MAX_CARD_CHARS // 4 + 2),
    )
    return st.one_of(body, body, body, big.map(lambda t: t[: limits.MAX_CARD_CHARS * 2]))


def card_file_texts() -> st.SearchStrategy[str]:
    """A whole card file: front matter with hostile fields, cards with ids and fields."""
    front = st.builds(
        lambda domain, tags, source: (
            f"---\ndomain: {domain}\ntags: [{tags}]\nsource: {source}\n---\n"
        ),
        st.sampled_from(["1", "2", "9", "x", ""]),
        text_pieces(),
        urls(),
    )
    card = st.builds(
        lambda question, key, fields, answer: f"## {question} {{#{key}}}\n{fields}\n{answer}\n",
        text_pieces(),
        st.one_of(st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True), text_pieces()),
        st.lists(
            st.builds(
                lambda name, value: f":{name}: {value}",
                st.sampled_from(["tags", "source", "domain", "task", "bogus"]),
                st.one_of(text_pieces(), urls(), html_fragments()),
            ),
            max_size=3,
        ).map("\n".join),
        card_texts(),
    )
    return st.builds(
        lambda head, cards: head + "\n".join(cards),
        st.one_of(st.just(""), front),
        st.lists(card, min_size=0, max_size=4),
    )


def card_file_bytes() -> st.SearchStrategy[bytes]:
    """Bytes of a card file: valid UTF-8 files, damaged encodings and random bytes."""
    encoded = card_file_texts().map(lambda t: t.encode("utf-8", "surrogatepass"))
    damaged = st.builds(
        lambda data, at, junk: data[:at] + junk + data[at:],
        encoded,
        st.integers(min_value=0, max_value=200),
        st.sampled_from([b"\xff", b"\xc3", b"\x00", b"\xed\xa0\x80", b"\r\r\n"]),
    )
    return st.one_of(encoded, encoded, damaged, st.binary(max_size=300))
