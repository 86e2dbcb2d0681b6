"""The learn pages: open to anyone, each with its sources, review date and disclaimer, and
written at a US school grade of 8 or below (Flesch-Kincaid, measured by textstat)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
import textstat
from django.urls import reverse
from django.utils.html import escape

from ketacare.public.learn_pages import LEARN_PAGES, REVIEWED_ON
from ketacare.public.learn_sources import SOURCES

MAX_GRADE = 8
PAGE_URLS = [reverse("public:learn-page", args=[page.slug]) for page in LEARN_PAGES]
ALL_URLS = [reverse("public:learn-index"), *PAGE_URLS]
BLOCKS = {"p", "li", "td", "th", "h1", "h2", "h3", "dt", "dd", "caption"}
SENTENCE_END = (".", "!", "?", ":")


class _BodyText(HTMLParser):
    """The text of the page's <article class="learn-body">: the header, footer, sources and
    review line are outside it. Each block (paragraph, list item, table cell, heading) is one
    unit; one that does not end a sentence (a heading, a list item such as "Nausea: 28 in 100")
    is closed with a full stop, so it is not read as part of the next sentence."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # nesting inside the article; 0 = outside
        self.blocks: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += 1
            if tag in BLOCKS:
                self.blocks.append([])
        elif tag == "article" and ("class", "learn-body") in attrs:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and self.blocks:
            self.blocks[-1].append(data)

    def text(self) -> str:
        units = [" ".join("".join(block).split()) for block in self.blocks]
        return " ".join(u if u.endswith(SENTENCE_END) else f"{u}." for u in units if u)


def body_text(html: str) -> str:
    parser = _BodyText()
    parser.feed(html)
    return parser.text()


@pytest.fixture
def pages(client, db):
    return {url: client.get(url) for url in ALL_URLS}


def test_every_learn_page_opens_without_signing_in(pages):
    for url, response in pages.items():
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")


def test_every_learn_page_is_in_english_and_says_it_is_not_medical_advice(pages):
    for url, response in pages.items():
        html = response.content.decode()
        assert '<html lang="en">' in html, url
        main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
        assert "This is information, not medical advice." in main, url
        assert f'Last reviewed: <time datetime="{REVIEWED_ON.isoformat()}">' in main, url


def test_every_topic_page_lists_its_sources_at_the_bottom(pages):
    for page, url in zip(LEARN_PAGES, PAGE_URLS, strict=True):
        html = pages[url].content.decode()
        article_end = html.index("</article>")
        sources_at = html.index('<h2 id="sources-heading">Sources</h2>')
        assert sources_at > article_end, url
        assert page.source_keys, url
        for key in page.source_keys:
            assert escape(SOURCES[key].citation) in html, (url, key)


def test_every_source_a_page_names_exists_and_every_source_is_used():
    used = {key for page in LEARN_PAGES for key in page.source_keys}
    assert used <= SOURCES.keys()
    assert SOURCES.keys() <= used, SOURCES.keys() - used


@pytest.mark.parametrize("url", ALL_URLS)
def test_body_text_reads_at_grade_8_or_below(client, db, url):
    text = body_text(client.get(url).content.decode())
    assert len(text.split()) > 60, text  # the article was found, not an empty string
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= MAX_GRADE, f"{url}: grade {grade}"


def test_body_text_leaves_out_header_footer_and_sources(client, db):
    html = client.get(PAGE_URLS[0]).content.decode()
    text = body_text(html)
    assert "Staff sign in" not in text
    assert "Sources" not in text
    assert "Find a clinic" not in text
    assert LEARN_PAGES[0].title in text


def test_a_hard_text_fails_the_grade_limit():
    # The limit can fail: dense clinical prose measures well above grade 8.
    hard = (
        "<article class='learn-body'><p>Esketamine administration necessitates comprehensive "
        "hemodynamic surveillance, including sphygmomanometric determinations approximately "
        "forty minutes postadministration, corresponding to maximal plasma concentrations, "
        "with subsequent evaluations as clinically warranted until normalization.</p></article>"
    )
    assert textstat.flesch_kincaid_grade(body_text(hard)) > MAX_GRADE


def test_an_unknown_learn_page_is_a_404(client, db):
    assert client.get("/learn/no-such-page/").status_code == 404


def test_learn_pages_answer_only_reading_methods(client, db):
    assert client.post(PAGE_URLS[0]).status_code == 405
