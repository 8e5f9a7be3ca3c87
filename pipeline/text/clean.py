"""Clean extracted text before sentence splitting.

Output format (decided here, relied on by the sentence splitter):

* one paragraph per line: paragraphs are separated by exactly one ``"\\n"``; there are no
  blank lines, and every newline is a boundary the splitter may trust;
* each line is stripped, holds no tab, no control character, no run of spaces, and only
  plain ASCII spaces (no-break and other odd spaces become ``" "``);
* text is NFC-normalised; curly quotes, full-width characters and Chinese punctuation are
  kept exactly (no NFKC, no quote uncurling);
* hard-wrapped lines of Latin-script prose are joined with one space (see :func:`_joins`);
  CJK lines are never joined;
* ATX markdown heading markers (``## ``) are dropped when the heading text is safe to stand
  alone; ``**bold**`` markers are dropped; list markers, single ``*``/``_``
  and everything else in markdown are kept, so prose is never mangled;
* short lines made of web boilerplate (reply widgets, share bars, cookie notices, newsletter
  prompts, related-links headers, copyright lines, advertisement labels, "read more") are
  removed; a reply widget or related-links header followed only by a short tail of form-like
  lines removes that tail too.

:func:`clean_text` is idempotent: the line-level steps run to a fixed point, and every step
before them leaves already-clean text unchanged.
"""

from __future__ import annotations

import functools
import html as html_entities
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import ftfy
from ftfy.badness import MOJIBAKE_CATEGORIES, is_bad
from ftfy.chardata import CONTROL_CHARS, LIGATURES

__all__ = ["Cleaned", "clean_text"]


@dataclass(frozen=True)
class Cleaned:
    """Cleaned text and the stable codes of what cleaning did, in pipeline order."""

    text: str
    notes: tuple[str, ...]


_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # done separately, to a fixed point, and only for ";"-terminated entities
    uncurl_quotes=False,
    fix_character_width=False,
    fix_line_breaks=False,  # done below together with the other newline forms
    normalization="NFC",
    explain=True,
)

_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
_NEWLINE_CHARS = re.compile(r"[\r\u2028\u2029\x85\x0b\x0c]")  # one of them: _NEWLINES matches
# C0/C1 controls except \t and \n, plus invisible format characters that only get in the way
# (zero-width space, word joiner, BOM, soft hyphen, bidi embedding controls).
_CONTROL = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b\u2060\ufeff\u00ad\u202a-\u202e]"
)
_ODD_SPACE = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Any character of the four classes above: text without one skips those steps.
_ODD_CHARS = re.compile(
    "["
    + "".join(
        pattern.pattern[1:-1] for pattern in (_SURROGATE, _NEWLINE_CHARS, _CONTROL, _ODD_SPACE)
    )
    + "]"
)

_MAX_FIXPOINT_ROUNDS = 50
_MAX_REPAIR_ROUNDS = 3


_FTFY_CHECK_CONFIG = _FTFY_CONFIG._replace(explain=False)

# Characters the enabled ftfy fixers other than mojibake repair act on: control characters,
# C1 controls, surrogates and Latin ligatures. Built from ftfy's own tables.
_FTFY_TARGETS = re.compile(
    "["
    + re.escape("".join(map(chr, sorted(CONTROL_CHARS.keys() | LIGATURES.keys()))))
    + r"\x80-\x9f\ud800-\udfff]"
)
# Every alternative of ftfy's badness regex needs one of these characters, so text without
# them is never "bad". Curly quotes, dashes, ellipses and no-break spaces are deliberately
# absent: ftfy only counts them as signs of mojibake next to one of these.
_MOJIBAKE_SIGNS = re.compile(
    "["
    + "".join(
        MOJIBAKE_CATEGORIES[category]
        for category in (
            "c1", "bad", "law", "currency", "numeric", "upper_accented", "lower_accented", "box"
        )
    )
    + "óÙЂВГРСΒΓΞΟ]"
)  # fmt: skip
_MOJIBAKE_SPAN = 8  # longest match of ftfy's badness regex
# A fixer target or a mojibake sign: one scan for the two classes above.
_FTFY_SUSPECTS = re.compile("[" + _FTFY_TARGETS.pattern[1:-1] + _MOJIBAKE_SIGNS.pattern[1:-1] + "]")
# Anything out of the ordinary: text without one of these (most text) needs one scan only.
_SPECIAL = re.compile("[" + _ODD_CHARS.pattern[1:-1] + _FTFY_SUSPECTS.pattern[1:-1] + "]")


