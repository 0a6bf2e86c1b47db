"""HTML in a feed's text fields made into safe, readable plain text.

nh3 (the Ammonia sanitiser) parses the HTML as a browser would and keeps only the few tags
that carry layout (blocks, line breaks, list items) and links; scripts and styles go with their
content. Its output is well formed with only those tags, so a simple walk over it writes
text: blocks on their own lines, list items as "- " lines, a link as its words and its
address. Entities are decoded exactly once.
"""

from __future__ import annotations

import html
import re

import nh3

BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "br", "tr", "blockquote"}
    | {"table", "section", "article", "header", "footer", "dl", "dt", "dd", "pre", "hr"}
)
LINES = frozenset({"li", "tr", "dt", "dd"})  # one line each; other blocks: a blank line between
KEPT_TAGS = BLOCKS | {"a"}
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
MAX_HTML = 200_000  # characters: anything longer is cut before parsing
_TAG_OR_ENTITY = re.compile(r"<[A-Za-z/!]|&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]{1,31});")
_TAG = re.compile(r"<(/?)([a-z0-9]+)([^>]*)>")
_HREF = re.compile(r'href="([^"]*)"')
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Built once: nh3.clean builds its sanitiser on every call, which costs twice the cleaning.
_CLEANER = nh3.Cleaner(
    tags=set(KEPT_TAGS),
    attributes={"a": {"href"}},
    url_schemes=set(LINK_SCHEMES),
    link_rel=None,
    strip_comments=True,
)


def looks_like_html(text: str) -> bool:
    """True when the text holds a tag or an entity (plain text is left exactly as it is)."""
    return _TAG_OR_ENTITY.search(text) is not None


class _TextWriter:
    """Writes sanitised HTML's text, one line per block (see `html_to_text`)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.links: list[tuple[str, int]] = []  # (address, where its words start)

    def _break(self, lines: int) -> None:
        """End the current line, leaving `lines` line breaks (2: a blank line) at least."""
        text = "".join(self.parts[-4:])
        have = len(text) - len(text.rstrip("\n"))
        self.parts.append("\n" * max(0, lines - have))

    def start(self, tag: str, attributes: str) -> None:
        """An opening tag (nh3 left only BLOCKS and links, with only `href`)."""
        if tag == "br":
            self.parts.append("\n")
        elif tag in BLOCKS:
            self._break(1 if tag in LINES else 2)
        if tag == "li":
            self.parts.append("- ")
        if tag == "a":
            found = _HREF.search(attributes)
            self.links.append((html.unescape(found.group(1)) if found else "", len(self.parts)))

    def end(self, tag: str) -> None:
        """A closing tag."""
        if tag in BLOCKS and tag != "br":
            self._break(1 if tag in LINES else 2)
        if tag == "a" and self.links:
            href, start = self.links.pop()
            words = "".join(self.parts[start:]).strip()
            shown = href.removeprefix("mailto:").removeprefix("tel:")
            if href and shown not in words:
                self.parts.append(f" ({shown})" if words else shown)

    def write(self, clean: str) -> str:
        """The text of `clean` (nh3's output: well formed, text escaped)."""
        at = 0
        for tag in _TAG.finditer(clean):
            self.parts.append(html.unescape(clean[at : tag.start()]))
            closing, name, attributes = tag.groups()
            if closing:
                self.end(name)
            else:
                self.start(name, attributes)
            at = tag.end()
        self.parts.append(html.unescape(clean[at:]))
        return "".join(self.parts)


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    """Readable plain text from (possibly hostile) HTML; see the module docstring."""
    clean = _CLEANER.clean(html[:MAX_HTML])
    # Line breaks inside the source are only spaces to a browser.
    return _tidy(_TextWriter().write(clean.replace("\r", " ").replace("\n", " ")))


def plain_text(text: str) -> tuple[str, bool]:
    """(the text as plain text, whether it was HTML and so converted)."""
    if not looks_like_html(text):
        return text, False
    return html_to_text(text), True
