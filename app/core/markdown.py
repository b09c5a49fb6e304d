"""Call descriptions are Markdown written by officers; what reaches the page is sanitised."""
from __future__ import annotations

import bleach
import markdown as md
from markupsafe import Markup

_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "a", "blockquote", "code", "pre",
         "table", "thead", "tbody", "tr", "th", "td", "hr"}
_ATTRS = {"a": ["href", "title"]}


def render_markdown(text: str | None) -> Markup:
    html = md.markdown(text or "", extensions=["tables"])
    clean = bleach.clean(html, tags=_TAGS, attributes=_ATTRS, protocols={"http", "https", "mailto"}, strip=True)
    return Markup(clean)  # nosec B704 # bleach has reduced it to the allow-listed tags, attributes and protocols