def _ftfy_may_change(text: str, *, suspects: bool = True) -> bool:
    """False only when ftfy with :data:`_FTFY_CONFIG` returns ``text`` unchanged, both as
    one segment (:func:`ftfy.fix_and_explain`) and line by line (:func:`ftfy.fix_text`).

    Mirrors ftfy's own gates: its encoding repair only starts on text its badness regex
    flags (``"Ã "`` and ``"Â "`` are that regex's only line-start-anchored signs), the other
    fixers only touch :data:`_FTFY_TARGETS`, and the final step is NFC.

    ``suspects=False`` promises that ``text`` holds no :data:`_FTFY_SUSPECTS`, saving a scan.
    """
    if not suspects or not _FTFY_SUSPECTS.search(text):
        # No target and no sign ("Ã" and "Â" are signs): only NFC normalisation is left.
        return not text.isascii() and not unicodedata.is_normalized("NFC", text)
    if _FTFY_TARGETS.search(text):
        return True
    if text.isascii():
        return False
    if not unicodedata.is_normalized("NFC", text):
        return True
    if "Ã " in text or "Â " in text:
        return True
    # A badness match holds a sign and is at most _MOJIBAKE_SPAN long, so it lies within
    # _MOJIBAKE_SPAN characters of that sign: look only there.
    return any(
        is_bad(text[max(sign.start() - _MOJIBAKE_SPAN, 0) : sign.end() + _MOJIBAKE_SPAN])
        for sign in _MOJIBAKE_SIGNS.finditer(text)
    )


def _ftfy_is_stable(text: str, *, suspects: bool = True) -> bool:
    return (
        not _ftfy_may_change(text, suspects=suspects)
        or ftfy.fix_text(text, _FTFY_CHECK_CONFIG) == text
    )


def clean_text(text: str) -> Cleaned:
    """Repair, normalise and de-boilerplate ``text``; see the module docstring for the format.

    Promises:
      * never raises: lone surrogates become U+FFFD, non-str input is converted with ``str``;
      * idempotent: ``clean_text(clean_text(x).text).text == clean_text(x).text``;
      * the result has no leading/trailing whitespace, no blank line, no ``\\r``, no tab,
        no control character; it may be ``""`` (everything was boilerplate or whitespace);
      * ``notes`` lists stable codes (``repaired_mojibake``, ``removed_control_chars``,
        ``normalized_whitespace``, ``unwrapped_lines``, ``removed_boilerplate:<kind>``, ...)
        of the steps that changed something, each at most once.
    """
    notes: list[str] = []
    try:
        cleaned, suspects = _clean(text if isinstance(text, str) else str(text), notes)
        # ftfy judges mojibake in context; once spaces, controls and boilerplate are gone it
        # can see a fragment it left alone before ("\xa0ßŒ"). Repeat until it agrees.
        for _ in range(_MAX_REPAIR_ROUNDS):
            if _ftfy_is_stable(cleaned.text, suspects=suspects):
                break
            cleaned, suspects = _clean(cleaned.text, notes)
        return cleaned
    except Exception:  # defensive: a cleaning bug must not lose the document
        fallback = _SURROGATE.sub("\ufffd", text if isinstance(text, str) else "")
        fallback = _CONTROL.sub("", fallback.replace("\r", "\n")).strip()
        return Cleaned(fallback, (*notes, "cleaning_failed"))


