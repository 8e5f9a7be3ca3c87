"""Main-text extraction from HTML pages.

trafilatura does the real work (it knows far more about navigation, teasers and comment
sections than a few rules would). When it finds nothing, or fails, a plain lxml walk that
drops obvious page furniture keeps short or unusual pages from being lost. Nothing here
touches the network: trafilatura is only given the markup, never asked to fetch.
"""

from __future__ import annotations

import html as html_entities  # the standard library module, not this one
import logging
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Extracted", "extract_html", "looks_like_html"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extracted:
    """Main text of a page, one paragraph per line, with its title if one was found."""

    text: str
    title: str | None
    method: str  # "trafilatura" or "fallback"


_SNIFF_CHARS = 4096
_HTML_START = re.compile(
    r"<(?:!doctype\s+html|html[\s>]|\?xml[^>]*>\s*<(?:!doctype\s+)?html)", re.I
)
_TAG = re.compile(
    r"</?(?:html|head|body|div|p|span|a|article|section|main|header|footer|nav|aside|title|"
    r"meta|link|script|style|h[1-6]|ul|ol|li|table|tr|td|br|img|strong|em|b|i|figure)\b[^<>]*>",
    re.I,
)

# Page furniture the fallback drops together with everything inside it.
_DROP_TAGS = (
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
    "iframe", "svg", "canvas", "button", "select", "textarea", "input", "object", "embed",
)  # fmt: skip
# Elements that end a line in the fallback's plain text.
_BLOCK_TAGS = (
    "p", "div", "br", "li", "dt", "dd", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "article",
    "section", "main", "blockquote", "pre", "figcaption", "caption", "table", "ul", "ol",
    "hr", "address", "details", "summary",
)  # fmt: skip
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_DROP_BLOCKS = re.compile(
    r"<(script|style|noscript|template|nav|header|footer|aside|form|svg)\b.*?</\1\s*>",
    re.I | re.S,
)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BLOCK_TAG = re.compile(r"</?(?:" + "|".join(_BLOCK_TAGS) + r")\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")
_MAX_STRIP_CHARS = 5_000_000
# trafilatura's metadata is only read for the title. Its publication date (htmldate) is never
# used, and htmldate's extensive search (regexes over the whole serialised page) costs about as
# much as the text extraction itself; the quick date search leaves text and title unchanged.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


def looks_like_html(text: str) -> bool:
    """Guess whether ``text`` (from a .txt or .jsonl input) is really an HTML document.

    Promises: never raises; looks only at the first few kilobytes, so the cost is constant.
    True when the text starts like an HTML document (doctype, ``<html>``, XML prolog before
    ``<html>``) or when its start holds several HTML tags including a closing one. Prose
    that mentions a tag or two (``use <br> for line breaks``) stays False.
    """
    try:
        head = text[:_SNIFF_CHARS].lstrip("\ufeff \t\r\n")
        if "<" not in head:
            return False
        if _HTML_START.match(head):
            return True
        tags = _TAG.findall(head)
        closing = sum(1 for tag in tags if tag.startswith("</"))
        return len(tags) >= 4 and closing >= 1
    except Exception:
        return False


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Extract the main text and title of an HTML page.

    Promises:
      * never raises, whatever the markup (broken, truncated, deeply nested, not HTML);
      * ``text`` has one paragraph per line, lines stripped, no blank lines, no leading or
        trailing whitespace; it is ``""`` when nothing usable was found, including markup
        debris without a single letter or digit (``<<<>>>``);
      * comments sections are left out; ``url`` is only a hint for trafilatura, never fetched;
      * ``method`` is ``"trafilatura"`` when trafilatura produced the text, else
        ``"fallback"`` (lxml walk without script/style/nav/header/footer/aside/form);
      * ``title`` comes from trafilatura's metadata (og:title, <title>, headline), else from
        ``<title>`` or ``og:title`` read by lxml; ``None`` when there is none.
    """
    if not isinstance(html, str) or not html.strip():
        return Extracted("", None, "fallback")
    text, title = _trafilatura(html, url)
    if title is not None and _usable(text):
        return Extracted(text, title, "trafilatura")
    tree = _parse(html)  # only needed for a missing title or the fallback
    if title is None and tree is not None:
        title = _title_from_tree(tree)
    if _usable(text):
        return Extracted(text, title, "trafilatura")
    text = _fallback_text(tree)
    if not _usable(text):
        # libxml2 silently drops everything nested deeper than a few hundred levels; a
        # parser-free tag strip still recovers the words of such pages.
        text = _strip_tags(html)
    return Extracted(text if _usable(text) else "", title, "fallback")


def _usable(text: str) -> bool:
    """Whether extracted text holds anything to read: at least one letter or digit."""
    return any(char.isalnum() for char in text)


def _parse(html: str) -> Any:
    """lxml tree of ``html``, or None when even lxml's forgiving HTML parser gives up."""
    try:
        import lxml.html

        # lxml rejects str input that carries an XML encoding declaration.
        if html.lstrip().startswith("<?xml"):
            html = html[html.find("?>") + 2 :]
        return lxml.html.document_fromstring(html)
    except Exception as exc:
        log.debug("lxml could not parse the page: %s", exc)
        return None


