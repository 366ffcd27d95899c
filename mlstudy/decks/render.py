"""Render card markdown to safe HTML: fenced code with Pygments, tables, lists.

Raw HTML in a card is sanitised (no script, iframe, event handlers or styles from
the card), images are dropped unless they are inline PNG, GIF or JPEG ``data:`` URIs
within the size and pixel caps, and links keep only absolute http(s) and mailto
targets. Nothing here touches the network.

Rendering is capped (``mlstudy.decks.limits``): a card too large or nested too deep is
not given to the markdown parser at all, and rendering runs on a worker thread that
the caller waits on for at most ``RENDER_SECONDS``. A card over a cap comes back as
escaped plain text with a note saying why.
"""

from __future__ import annotations

import html as html_lib
import threading
import time
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import markdown
import nh3
from pygments.formatters import HtmlFormatter

from mlstudy.decks import limits, markdown_inline, markdown_simple

_ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "s",
    "del",
    "sub",
    "sup",
    "code",
    "pre",
    "kbd",
    "blockquote",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "span",
    "div",
    "img",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "span": {"class"},
    "div": {"class"},
    "code": {"class"},
    "pre": {"class"},
    "td": {"align"},
    "th": {"align"},
    "img": {"src", "alt"},
}
_EXTENSIONS = ["fenced_code", "codehilite", "tables", "sane_lists"]
_EXTENSION_CONFIGS = {"codehilite": {"guess_lang": False, "css_class": "codehilite"}}


def _render_version() -> str:
    import hashlib

    import pygments

    # Module attributes, not package metadata: a frozen build carries no metadata.
    parts = [str(getattr(m, "__version__", "?")) for m in (markdown, nh3, pygments)]
    parts += [
        repr(sorted(_ALLOWED_TAGS)),
        repr(sorted((k, sorted(v)) for k, v in _ALLOWED_ATTRIBUTES.items())),
    ]
    caps = (
        limits.MAX_CARD_CHARS,
        limits.MAX_NESTING,
        limits.MAX_IMAGE_BYTES,
        limits.MAX_IMAGE_PIXELS,
        limits.MAX_IMAGES_BYTES,
        limits.LINK_SCHEMES,
    )
    parts += [repr(_EXTENSIONS), repr(_EXTENSION_CONFIGS), repr(caps)]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


RENDER_VERSION = _render_version()
"""Changes whenever the same markdown could render differently (library versions, the
allowed tags and attributes, extensions, caps): a cache of rendered HTML keyed by the
markdown is valid only for the version it was written with."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """A card fragment as HTML, and why it was shown as plain text (empty if it was not)."""

    html: str
    problem: str = ""


class _AttributeFilter:
    """Keeps allowed links, and inline images while the card's image budget lasts."""

    def __init__(self) -> None:
        self.image_bytes = 0

    def __call__(self, element: str, attribute: str, value: str) -> str | None:
        if element == "a" and attribute == "href":
            # Relative links would resolve to local files; data: and others to anything.
            return value if limits.is_link_allowed(value) else None
        if element == "img" and attribute == "src":
            # Remote images would be fetched when shown: only capped inline data is kept.
            size = limits.data_image_bytes(value)
            if size is None or self.image_bytes + size > limits.MAX_IMAGES_BYTES:
                return None
            self.image_bytes += size
            return value
        return value


_parsers = threading.local()


def _parser() -> markdown.Markdown:
    """This thread's Markdown parser: building one costs more than most conversions."""
    parser: markdown.Markdown | None = getattr(_parsers, "parser", None)
    if parser is None:
        parser = markdown.Markdown(
            extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS, output_format="html"
        )
        markdown_inline.install(parser)
        _parsers.parser = parser
    return parser


_CLEAN_OPTIONS: dict[str, Any] = {
    "tags": _ALLOWED_TAGS,
    "attributes": _ALLOWED_ATTRIBUTES,
    "url_schemes": {"http", "https", "mailto", "data"},
    "link_rel": "noopener noreferrer",
}
"""What the sanitiser keeps, with or without the attribute filter."""
_cleaners = threading.local()


def _cleaner() -> nh3.Cleaner:
    """This thread's sanitiser for HTML with no links or images (built once: building
    one costs more than cleaning a card)."""
    cleaner: nh3.Cleaner | None = getattr(_cleaners, "cleaner", None)
    if cleaner is None:
        cleaner = nh3.Cleaner(**_CLEAN_OPTIONS)
        _cleaners.cleaner = cleaner
    return cleaner


def _sanitise(html: str) -> str:
    lowered = html.lower()
    # The attribute filter only ever changes an ``a`` or ``img`` (which ``<image`` also
    # becomes): HTML with neither cleans the same without it.
    if "<a" not in lowered and "<im" not in lowered:
        return str(_cleaner().clean(html))
    return str(nh3.clean(html, attribute_filter=_AttributeFilter(), **_CLEAN_OPTIONS))


def _render_full(text: str) -> str:
    parser = _parser()
    try:
        html = parser.convert(text)
    finally:
        parser.reset()
    return _sanitise(html)


@cache
def _simple_agrees() -> bool:
    """Whether the simple renderer gives what the full path gives with the markdown and
    sanitiser installed here (checked once a process, on its probes)."""
    return markdown_simple.agrees(_render_full)