def _clean(text: str, notes: list[str]) -> tuple[Cleaned, bool]:
    """One pass of cleaning, and whether the result may hold :data:`_FTFY_SUSPECTS` (False
    only when that is certain without looking)."""
    original = text
    special = _SPECIAL.search(text) is not None
    if special and _SURROGATE.search(text):
        # Pairs become the astral character they encode (ftfy), lone halves U+FFFD.
        text = ftfy.fixes.fix_surrogates(text)
        text = _SURROGATE.sub("\ufffd", text)
        _add(notes, "replaced_surrogates")

    if "&" in text and _ENTITY.search(text):
        before = text
        text = _unescape_entities(text)
        if text != before:
            _add(notes, "unescaped_html_entities")

    if text is not original:
        special = _SPECIAL.search(text) is not None
    repaired = _repair_unicode(text, notes, suspects=special)
    if repaired is not text:
        special = _SPECIAL.search(repaired) is not None
    text = repaired
    # From here on characters are only removed or replaced by " " and "\n", never suspects,
    # so text without suspects now has none at the end; NFC composition is the exception.
    suspects = special
    odd_chars = special and _ODD_CHARS.search(text) is not None

    if odd_chars and _CONTROL.search(text):
        text = _CONTROL.sub("", text)
        _add(notes, "removed_control_chars")

    lines = _normalized_lines(text, notes, odd_chars=odd_chars)
    # _repair_unicode returns NFC text; only removing or replacing odd characters can undo
    # that. "\n" neither composes nor reorders with its neighbours: text is NFC iff its
    # lines are.
    if odd_chars and not all(map(unicodedata.is_normalized, itertools.repeat("NFC"), lines)):
        lines = unicodedata.normalize("NFC", "\n".join(lines)).split("\n")
        _add(notes, "normalized_unicode")
        suspects = True

    lines = _fix_lines(lines, notes)
    return Cleaned("\n".join(lines), tuple(notes)), suspects


def _add(notes: list[str], code: str) -> None:
    if code not in notes:
        notes.append(code)


def _unescape_entities(text: str) -> str:
    # Loop: double-escaped feeds ("&amp;rsquo;") are common. Each round shortens the text.
    while True:
        unescaped = _ENTITY.sub(lambda match: html_entities.unescape(match.group(0)), text)
        if unescaped == text:
            return text
        text = unescaped


def _repair_unicode(text: str, notes: list[str], *, suspects: bool = True) -> str:
    """``text`` repaired by ftfy with :data:`_FTFY_CONFIG`, hence NFC, noting what changed.

    ``suspects=False`` promises that ``text`` holds no :data:`_FTFY_SUSPECTS`, saving a scan.
    """
    if not _ftfy_may_change(text, suspects=suspects):
        return text
    fixed = ftfy.fix_and_explain(text, _FTFY_CONFIG)
    if fixed.text == text:
        return text
    for action, step in fixed.explanation or ():
        if action in {"encode", "decode", "transcode"} or step in {
            "restore_byte_a0",
            "replace_lossy_sequences",
            "decode_inconsistent_utf8",
            "fix_c1_controls",
        }:
            _add(notes, "repaired_mojibake")
        elif step in {"remove_control_chars", "remove_terminal_escapes"}:
            _add(notes, "removed_control_chars")
        elif action == "normalize":
            _add(notes, "normalized_unicode")
        elif step == "fix_latin_ligatures":
            _add(notes, "expanded_ligatures")
        elif step == "fix_surrogates":
            _add(notes, "replaced_surrogates")
    return fixed.text


def _normalized_lines(text: str, notes: list[str], *, odd_chars: bool = True) -> list[str]:
    """The lines of ``text`` with the newline and space rules of the module docstring applied:
    stripped of spaces, runs of spaces collapsed, blank lines dropped.

    ``odd_chars=False`` promises that ``text`` holds no :data:`_ODD_CHARS`, saving two scans.
    """
    before = text
    if odd_chars and _NEWLINE_CHARS.search(text):
        text = _NEWLINES.sub("\n", text)
    if odd_chars and _ODD_SPACE.search(text):
        text = _ODD_SPACE.sub(" ", text)
    text = _collapse_runs(text, " ")
    split = text.split("\n")
    lines = [line.strip(" ") for line in split]
    if "" in lines:
        lines = [line for line in lines if line]
    if text is before and lines == split:
        changed = len(before.strip()) != len(before)  # the lines join to ``before`` itself
    else:
        changed = "\n".join(lines) != before.strip()
    if changed:
        _add(notes, "normalized_whitespace")
    return lines


def _collapse_runs(text: str, char: str) -> str:
    """``text`` with every run of ``char`` shortened to one; halving by ``str.replace`` beats a
    regex substitution and takes only a few rounds even for long runs."""
    double = char * 2
    while double in text:
        text = text.replace(double, char)
    return text


# ---------------------------------------------------------------------------------------------
# Line-level steps: boilerplate, unwrapping, markdown markers. Run together to a fixed point.
# ---------------------------------------------------------------------------------------------