def _trafilatura(html: str, url: str | None) -> tuple[str, str | None]:
    try:
        from trafilatura import bare_extraction
    except Exception as exc:  # missing optional piece (e.g. lxml_html_clean): use the fallback
        log.warning("trafilatura unavailable, using the lxml fallback: %s", exc)
        return "", None
    try:
        document = bare_extraction(
            html,
            url=url,
            include_comments=False,
            include_tables=True,
            include_formatting=False,
            include_links=False,
            include_images=False,
            with_metadata=True,
            date_extraction_params=dict(_DATE_PARAMS),  # a copy: never shared with trafilatura
            deduplicate=False,
        )
    except RecursionError:
        return "", None
    except Exception as exc:
        log.debug("trafilatura failed: %s", exc)
        return "", None
    if document is None:
        return "", None
    text = getattr(document, "text", None) or ""
    title = getattr(document, "title", None) or None
    return _tidy_lines(text), _tidy_title(title)


def _title_from_tree(tree: Any) -> str | None:
    try:
        for xpath in (
            "//meta[@property='og:title']/@content",
            "//meta[@name='og:title']/@content",
            "//title//text()",
        ):
            found = [str(value) for value in tree.xpath(xpath)]
            title = _tidy_title(" ".join(found))
            if title:
                return title
    except Exception:
        return None
    return None


def _fallback_text(tree: Any) -> str:
    if tree is None:
        return ""
    try:
        for element in list(tree.iter(*_DROP_TAGS)):
            parent = element.getparent()
            if parent is None:
                continue
            # Keep the tail: it is text that follows the dropped element, not part of it.
            tail = element.tail
            previous = element.getprevious()
            if tail:
                if previous is not None:
                    previous.tail = (previous.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
            parent.remove(element)
        for element in tree.iter(*_BLOCK_TAGS):
            if element.tag not in {"br", "hr"}:
                element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
        head = tree.find("head")
        if head is not None:
            head.getparent().remove(head)
        return _tidy_lines(tree.text_content())
    except Exception as exc:  # includes RecursionError on absurdly deep trees
        log.debug("fallback extraction failed: %s", exc)
        return ""


def _strip_tags(html: str) -> str:
    """Regex tag strip used when no tree is available; crude but cannot recurse or fail."""
    try:
        if len(html) > _MAX_STRIP_CHARS:
            return ""
        text = _DROP_BLOCKS.sub("\n", _COMMENT.sub("", html))
        head_end = text.lower().find("</head>")
        if head_end >= 0:
            text = text[head_end + len("</head>") :]
        text = _ANY_TAG.sub("", _BLOCK_TAG.sub("\n", text))
        return _tidy_lines(html_entities.unescape(text))
    except Exception as exc:
        log.debug("tag strip failed: %s", exc)
        return ""


def _tidy_lines(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _tidy_title(title: str | None) -> str | None:
    if not title:
        return None
    title = _SPACES.sub(" ", " ".join(title.split())).strip()
    return title or None