def _render_unchecked(text: str) -> str:
    if _simple_agrees():
        html = markdown_simple.render(text)
        if html is not None:
            return html
    return _render_full(text)


def plain_text_html(text: str, problem: str) -> str:
    """A card shown as escaped plain text (at most the size cap) with a note saying why."""
    shown = text[: limits.MAX_CARD_CHARS]
    more = "…" if len(text) > len(shown) else ""
    return (
        f"<pre class='plain'>{html_lib.escape(shown)}{more}</pre>"
        f"<p class='muted'>Shown as plain text: {html_lib.escape(problem)}.</p>"
    )


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mlstudy-render")
        return _pool


def render_capped(text: str, seconds: float | None = None) -> Rendered:
    """Card markdown to sanitised HTML within the caps, or plain text with the reason.

    Cached: the same card renders once per run (a card over the time cap too: it is
    never handed to the parser again).
    """
    return _render_capped(text, limits.RENDER_SECONDS if seconds is None else seconds)


@lru_cache(maxsize=4096)
def _render_capped(text: str, seconds: float) -> Rendered:
    return render_batch([text], seconds)[0]


def _render_one(text: str) -> Rendered:
    """One field within the size and nesting caps (the time cap is the caller's)."""
    problem = limits.over_cap(text)
    if problem is None:
        try:
            return Rendered(_render_unchecked(text))
        except RecursionError:
            problem = "card nests too deep to render"
    return Rendered(plain_text_html(text, problem), problem)


class _Batch:
    """Fields rendered one after another on a render thread, while the caller watches
    how long the one in hand has taken."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = texts
        self.done: list[Rendered] = []
        self.started = time.monotonic()
        """When the field in hand began."""
        self.abandoned = False
        self.lock = threading.Lock()

    def run(self) -> None:
        for text in self.texts:
            with self.lock:
                if self.abandoned:
                    return
                self.started = time.monotonic()
            rendered = _render_one(text)
            with self.lock:
                if self.abandoned:
                    return
                self.done.append(rendered)


def render_batch(texts: Sequence[str], seconds: float | None = None) -> list[Rendered]:
    """Each field as ``render_capped`` renders it, with one hand-over to the render
    thread for the lot rather than one a field: a field over the time cap is shown as
    plain text, its render thread left to finish on its own (the size and nesting caps
    bound it), and the fields after it go to a fresh one."""
    cap = limits.RENDER_SECONDS if seconds is None else seconds
    out: list[Rendered] = []
    while len(out) < len(texts):
        batch = _Batch(texts[len(out) :])
        future = _executor().submit(batch.run)
        while True:
            with batch.lock:
                left = batch.started + cap - time.monotonic()
                if left <= 0:
                    batch.abandoned = True
                    out.extend(batch.done)
                    break
            try:
                future.result(timeout=left)
            except FutureTimeout:
                continue
            out.extend(batch.done)
            break
        if batch.abandoned:
            problem = f"rendering took longer than {cap:g} s"
            out.append(Rendered(plain_text_html(texts[len(out)], problem), problem))
    return out


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML, or escaped plain text for a card over a cap."""
    return render_capped(text).html


def code_css(dark: bool) -> str:
    """Pygments CSS for the ``codehilite`` blocks in the light or dark theme."""
    style = "monokai" if dark else "friendly"
    return str(HtmlFormatter(style=style).get_style_defs(".codehilite"))


PARALLEL_FROM = 2_000
"""Fields to render before ``render_stream`` spreads the work over processes (below it,
starting them costs more than it saves)."""
_CHUNK = 250


def _render_chunk(texts: list[str]) -> list[tuple[str, str]]:
    """A worker process's share: each text rendered as ``render_capped`` does."""
    return [(r.html, r.problem) for r in render_batch(texts)]


def render_stream(
    texts: Sequence[str],
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> Generator[Rendered]:
    """Render many card fields, in worker processes when there are many and more than
    one CPU; each one exactly as ``render_capped`` renders it (same caps, same time cap
    per field), yielded in order as soon as it is ready, so that the caller can use the
    first while the workers render the rest. ``progress(done, total)`` follows along.
    A pool that cannot start or breaks leaves the rest to this process.
    """
    import os
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    total = len(texts)
    count = workers if workers is not None else min(8, os.cpu_count() or 1)
    done = 0
    if total >= PARALLEL_FROM and count > 1:
        chunks = [list(texts[i : i + _CHUNK]) for i in range(0, total, _CHUNK)]
        pool: ProcessPoolExecutor | None = None
        try:
            # "spawn": a forked copy of a process running Qt threads is not safe.
            pool = ProcessPoolExecutor(count, mp_context=get_context("spawn"))
            for results in pool.map(_render_chunk, chunks):
                for html, problem in results:
                    yield Rendered(html, problem)
                done += len(results)
                if progress is not None:
                    progress(done, total)
        except (OSError, RuntimeError):  # BrokenProcessPool is a RuntimeError
            pass
        finally:
            if pool is not None:  # a caller that stops early does not wait for the rest
                pool.shutdown(wait=True, cancel_futures=True)
    for start in range(done, total, _CHUNK):
        batch = render_batch(texts[start : start + _CHUNK])
        yield from batch
        done += len(batch)
        if progress is not None:
            progress(done, total)