def _fix_lines(lines: list[str], notes: list[str]) -> list[str]:
    for _ in range(_MAX_FIXPOINT_ROUNDS):
        before = lines
        lines = _remove_boilerplate(lines, notes)
        lines = _unwrap(lines, notes)
        lines = _strip_markdown(lines, notes)
        if lines == before:
            break
    return lines


# Sentence-final punctuation (Latin and CJK), optionally followed by closing quotes/brackets.
_FINAL_PUNCTUATION = ".!?:;…。！？；："
_CLOSERS = "'\"’”)]»」』】）"
_LIST_ITEM = re.compile(r"(?:[-*+•‣▪◦]|\d{1,3}[.)]|[a-zA-Z][.)])\s")
_HEADING = re.compile(r"#{1,6}\s+(\S.*?)(?:\s+#+)?$")
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]")
_MIN_WRAPPED_LINE = 40
_OPEN_ENDING = re.compile(
    r"\s(?:a|an|the|of|to|in|on|at|by|for|from|with|into|onto|over|under|between|about|"
    r"and|or|nor|but|than|that|which|who|whose|as|is|are|was|were|be|been|its|their|"
    r"our|his|her|per|via|including|such)$"
)
_OPEN_ENDING_SPAN = 12  # a match ("\sincluding") and a final newline fit in the last 12


def _ends_sentence(line: str) -> bool:
    """Whether ``line`` ends (before an optional final newline, as ``$`` would) with
    sentence-final punctuation followed only by closing quotes and brackets."""
    body = line.removesuffix("\n").rstrip(_CLOSERS)
    return bool(body) and body[-1] in _FINAL_PUNCTUATION


def _is_structural(line: str) -> bool:
    """Markdown headings, list items, table rows, quotes and code fences are never joined."""
    return line[0] in "#|>`" or bool(_LIST_ITEM.match(line))


def _joins(line: str, following: str) -> bool:
    """Whether ``following`` continues the hard-wrapped Latin-script ``line``.

    Depends on all of ``line`` but only on the start of ``following``, so that joining is
    stable: a later pass sees exactly the pairs this pass already rejected.
    """
    if len(line) < _MIN_WRAPPED_LINE or _ends_sentence(line) or _is_structural(line):
        return False
    last = line[-1]
    if _CJK.match(last) or _is_structural(following):
        return False
    first = following[0]
    if first.islower() and not _CJK.match(first):
        return True
    # "ahead of\nGermany": a line ending on a comma or a function word is unfinished.
    if last == "," or _OPEN_ENDING.search(line, max(len(line) - _OPEN_ENDING_SPAN, 0)):
        return first.isalnum() and not _CJK.match(first)
    # "rose\n35.8% to": a number continues a sentence left open mid-clause.
    return first.isdigit() and (last.islower() or last == ",")


def _unwrap(lines: list[str], notes: list[str]) -> list[str]:
    if len(lines) < 2:
        return lines
    out: list[str] = [lines[0]]
    for line in lines[1:]:
        previous = out[-1]
        if _joins(previous, line):
            # "high-\ntech" keeps its hyphen and loses the break; anything else gets a space.
            glue = "" if previous.endswith("-") and previous[-2:-1].isalpha() else " "
            out[-1] = previous + glue + line
            _add(notes, "unwrapped_lines")
        else:
            out.append(line)
    return out


# Only "**": "__" also marks identifiers (__init__) far more often than bold in our sources.
_BOLD = re.compile(r"(?<![\w*])\*\*(?=[^\s*])(.+?)(?<=[^\s*])\*\*(?![\w*])")


def _strip_markdown(lines: list[str], notes: list[str]) -> list[str]:
    out = list(lines)
    for index, line in enumerate(out):
        if "**" in line and _BOLD.search(line):
            stripped = _BOLD.sub(r"\1", line)
            if stripped:
                out[index] = line = stripped
                _add(notes, "stripped_markdown_emphasis")
        if line.startswith("#"):
            match = _HEADING.match(line)
            if match is None:
                continue
            title = match.group(1)
            # Only when the bare title cannot be glued to a neighbour by _unwrap later on.
            previous = out[index - 1] if index else None
            following = out[index + 1] if index + 1 < len(out) else None
            if (previous is None or not _joins(previous, title)) and (
                following is None or not _joins(title, following)
            ):
                out[index] = title
                _add(notes, "stripped_markdown_headings")
    return out


# --- boilerplate ------------------------------------------------------------------------------

# Whole-line tokens per kind: a line is boilerplate when, once every token is removed, only
# separators, digits and punctuation are left.
_TOKENS: dict[str, tuple[str, ...]] = {
    "reply_widget": (
        r"leave a (?:reply|comment)(?: to \S+(?: \S+)?)?",
        r"post (?:a )?comments?",
        r"submit comment",
        r"cancel reply",
        r"reply",
        r"comments?(?: \(\d+\))?",
        r"\d+ (?:comments?|responses?|replies|thoughts on \S+)",
        r"you must be logged in to post a comment",
        r"logged in as [^.]{1,40}\.? ?log out\??",
        r"save my name, email,? and website in this browser(?: for the next time i comment)?",
        r"your email address will not be published",
        r"required fields are marked",
        r"name ?\*",
        r"e-?mail ?\*",
        r"website",
        r"comment ?\*",
        r"notify me of (?:new )?(?:follow-up )?(?:comments|posts)(?: by email)?",
        r"发表回复|发表评论|取消回复|网友评论|我要评论|评论|留言|回复",
    ),
    "share_bar": (
        r"share this(?: (?:article|story|post|page))?",
        r"share(?: (?:on|to|via))? (?:facebook|twitter|x|linkedin|whatsapp|weibo|wechat|e-?mail"
        r"|reddit|telegram|pinterest)",
        r"click to (?:share on \S+|email a link to a friend|email|print)"
        r"(?: \(opens in new window\))?",
        r"tweet|share|e-?mail|print|facebook|twitter|linkedin|whatsapp|weibo|wechat|reddit",
        r"like this",
        r"like loading\.{0,3}",
        r"分享到(?:微信|微博|朋友圈|qq)?|分享|转发|微信|微博",
    ),
    "cookie_notice": (
        r"accept(?: all)?(?: cookies)?",
        r"reject all(?: cookies)?",
        r"(?:cookie|privacy) (?:settings|policy|preferences)",
        r"manage (?:cookies|preferences|consent)",
        r"got it|i agree|ok",
    ),
    "newsletter": (
        r"subscribe(?: now| today)?",
        r"sign up(?: now)?",
        r"(?:our |free )?newsletters?",
        r"订阅",
    ),
    "related_links": (
        r"related (?:posts|articles|stories|content|reading|coverage|news)",
        r"you (?:may|might) also like",
        r"recommended(?: for you)?",
        r"see also|more stories",
        r"相关(?:文章|阅读|新闻|推荐)",
    ),
    "advertisement": (r"advertisement|advertising|sponsored(?: content)?|ad|广告",),
    "read_more": (
        r"read more|continue reading|read the full (?:story|article)|more",
        r"阅读全文|查看更多|阅读更多",
    ),
}


def _token_re(patterns: Iterable[str]) -> re.Pattern[str]:
    """Any of the token ``patterns``, as whole words, case-insensitively."""
    return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)", re.I)


_TOKEN_RES = {kind: _token_re(patterns) for kind, patterns in _TOKENS.items()}
_TOKEN_KIND_ORDER = tuple(_TOKENS)
# Any token of any kind: a line without one has no token to remove, after one search call.
_ANY_TOKEN = _token_re(pattern for patterns in _TOKENS.values() for pattern in patterns)
_NO_LETTERS = re.compile(r"[\W\d_]*")

