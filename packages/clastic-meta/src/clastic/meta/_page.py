"""Assemble the meta page and the contrib pages.

The meta page has a header, an "at a glance" strip and one collapsible
section per peripheral.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from string import Template

from clastic import Response
from clastic.meta._assets import PAGE_CSS, PAGE_JS
from clastic.meta._html import esc

__all__ = ["SectionView", "build_page", "build_tool_page", "content_security_policy", "page_response"]

_PAGE = Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex, nofollow">
<title>$title · meta</title>
<link rel="icon" href="data:,">
<style nonce="$nonce">$css</style>
</head>
<body>
<header class="top">
  <div class="brand">
    <span class="logo" aria-hidden="true">◆</span><h1>$title</h1><span class="sub">application meta</span>
  </div>
  <nav class="actions" aria-label="Page actions">
    <a href="$json_url" type="application/json">JSON</a>
    <button type="button" id="expand-all">Expand all</button>
    <button type="button" id="collapse-all">Collapse all</button>
  </nav>
</header>
<main>
$glance
$toc
$banner
$sections
</main>
<footer>
  Generated $generated_at by clastic-meta · shown to $audience · press <kbd>/</kbd> to filter routes.
</footer>
<script nonce="$nonce">$js</script>
</body>
</html>
"""
)


@dataclass(frozen=True)
class SectionView:
    """One section of the page, ready to print."""

    anchor: str
    title: str
    group_key: str
    #: The body HTML, or ``None`` when the peripheral failed.
    body: str | None
    #: ``"ExceptionType: message"`` when the peripheral failed.
    error: str | None = None


def content_security_policy(nonce: str) -> str:
    """The page's CSP: nothing external, only the page's own script."""
    return (
        "default-src 'none'; "
        f"script-src 'nonce-{nonce}'; "
        "style-src 'unsafe-inline'; "
        "img-src data:; "
        "connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def _section_html(section: SectionView) -> str:
    head = f'<h2>{esc(section.title)}</h2><span class="group" title="JSON key">{esc(section.group_key)}</span>'
    if section.error is not None:
        return (
            f'<details class="section failed" id="{esc(section.anchor)}" open>'
            f'<summary>{head}<span class="badge error">failed</span></summary>'
            '<div class="section-body">'
            f'<p class="error-msg">This section could not be built: <code>{esc(section.error)}</code></p>'
            '<p class="muted">The traceback is in the application\'s log (logger <code>clastic.meta</code>).</p>'
            "</div></details>"
        )
    return (
        f'<details class="section" id="{esc(section.anchor)}" open>'
        f'<summary>{head}</summary><div class="section-body">{section.body}</div></details>'
    )


def build_page(
    *,
    title: str,
    json_url: str,
    sections: Sequence[SectionView],
    glance: Sequence[tuple[str, str]],
    nonce: str,
    generated_at: str,
    audience: str,
) -> str:
    """Return the whole HTML page.

    Args:
        title: The page title (escaped here).
        json_url: Where the JSON version lives.
        sections: The peripherals' sections, in order.
        glance: ``(label, text)`` figures for the top strip.
        nonce: The CSP nonce for the inline style and script.
        generated_at: When the page was built, for the footer.
        audience: Who the access rule lets in, for the footer.
    """
    glance_html = ""
    if glance:
        items = "".join(f"<div><dt>{esc(label)}</dt><dd>{esc(text)}</dd></div>" for label, text in glance)
        glance_html = f'<dl class="glance" aria-label="At a glance">{items}</dl>'
    links = "".join(
        f'<a href="#{esc(s.anchor)}" class="{"failed" if s.error is not None else "ok"}">{esc(s.title)}</a>'
        for s in sections
    )
    toc = f'<nav class="toc" aria-label="Sections">{links}</nav>' if sections else ""
    failed = [s.title for s in sections if s.error is not None]
    banner = ""
    if failed:
        names = ", ".join(failed)
        banner = f'<p class="banner" role="status">{len(failed)} section(s) failed to load: {esc(names)}.</p>'
    return _PAGE.substitute(
        title=esc(title),
        nonce=esc(nonce),
        css=PAGE_CSS,
        js=PAGE_JS,
        json_url=esc(json_url),
        glance=glance_html,
        toc=toc,
        banner=banner,
        sections="\n".join(_section_html(section) for section in sections),
        generated_at=esc(generated_at),
        audience=esc(audience),
    )


_TOOL_PAGE = Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex, nofollow">
$refresh<title>$title</title>
<link rel="icon" href="data:,">
<style nonce="$nonce">$css</style>
</head>
<body>
<header class="top">
  <div class="brand">
    <span class="logo" aria-hidden="true">◆</span><h1>$heading</h1><span class="sub">$subtitle</span>
  </div>
  <nav class="actions" aria-label="Page actions">$actions</nav>
</header>
<main>
$body
</main>
<footer>$footer</footer>
</body>
</html>
"""
)


def build_tool_page(
    *,
    title: str,
    heading: str,
    subtitle: str,
    actions: Sequence[tuple[str, str]],
    body: str,
    footer: str,
    nonce: str,
    extra_css: str = "",
    refresh_seconds: int | None = None,
) -> str:
    """Return a page in the meta page's style for the contrib tools (object browser, webtop).

    Args:
        title: The document title (escaped here).
        heading: The header's title (escaped here).
        subtitle: Text beside it (escaped here).
        actions: ``(label, href)`` links in the header (escaped here).
        body: The main HTML, already escaped by the caller.
        footer: The footer text (escaped here).
        nonce: The CSP nonce of the inline style.
        extra_css: More CSS after the meta stylesheet.
        refresh_seconds: Reload the page this often (``<meta http-equiv=refresh>``); ``None`` or 0: never.
    """
    links = "".join(f'<a href="{esc(href)}">{esc(label)}</a>' for label, href in actions)
    refresh = f'<meta http-equiv="refresh" content="{int(refresh_seconds)}">\n' if refresh_seconds else ""
    return _TOOL_PAGE.substitute(
        refresh=refresh,
        title=esc(title),
        heading=esc(heading),
        subtitle=esc(subtitle),
        nonce=esc(nonce),
        css=PAGE_CSS + extra_css,
        actions=links,
        body=body,
        footer=esc(footer),
    )


def page_response(page: str, nonce: str) -> Response:
    """Wrap an HTML page built with *nonce* in a response with the meta pages' security headers."""
    return Response(
        page,
        content_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": content_security_policy(nonce),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )
