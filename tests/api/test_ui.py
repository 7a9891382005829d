"""The query page at ``/``: served as one self-contained HTML page (TestClient), and run in a
real headless Chromium against ``aigraph serve`` (skipped when no Chromium is installed)."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from aigraph.namespaces import PREFIXES
from aigraph.query import example_query
from aigraph.sparql import canned

URL = re.compile(r"https?://[^\s\"'<>)\\]+")


class Refs(HTMLParser):
    """Every URL-bearing attribute of the page, and the text of its textarea."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.textarea = ""
        self._in_textarea = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"src", "href", "action", "srcset", "poster", "data"} and value:
                self.refs.append((tag, name, value))
        self._in_textarea = tag == "textarea"

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._in_textarea = False

    def handle_data(self, data):
        if self._in_textarea:
            self.textarea += data


@pytest.fixture(scope="module")
def page(client) -> str:
    r = client.get("/")
    assert r.status_code == 200
    return r.text


def test_page_is_html_with_the_form_and_the_example(client, page):
    r = client.get("/")
    assert r.headers["content-type"].startswith("text/html")
    assert '<form id="query-form"' in page
    assert '<label for="query">' in page and 'id="query" name="query"' in page
    assert '<button type="submit" class="run" id="run">Run</button>' in page
    refs = Refs()
    refs.feed(page)
    assert refs.textarea == example_query()  # as `aigraph example` prints it
    assert html.escape(example_query(), quote=False) in page
    assert client.get("/ui").text == page


def test_page_references_only_its_own_origin(client, page):
    refs = Refs()
    refs.feed(page)
    hrefs = {value for _tag, _name, value in refs.refs}
    assert {"docs", ".well-known/void", "queries", "sparql"} <= hrefs
    for tag, name, value in refs.refs:
        assert not re.match(r"^([a-z][a-z0-9+.-]*:|//)", value, re.I), (tag, name, value)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page)
    # absolute URLs appear only as the example's and the predeclared prefixes' namespace IRIs
    namespaces = tuple(PREFIXES.values())
    for url in URL.findall(page):
        assert url in example_query() or url.startswith(namespaces), url
    # and the browser is told to load nothing from elsewhere
    csp = client.get("/").headers["content-security-policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp


def test_linked_service_pages_answer(client):
    assert client.get("/.well-known/void").status_code == 200
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/queries").status_code == 200


def test_named_query_text_for_the_editor(client):
    r = client.get("/ui/queries/agreements-by-priority")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-query")
    assert r.text == canned.get("agreements-by-priority").sparql
    missing = client.get("/ui/queries/no-such-query")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


# -- a real browser ------------------------------------------------------------------------------


def chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


def dump_dom(url: str, profile: Path, budget_ms: int | None = 5000) -> str:
    """The DOM of ``url`` after headless Chromium ran its scripts (within ``budget_ms`` of
    virtual time); fails the test when Chromium does."""
    cmd = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}", "--dump-dom",
    ]  # fmt: skip
    if budget_ms is not None:
        cmd.append(f"--virtual-time-budget={budget_ms}")
    done = subprocess.run([*cmd, url], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done.stdout.decode()


@pytest.mark.skipif(
    chromium() is None,
    reason="no Chromium installed (chromium not on PATH, "
    "no /usr/bin/chromium): the page is not tried in a real browser",
)
def test_page_runs_the_example_in_headless_chromium(served, tmp_path):
    dom = dump_dom(served + "/?run=1", tmp_path / "profile")
    table = re.search(r'<table id="results-table".*?</table>', dom, re.S)
    assert table, "no results table in the DOM:\n" + dom[-3000:]
    assert "Hub France IA" in table.group(0) and "KI Bundesverband" in table.group(0)
    assert re.search(r'id="row-count">\d+ rows? in \d+ ms<', dom)
    assert re.search(r'<div id="error" role="alert" hidden=?', dom)
    assert 'id="truncated"' not in dom
    # the named queries were listed from /queries
    assert 'data-name="agreements-by-priority"' in dom
