"""Only local paths are followed after login, a locale switch or a notification: no open redirects."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def safe_next(target: str | None) -> str | None:
    if not target:
        return None
    # Browsers drop tabs and newlines inside URLs and read backslashes as slashes, so
    # "/\t/evil" and "/\\evil" would leave the site: anything unusual is refused outright.
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def local_path(target: str | None) -> str:
    """The path, query and fragment of a link on this site; '' when no safe path remains.

    The scheme and host of an absolute link are dropped: what is kept names a page here.
    """
    if not target:
        return ""
    parts = urlsplit(target)
    return safe_next(urlunsplit(("", "", parts.path, parts.query, parts.fragment))) or ""
