"""Rule-based sentence splitting with exact character offsets (English and CJK).

One compiled regular expression finds every candidate boundary (a run of sentence-final
punctuation followed by whitespace, a CJK terminator, a line break, a bullet, an emoticon);
each candidate is then accepted or rejected with a few cheap checks on the tokens around it
(set lookups of the word before the period, the shape of the word after it). There is no
per-character Python loop, so the cost is linear in the length of the text.
"""

from __future__ import annotations

import re

__all__ = ["split_sentences"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Every character str.splitlines() breaks on; all of them are whitespace (str.isspace).
_NEWLINES = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LATIN_TERMS = ".!?…‼⁇⁈⁉"
# Ideographic full stop, full-width ! ? . and the half-width ideographic full stop.
_CJK_TERMS = "。！？．｡"
_CLOSERS = "\"'”’»›)]}」』）》〉】〕〗〙〛］｝＂＇"
_QUOTES = "\"'”’»›"
_OPENERS = "\"'“‘«‹([{「『（《〈【"
_BULLETS = "•‣⁃◦▪"

_E = re.escape
_CANDIDATE = re.compile(
    # One leading character class lets the regex engine skip non-candidates in C.
    f"[{_E(_LATIN_TERMS + _CJK_TERMS + _NEWLINES + _BULLETS)}:;=]"
    "(?:"
    # 1: Latin terminators: a run (spaced ellipses ". . ." included), closing quotes and
    # brackets, then horizontal whitespace, a line break or the end of the text.
    # Possessive quantifiers, and never starting inside a run, keep this linear on long runs.
    f"(?<=[{_E(_LATIN_TERMS)}])(?<![{_E(_LATIN_TERMS)}].)"
    f"[{_E(_LATIN_TERMS)}]*+(?:(?<=\\.)\\x20\\.[{_E(_LATIN_TERMS)}]*+){{0,4}}+[{_E(_CLOSERS)}]*+"
    f"([^\\S{_NEWLINES}]++|(?=[{_NEWLINES}])|\\Z)"
    # 2: CJK terminators need no whitespace after them.
    f"|(?<=[{_E(_CJK_TERMS)}])[{_E(_CJK_TERMS + _LATIN_TERMS)}]*[{_E(_CLOSERS)}]*(\\s*)"
    f"|(?<=[{_NEWLINES}])\\s*"
    # A bullet starts a new sentence when it follows whitespace (checked in Python).
    f"|(?<=[{_E(_BULLETS)}])"
    # 3: an emoticon followed by whitespace.
    f"|(?<=[:;=])-?[()DPp](?=\\s|\\Z)()[^\\S{_NEWLINES}]*"
    ")"
)
# Citation marks and emoticons that follow a sentence end belong to that sentence.
_TRAILERS = re.compile(f"(?:(?:\\[\\d{{1,3}}\\]|[:;=]-?[()DPp](?=\\s|\\Z))[^\\S{_NEWLINES}]*)+")
_LIST_MARKER = re.compile(
    f"(?:[{_E(_BULLETS)}*\\-][ \\t]*)?(\\d{{1,3}}|[A-Za-z])(?:\\.\\)|\\.|\\))(?=\\s)"
)

# Titles and words that are (almost) always followed by a name: never a sentence end.
_PREFIXES = _words(
    """
    mr mrs ms mssrs messrs mme mlle dr prof rev hon fr st mt ft gen sen rep gov lt col sgt
    capt cpt maj adm cmdr cdr pres supt insp det pvt cpl brig pfc vs v
    """
)
# Words that are abbreviations when a number follows ("No. 5", "p. 55", "Fig. 3").
_NUMBER_PREFIXES = _words(
    """
    no nos nr n° p pp para vol vols fig figs art sec sect ch chap eq ed op tel ex approx ca
    ref refs pg pt pts
    """
)
# Abbreviations that may also end a sentence: not a sentence end before a lowercase word
# or a number, a sentence end before a capitalised word.
_ABBREVIATIONS = _words(
    """
    etc co corp inc ltd llc plc bros jr sr esq dept univ assn assoc ave blvd rd hwy
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    approx est min max hr hrs mins sec secs oz lb lbs kg km cm mm ft yr yrs mo mos wk wks
    al cf ca ibid vol vols fig figs no nos nr pp pg tel ext ed eds eq govt intl natl
    misc incl excl avg dist div ph inst
    """
)
# Words that commonly start a sentence. After an ambiguous abbreviation ("U.S.", "a.m.", an
# initial) a capitalised word starts a new sentence only if it is one of these.
_STARTERS = _words(
    """
    I Im You He She It We They This That These Those The A An There Here What When Where Why
    How Who Which But And So Or If In On At As For After Before Then Now My Our Your His Her
    Their Its Also However Please Thanks Thank Yes No Do Does Did Is Are Was Were Can Could Will
    Would Should Have Has Had Let Not Some All Many Most One Each Every Since While Although
    Though Because To From With By Of Just Even Only Still Well Oh OK Ok Hi Hello Anyway
    Besides Meanwhile Today Yesterday Tomorrow Finally First Next Last Both Neither None
    Nothing Everyone Everything Someone Something Nobody Maybe Perhaps Instead Otherwise
    Unfortunately Fortunately Actually Indeed Yet Don Didn Doesn Isn Wasn Can't We're
    """
)
# '“Go,” Pete said.': a quotation followed by its speaker continues the sentence.
_SPEECH_VERBS = _words(
    """
    said says say asked asks ask replied replies answered answers added adds cried cries
    shouted shouts yelled yells whispered whispers exclaimed exclaims called calls howled
    muttered murmured continued continues told tells wrote writes thought thinks
    """
)


def split_sentences(text: str, lang: str | None = None) -> list[tuple[int, int]]:
    """Split ``text`` into sentences, returned as ``(start, end)`` character offsets.

    Promises, for every ``str`` input (empty, whitespace only, control characters and lone
    surrogates included):

    * spans index ``text`` exactly as given (it is never modified): ``text[start:end]`` is
      a sentence;
    * spans are in order and non-overlapping, each is non-empty, and none starts or ends on
      a whitespace character (``str.isspace``);
    * every non-whitespace character of ``text`` lies inside a span;
    * the function never raises, is deterministic, and its cost is linear in ``len(text)``.

    A line break always ends a sentence (the cleaning stage has already unwrapped hard-wrapped
    lines). Sentences end at . ! ? … and runs of them (closing quotes and brackets after the
    terminator belong to the sentence), unless the period belongs to an abbreviation, an
    initial, a number or a list label; and at 。！？． (no whitespace needed after them).
    ``lang`` is an ISO 639-1 hint ("en", "zh", ...); English and CJK punctuation are handled
    together whatever its value, so mixed text and ``None`` work.
    """
    del lang  # the rules for English and CJK punctuation do not conflict: always both on
    n = len(text)
    spans: list[tuple[int, int]] = []
    cur = n - len(text.lstrip())  # start of the current sentence: never on whitespace
    list_line = cur if _LIST_MARKER.match(text, cur) else -1
    list_index = 0
    for m in _CANDIDATE.finditer(text):
        s, nxt = m.span()
        ws = m.start(1)
        if ws >= 0:
            e = _latin_end(text, s, ws, nxt, n)
            if e < 0:
                continue
            if e != ws:
                nxt = e + 1  # "compounds. . . . The": the next sentence opens with ". . ."
            elif nxt < n and text[nxt] in "[:;=":
                trailer = _TRAILERS.match(text, nxt)
                if trailer is not None:
                    e = nxt + len(trailer.group().rstrip())
                    nxt = trailer.end()
        else:
            c = text[s]
            if c in _NEWLINES:
                e = s
            elif m.start(2) >= 0:
                # A full-width period between digits is a decimal point.
                if c == "．" and s and text[s - 1].isdigit() and nxt < n and text[nxt].isdigit():
                    continue
                e = m.start(2)
            elif m.start(3) >= 0:
                if s and not text[s - 1].isspace():
                    continue
                e = m.start(3)
                if nxt < n and not (text[nxt].isupper() or text[nxt] in _NEWLINES):
                    continue
            else:  # a bullet
                if not (s and text[s - 1].isspace()):
                    continue
                e = nxt = s
        if e > cur:
            if text[e - 1].isspace():
                e = cur + len(text[cur:e].rstrip())
            spans.append((cur, e))
        if nxt > cur:
            cur = nxt
        if ws < 0 and text[s] in _NEWLINES:
            if list_line >= 0:
                spans[list_index:] = _list_spans(text, list_line, spans[list_index:])
            list_line = nxt if _LIST_MARKER.match(text, nxt) else -1
            list_index = len(spans)
    if cur < n:
        end = cur + len(text[cur:].rstrip())
        if end > cur:
            spans.append((cur, end))
    if list_line >= 0:
        spans[list_index:] = _list_spans(text, list_line, spans[list_index:])
    return spans


def _latin_end(text: str, s: int, ws: int, nxt: int, n: int) -> int:
    """Decide a Latin candidate, the run text[s:ws] of terminators and closing marks.

    Returns the end offset of the sentence (``ws``, or a smaller offset when only the first
    period of the run ends it), or -1 when the candidate is not a sentence boundary.
    """
    if nxt >= n:
        return ws
    c = text[nxt]
    if c in _NEWLINES:
        return ws
    term = text[s:ws]
    closed = term[-1] in _CLOSERS
    if closed:
        closers = term
        term = term.rstrip(_CLOSERS)
        closers = closers[len(term) :]

    if term == ".":
        if s == 0 or text[s - 1].isspace():  # a lone " . "
            return ws if c.isupper() else -1
        tok = _prev_token(text, s)
        if c.isupper() or c in _OPENERS:
            if closed:
                return -1 if _speaker_follows(text, nxt, closers) else ws
            low = tok.lower()
            if low in _PREFIXES:
                return -1
            if "." in tok:
                # "U.S.", "e.g.", "a.m.", "Ph.D.": a sentence end only before a word that
                # typically starts one; an upper-case "P.M." / "A.M." is one before any.
                if tok.isupper() and low in ("a.m", "p.m"):
                    return ws
                if low == "p.s":  # the postscript follows
                    return -1
                return ws if _next_word(text, nxt) in _STARTERS else -1
            if len(tok) == 1 and tok.isalpha():
                # An initial ("Jonas E. Smith"), unless it is the pronoun ("you and I. Did").
                if tok == "I" and _prev_token(text, s - 2)[:1].islower():
                    return ws
                if _is_list_label(text, s, tok):
                    return -1
                return ws if _next_word(text, nxt) in _STARTERS else -1
            if len(tok) <= 2 and _is_list_label(text, s, tok):  # labels are short: skip the call
                return -1
            return ws
        low = tok.lower()
        if c.islower():
            if closed or "." in tok or len(tok) == 1:
                return -1
            if low in _ABBREVIATIONS or low in _PREFIXES or low in _NUMBER_PREFIXES:
                return -1
            return ws
        if c.isdigit():
            if "." in tok or len(tok) == 1 or low in _NUMBER_PREFIXES:
                return -1
            if low in _ABBREVIATIONS or low in _PREFIXES:
                return -1
            return ws
        return -1 if _is_list_label(text, s, tok) else ws

    if term[0] in ".…":
        # An ellipsis: a sentence end only before a capital.
        if not c.isupper():
            return -1
        if s and text[s - 1] in "[(":  # "[...]"
            return -1
        if " " in term:
            dots = term.count(".")
            if dots == 4 and not text[s - 1].isspace():
                # "compounds. . . . The": the period ends the sentence, the spaced ellipsis
                # opens the next one.
                return s + 1
            # ". . . ." ends a sentence, a spaced ". . ." before a capital ("I") does not.
            return ws if dots >= 4 else -1
        if s and text[s - 1].isspace():
            # "... Some help": an ellipsis after whitespace that itself follows a sentence
            # end opens the next sentence.
            before = text[max(0, s - 8) : s].rstrip()
            if not before or before[-1] in _LATIN_TERMS:
                return -1
        return ws

    # "!" and "?" runs.
    if c.isupper() or c in _OPENERS:
        if closed and _speaker_follows(text, nxt, closers):
            return -1
        return ws
    if c.islower():
        if closed:
            return -1
        tok = _prev_token(text, s)
        # "She works at Yahoo! in accounting."
        if tok[:1].isupper() and not tok.isupper():
            return -1
    return ws


def _speaker_follows(text: str, nxt: int, closers: str) -> bool:
    """Whether a closing quote is followed by its speaker ('“Go!” Pete said')."""
    if not any(q in closers for q in _QUOTES):
        return False
    parts = text[nxt : nxt + 40].split(None, 3)
    if len(parts) < 2:
        return False
    if parts[1].rstrip(".,;:!?") in _SPEECH_VERBS:
        return True
    return len(parts) > 2 and parts[1][:1].isupper() and parts[2].rstrip(".,;:") in _SPEECH_VERBS


def _is_list_label(text: str, s: int, tok: str) -> bool:
    """Whether ``tok``, ending at ``s``, is a list label ("2." right after a sentence end)."""
    if not (len(tok) <= 2 and tok.isdigit() or len(tok) == 1 and tok.isalpha()):
        return False
    start = s - len(tok)
    before = text[max(0, start - 8) : start].rstrip()
    if not before:
        return start < 8 or text[start - 8 : start].isspace()
    return before[-1] in _LATIN_TERMS or before[-1] == ":"


def _prev_token(text: str, pos: int) -> str:
    """The whitespace-delimited token ending at ``pos``, without leading quotes/brackets."""
    parts = text[pos - 32 if pos > 32 else 0 : pos].rsplit(None, 1)
    return parts[-1].lstrip(_OPENERS) if parts else ""


def _next_word(text: str, pos: int) -> str:
    """The token starting at ``pos``, cut at an apostrophe or a trailing , ; :"""
    parts = text[pos : pos + 32].split(None, 1)
    if not parts:
        return ""
    return parts[0].replace("’", "'").split("'", 1)[0].rstrip(",;:")


def _list_spans(text: str, start: int, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Re-split one line that opens with a list label ("1.", "a.", "1)", "1.)", "• 9.").

    ``spans`` are the line's sentences. The following labels of the same sequence ("2.",
    "b.") start new sentences, and no label is itself a sentence end.
    """
    if not spans:
        return spans
    stop = spans[-1][1]
    first = _LIST_MARKER.match(text, start, stop)
    if first is None:
        return spans
    label = first.group(1)
    label_ends = {first.end()}
    # (end of a sentence, start of the next) inside the line
    bounds = [(a[1], b[0]) for a, b in zip(spans, spans[1:], strict=False)]
    pos = first.end()
    while True:
        label = str(int(label) + 1) if label.isdigit() else chr(ord(label) + 1)
        marker = re.compile(
            f"(?<=\\s)(?:[{_E(_BULLETS)}*\\-]\\s*)?{_E(label)}(?:\\.\\)|\\.|\\))(?=\\s)"
        )
        m = marker.search(text, pos, stop)
        if m is None:
            break
        bounds.append((pos + len(text[pos : m.start()].rstrip()), m.start()))
        label_ends.add(m.end())
        pos = m.end()
    out: list[tuple[int, int]] = []
    cur = spans[0][0]
    for e, s in sorted(b for b in bounds if b[0] not in label_ends):
        if e > cur:
            out.append((cur, e))
        cur = max(cur, s)
    if stop > cur:
        out.append((cur, stop))
    return out
