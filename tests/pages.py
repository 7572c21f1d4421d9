"""Checks every HTML page must pass: a strict CSP header and nothing inline that needs it; and
the readers of what pages answer (their text, their errors, their CSV downloads)."""

import csv
import html
import io
import re
from html.parser import HTMLParser


class _Inline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []
        self.script_nonces = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.problems.append(f"style= attribute on <{tag}>")
        for name in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= handler on <{tag}>")
            if name.startswith("hx-on"):
                self.problems.append(f"{name} on <{tag}> (evaluated code)")
        for name in ("href", "src", "action"):
            if (attrs.get(name) or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in <{tag} {name}>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            if not attrs.get("src"):
                self.problems.append("inline <script>")
            self.script_nonces.append(attrs.get("nonce"))


def csp_directives(response):
    header = response.headers["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


def assert_strict_page(response):
    """The response carries the strict CSP, and its HTML holds no inline script, no style
    attribute, no event handler; every script carries this response's nonce."""
    directives = csp_directives(response)
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, policy
    assert directives["default-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    nonce = next(
        (v[len("'nonce-") : -1] for v in directives["script-src"] if v.startswith("'nonce-")), None
    )
    parser = _Inline()
    parser.feed(response.content.decode())
    assert not parser.problems, parser.problems
    for script_nonce in parser.script_nonces:
        assert script_nonce == nonce, "a script without this response's CSP nonce"


def text_of(response):
    """The page's visible text with whitespace collapsed, for assertions on wording."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def assert_error_at_field(response, field, message):
    """A form sent back to be corrected: status 422 on a strict page, with the error summary,
    a link from it to the field, and the message beside the field."""
    assert response.status_code == 422
    page = html.unescape(response.content.decode())
    assert "There is a problem" in page
    assert f'href="#id_{field}' in page  # the summary links to the field
    assert message in page
    assert f'id="id_{field}_error"' in page
    assert_strict_page(response)


def csv_rows(response):
    """A CSV download's rows, header first, without the byte-order mark that Excel needs."""
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))
