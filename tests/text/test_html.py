"""Tests for pipeline.text.html: extraction, fallback, title, robustness."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text.html import extract_html, looks_like_html

BODY = [
    "Production of new energy vehicles in China rose 35.8% to 9.5 million units last year, "
    "according to figures compiled by an industry association.",
    "Battery suppliers in Ningde and Hefei are adding lines faster than carmakers can absorb "
    "them, and several plants now run below half of their rated capacity.",
    "The push traces back to Made in China 2025, the industrial plan that named new energy "
    "vehicles as one of ten priority sectors for the decade.",
]

PAGE = f"""<!DOCTYPE html>
<html><head><title>Battery makers bet on scale | Weekly</title>
<meta property="og:title" content="Battery makers bet on scale">
<script>var tracking = "should never appear";</script>
<style>p {{ color: red; }}</style></head>
<body>
<header><nav><a href="/">Home</a> | <a href="/news">News</a> |
<a href="/about">About us</a></nav></header>
<div id="cookie-banner"><p>We use cookies to improve your experience on our site.</p>
<button>Accept all cookies</button></div>
<article><h1>Battery makers bet on scale</h1>
<p>{BODY[0]}</p><p>{BODY[1]}</p><p>{BODY[2]}</p></article>
<section id="comments"><h3>Leave a Reply</h3>
<form><p>Name *</p><input name="author"><p>Email *</p><input name="email">
<p>Save my name, email, and website in this browser for the next time I comment.</p></form>
</section>
<footer><p>Copyright © 2025 Weekly. All rights reserved.</p></footer>
</body></html>"""


def test_main_text_keeps_paragraphs_as_lines_and_drops_furniture() -> None:
    result = extract_html(PAGE, url="https://example.com/a")
    assert result.method == "trafilatura"
    lines = result.text.split("\n")
    for paragraph in BODY:
        assert paragraph in lines
    for furniture in ("tracking", "color: red", "About us", "cookies", "Leave a Reply",
                      "Save my name", "All rights reserved"):  # fmt: skip
        assert furniture not in result.text
    assert result.title == "Battery makers bet on scale"


def test_lines_are_tidy() -> None:
    text = extract_html(PAGE).text
    assert text == text.strip()
    assert "\n\n" not in text
    assert all(line == line.strip() and line for line in text.split("\n"))


def test_fallback_used_when_trafilatura_finds_nothing(monkeypatch) -> None:
    import pipeline.text.html as html_module

    monkeypatch.setattr(html_module, "_trafilatura", lambda *args: ("", None))
    result = extract_html(PAGE)
    assert result.method == "fallback"
    lines = result.text.split("\n")
    for paragraph in BODY:
        assert paragraph in lines
    for furniture in ("tracking", "color: red", "About us", "Save my name", "All rights"):
        assert furniture not in result.text
    assert result.title == "Battery makers bet on scale"


def test_tiny_page_still_yields_its_text() -> None:
    html = "<html><head><title>Short</title></head><body><div>Tiny note.</div></body></html>"
    result = extract_html(html)
    assert result.text == "Tiny note."
    assert result.title == "Short"


def test_fallback_drops_script_style_nav_header_footer_aside_form() -> None:
    from pipeline.text.html import _fallback_text, _parse

    html = (
        "<html><body><header>Head</header><nav>Nav</nav><aside>Side</aside>"
        "<script>js()</script><style>.x{}</style><form>Form</form>"
        "<p>First paragraph.</p>kept tail<div>Second<br>line</div><footer>Foot</footer>"
        "</body></html>"
    )
    text = _fallback_text(_parse(html))
    assert text.split("\n") == ["First paragraph.", "kept tail", "Second", "line"]


def test_title_from_og_title_when_no_title_element() -> None:
    html = "<html><head><meta property='og:title' content='OG headline'></head><body></body></html>"
    assert extract_html(html).title == "OG headline"


def test_empty_and_non_html_input() -> None:
    assert extract_html("").text == ""
    assert extract_html("   ").title is None
    plain = extract_html("Just a plain sentence about robots, without any markup at all.")
    assert "robots" in plain.text


def test_broken_html_does_not_raise() -> None:
    broken = (
        "<html><body><p>Unclosed <b>bold <i>mixed</b> tags</i><div><p>More text here"
        "</span></table><<<>>>&&&;</p"
    )
    result = extract_html(broken)
    assert "Unclosed" in result.text


def test_deeply_nested_html_does_not_raise() -> None:
    depth = 5000
    html = (
        "<html><body>"
        + "<div>" * depth
        + "<p>Deep text about robots.</p>"
        + "</div>" * depth
        + "</body></html>"
    )
    result = extract_html(html)
    assert result.text == "Deep text about robots."


def test_xml_declaration_is_accepted() -> None:
    html = (
        '<?xml version="1.0" encoding="utf-8"?>\n<html><head><title>X</title></head>'
        "<body><p>Exports of solar panels fell twelve percent in May, the ministry said.</p>"
        "</body></html>"
    )
    result = extract_html(html)
    assert "solar panels" in result.text
    assert result.title == "X"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["<div>", "</div>", "<p>", "</p>", "<script>", "</script>", "<!--",
                             "-->", "<html>", "<body>", "<br/>", "<", ">", "&amp;", "&", "\x00",
                             "<title>", "</title>", "<meta property='og:title' content='x'>"]),
            st.text(max_size=20),
        ),
        max_size=40,
    ).map("".join)
)  # fmt: skip
def test_extract_never_raises(html: str) -> None:
    result = extract_html(html)
    assert isinstance(result.text, str)
    assert result.method in {"trafilatura", "fallback"}
    assert result.title is None or result.title.strip() == result.title != ""


def test_looks_like_html() -> None:
    assert looks_like_html(PAGE)
    assert looks_like_html("\ufeff  <!doctype html><html><body>x</body></html>")
    assert looks_like_html("<html lang='en'><p>x</p></html>")
    assert looks_like_html("<div class='a'><p>One</p><p>Two</p></div>")
    assert not looks_like_html("Plain text about robots. Use <br> for line breaks.")
    assert not looks_like_html("# Markdown heading\n\n- list item with a <b> tag")
    assert not looks_like_html("")
    assert not looks_like_html("新质生产力正在重塑制造业。")


@given(st.text(max_size=300))
def test_looks_like_html_never_raises(text: str) -> None:
    assert looks_like_html(text) in {True, False}


DATED_PAGE = PAGE.replace(
    "<article>",
    '<article><p class="byline">Published 12 March 2024, updated 2024-03-14</p>'
    "<time datetime='2024-03-12'>12 March</time>",
)


def test_quick_date_search_leaves_text_and_title_as_trafilatura_defaults() -> None:
    """The date search is cut short because the date is unused: text and title must be what
    trafilatura's default (extensive) date search gives."""
    from trafilatura import bare_extraction

    from pipeline.text.html import _tidy_lines, _tidy_title

    for page in (PAGE, DATED_PAGE):
        default = bare_extraction(
            page,
            url="https://example.com/a",
            include_comments=False,
            include_tables=True,
            include_formatting=False,
            include_links=False,
            include_images=False,
            with_metadata=True,
            deduplicate=False,
        )
        result = extract_html(page, url="https://example.com/a")
        assert result.method == "trafilatura"
        assert (result.text, result.title) == (
            _tidy_lines(default.text),
            _tidy_title(default.title),
        )