# Lines that start like a notice of this kind are boilerplate whatever follows, up to a length.
_PREFIXES: dict[str, tuple[re.Pattern[str], int]] = {
    "cookie_notice": (
        re.compile(
            r"(?:we|this\ (?:web)?site|our\ (?:web)?site|we\ and\ our\ partners)"
            r"\ (?:uses?|stores?)\ cookies"
            r"|by\ (?:continuing|using)\ (?:to\ (?:use|browse)\ )?(?:this|our)\ (?:web)?site"
            r"|cookies\ help\ us|本网站使用cookie",
            re.I | re.X,
        ),
        400,
    ),
    "reply_widget": (
        re.compile(
            r"you\ must\ be\ logged\ in\ to\ post\ a\ comment|save\ my\ name,\ email"
            r"|your\ email\ address\ will\ not\ be\ published",
            re.I | re.X,
        ),
        300,
    ),
    "newsletter": (
        re.compile(
            r"(?:sign\ up|subscribe)(?:\ now|\ today)?\ (?:for|to)\ (?:our|the)\ "
            r"(?:[\w-]+\ ){0,3}newsletter"
            r"|get\ (?:the|our)\ [^.]{0,60}(?:in|to)\ your\ inbox",
            re.I | re.X,
        ),
        300,
    ),
    "copyright": (
        re.compile(
            r"(?:copyright\s*)?(?:©|\(c\))\s*(?:\d{4}|[A-Z])|copyright\s+\d{4}", re.I | re.X
        ),
        200,
    ),
}
# Notices that may start anywhere in the first characters of a line of that kind, with how
# many characters may come before them: the same lines as matching ``.{0,n}`` + notice from the
# start, without backtracking through every start.
_NOTICES_NEAR_START: dict[str, tuple[tuple[re.Pattern[str], int], ...]] = {
    "copyright": (
        (re.compile(r"\ball\ rights\ reserved\b", re.I), 150),
        (re.compile("版权所有"), 80),
    ),
}
# Any of the prefixes above: a line longer than any notice line that matches none is of no
# prefix kind, after one match call.
_ANY_PREFIX = re.compile(
    "|".join(f"(?:{prefix.pattern})" for prefix, _ in _PREFIXES.values()), re.I | re.X
)
_MAX_NOTICE_LINE = max(_PREFIXES[kind][1] for kind in _NOTICES_NEAR_START)
_MAX_TOKEN_LINE = 160
_MAX_PREFIX_LINE = 400
_MAX_TAIL_LINES = 15
_MAX_TAIL_LINE = 200
_TAIL_KINDS = ("reply_widget", "related_links")
_KIND_CACHE_SIZE = 8192  # verdicts kept: lines of <= _MAX_PREFIX_LINE chars, 3.3 M chars at most


# Boilerplate lines recur across the documents of a site, and a line is judged again in every
# fix-point round: the verdict is a pure function of the line, so remembering it is safe.
@functools.lru_cache(maxsize=_KIND_CACHE_SIZE)
def _short_line_kind(line: str) -> str | None:
    """Kind of boilerplate ``line`` (at most :data:`_MAX_PREFIX_LINE` long) is, or None for
    content. Cheap checks first."""
    body = line.lstrip("#>*-•· \t")
    if not body:
        return None
    if len(body) <= _MAX_NOTICE_LINE or _ANY_PREFIX.match(body):
        for kind, (prefix, max_length) in _PREFIXES.items():
            if len(body) <= max_length and (
                prefix.match(body)
                or _has_notice_near_start(body, _NOTICES_NEAR_START.get(kind, ()))
            ):
                return kind
    if len(body) > _MAX_TOKEN_LINE or not _ANY_TOKEN.search(body):
        return None
    found: str | None = None
    rest = body
    for kind in _TOKEN_KIND_ORDER:
        reduced = _TOKEN_RES[kind].sub(" ", rest)
        if reduced != rest:
            found = found or kind
            rest = reduced
    if found is not None and _NO_LETTERS.fullmatch(rest):
        return found
    return None


def _has_notice_near_start(body: str, notices: Iterable[tuple[re.Pattern[str], int]]) -> bool:
    """Whether one of ``notices`` starts within its allowance of characters, all on the first
    line of ``body`` (as ``.{0,n}`` + notice matched from the start would find it)."""
    for notice, allowance in notices:
        found = notice.search(body)
        # The first match is the only candidate: any later one starts later still.
        if found is not None and found.start() <= allowance and "\n" not in body[: found.start()]:
            return True
    return False


def _remove_boilerplate(lines: list[str], notes: list[str]) -> list[str]:
    kinds = [_short_line_kind(line) if len(line) <= _MAX_PREFIX_LINE else None for line in lines]
    if not any(kinds):
        return lines
    out: list[str] = []
    for index, (line, kind) in enumerate(zip(lines, kinds, strict=True)):
        if kind is None:
            out.append(line)
            continue
        _add(notes, f"removed_boilerplate:{kind}")
        if kind in _TAIL_KINDS and _is_short_tail(lines[index + 1 :]):
            break  # the comment form / link list that follows goes with it
    return out


def _is_short_tail(tail: Iterable[str]) -> bool:
    for count, line in enumerate(tail, start=1):
        if count > _MAX_TAIL_LINES or len(line) > _MAX_TAIL_LINE:
            return False
    return True
