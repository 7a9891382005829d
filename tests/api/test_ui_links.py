"""The query page links only http(s) and mailto IRIs; every other scheme is shown as text.

Two levels: the page's own ``linkable`` function (taken from the served page, run in Node)
over a corpus of scheme tricks, and the whole page in headless Chromium running a query whose
results carry such IRIs (each skipped when Node or Chromium is not installed).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from test_ui import chromium, dump_dom

SAFE = [
    "http://example.org/a",
    "https://w3id.org/aigraph/id/organisation/hub-france-ia",
    "HTTPS://EXAMPLE.ORG/upper-case-scheme",
    "mailto:someone@example.org",
]
UNSAFE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " JaVaScRiPt:alert(1)",
    "\tjavascript:alert(1)",
    "\njavascript:alert(1)",
    "\x00javascript:alert(1)",
    "\x01javascript:alert(1)",
    "\x1fjavascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    "javascript&#58;alert(1)",
    "javascript&colon;alert(1)",
    "&#106;avascript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "javascript:%0aalert(1)",
    "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "x-javascript:alert(1)",
    "http:javascript:alert(1)",  # no authority: the URL parser would still call it http
    "https:/\tjavascript:alert(1)",
    "//evil.example/",
    "/relative",
    "",
    "\u00a0https://example.org/nbsp-first",
    "https://example.org/\u0000",
]


@pytest.fixture(scope="module")
def linkable_source(client) -> str:
    page = client.get("/").text
    rule = r"\n(\s*const LINKABLE = .*?\n\s*function linkable\(iri\) \{.*?\n  \})\n"
    m = re.search(rule, page, re.S)
    assert m, "the page has no linkable() function"
    return m.group(1)


@pytest.mark.skipif(shutil.which("node") is None, reason="no Node.js: the link rule is not run")
def test_linkable_admits_only_http_https_and_mailto(linkable_source):
    script = (
        linkable_source
        + "\nconst input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        + "\nprocess.stdout.write(JSON.stringify(input.map(linkable)));"
    )
    corpus = SAFE + UNSAFE
    done = subprocess.run(
        ["node", "-e", script], input=json.dumps(corpus).encode(), capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    verdict = dict(zip(corpus, json.loads(done.stdout), strict=True))
    assert [iri for iri in SAFE if not verdict[iri]] == []
    assert [iri for iri in UNSAFE if verdict[iri]] == []


# -- in a real browser, through the served page ---------------------------------------------------

#: IRIs the SPARQL engine accepts in a query (it refuses spaces, controls and entities in IRIs:
#: those are covered by the Node test above)
QUERY_UNSAFE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.domain)",
    "javascript:%0aalert(1)",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E",
    "x-javascript:alert(1)",
]
QUERY_SAFE = ["http://example.org/ok", "https://example.org/ok", "mailto:someone@example.org"]


class Cells(HTMLParser):
    """The results table's links (href) and the text of its cells."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id") == "results-table":
            self._depth = 1
        elif self._depth and tag == "table":
            self._depth += 1
        if self._depth and tag == "a":
            self.hrefs.append(a.get("href") or "")

    def handle_endtag(self, tag):
        if self._depth and tag == "table":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.text.append(data)


@pytest.mark.skipif(
    chromium() is None,
    reason="no Chromium installed (chromium not on PATH, no /usr/bin/chromium): "
    "the page is not tried in a real browser",
)
def test_page_shows_non_http_iris_as_text_in_headless_chromium(served, tmp_path):
    values = " ".join(f"<{iri}>" for iri in QUERY_UNSAFE + QUERY_SAFE)
    query = f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}"
    dom = dump_dom(served + "/?" + urlencode({"query": query, "run": "1"}), tmp_path / "profile")
    cells = Cells()
    cells.feed(dom)
    assert cells.text, "no results table in the DOM:\n" + dom[-3000:]
    assert sorted(cells.hrefs) == sorted(QUERY_SAFE)
    shown = "".join(cells.text)
    for iri in QUERY_UNSAFE:  # still shown, as text
        assert iri in shown, iri
