"""Charts for officers, drawn on the server as plain SVG.

No library and no CDN: the portal runs in closed government networks. Every text that
reaches the SVG passes through markupsafe's escape; numbers are formatted here. Each
chart carries a <title> and an aria-label, and the pages show the same figures in a table.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH = 640
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 180
PALETTE = ("#0b4ea2", "#16692f", "#b35c00", "#7a3e9d", "#b00020")


def _num(value) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _f(x: float) -> str:
    return f"{x:.1f}"


def _svg(title: str, height: float, body: list[str]) -> Markup:
    t = escape(title)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {_f(height)}" '
            f'width="{WIDTH}" height="{_f(height)}" role="img" aria-label="{t}"><title>{t}</title>')
    svg = head + "".join(body) + "</svg>"
    return Markup(svg)  # nosec B704 # every text in the SVG went through escape() above, numbers through _f/_num


def bar_chart(title: str, items: Sequence[tuple[str, int | Decimal]], unit: str = "") -> Markup:
    """Horizontal bars, one per (label, value)."""
    top = 10
    height = top + len(items) * (BAR_HEIGHT + GAP) + 10
    peak = max([float(v) for _, v in items] + [0.0]) or 1.0
    span = WIDTH - LABEL_WIDTH - 70
    body = []
    for i, (label, value) in enumerate(items):
        y = top + i * (BAR_HEIGHT + GAP)
        w = span * float(value) / peak
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{_f(y + BAR_HEIGHT * 0.7)}" text-anchor="end" font-size="13">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{_f(w)}" height="{BAR_HEIGHT}" fill="{PALETTE[0]}"/>'
            f'<text x="{_f(LABEL_WIDTH + w + 6)}" y="{_f(y + BAR_HEIGHT * 0.7)}" font-size="13">{escape(_num(value))}{escape(unit)}</text>'
        )
    return _svg(title, max(height, 40), body)


def progress_chart(title: str, items: Sequence[tuple[str, int, int]]) -> Markup:
    """One bar per (label, done, total): the done part filled, the rest outlined."""
    top = 10
    height = top + len(items) * (BAR_HEIGHT + GAP) + 10
    span = WIDTH - LABEL_WIDTH - 80
    peak = max([t for _, _, t in items] + [1])
    body = []
    for i, (label, done, total) in enumerate(items):
        y = top + i * (BAR_HEIGHT + GAP)
        full = span * total / peak
        part = span * done / peak
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{_f(y + BAR_HEIGHT * 0.7)}" text-anchor="end" font-size="13">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{_f(full)}" height="{BAR_HEIGHT}" fill="#ffffff" stroke="{PALETTE[0]}"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{_f(part)}" height="{BAR_HEIGHT}" fill="{PALETTE[1]}"/>'
            f'<text x="{_f(LABEL_WIDTH + full + 6)}" y="{_f(y + BAR_HEIGHT * 0.7)}" font-size="13">{done}/{total}</text>'
        )
    return _svg(title, max(height, 40), body)


def histogram(title: str, values: Sequence[Decimal], low: int = 0, high: int = 100, step: int = 10,
              mark: Decimal | None = None, mark_label: str = "") -> Markup:
    """Counts of values per [low + k·step, low + (k+1)·step) bin, the last bin closed; an optional marker line."""
    bins = list(range(low, high, step))
    counts = [0] * len(bins)
    for v in values:
        k = min(max(int((Decimal(v) - low) // step), 0), len(bins) - 1)
        counts[k] += 1
    left, bottom, top = 40, 200, 20
    height = bottom + 40
    span = WIDTH - left - 20
    bw = span / len(bins)
    peak = max(counts + [1])
    body = [f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - 20}" y2="{bottom}" stroke="#5a6272"/>']
    for i, (start, count) in enumerate(zip(bins, counts)):
        h = (bottom - top) * count / peak
        x = left + i * bw
        body.append(
            f'<rect x="{_f(x + 2)}" y="{_f(bottom - h)}" width="{_f(bw - 4)}" height="{_f(h)}" fill="{PALETTE[0]}"/>'
            f'<text x="{_f(x + bw / 2)}" y="{bottom + 16}" text-anchor="middle" font-size="12">{start}</text>'
        )
        if count:
            body.append(f'<text x="{_f(x + bw / 2)}" y="{_f(bottom - h - 4)}" text-anchor="middle" font-size="12">{count}</text>')
    if mark is not None and low <= mark <= high:
        x = left + span * float(Decimal(mark) - low) / (high - low)
        body.append(
            f'<line x1="{_f(x)}" y1="{top - 10}" x2="{_f(x)}" y2="{bottom}" stroke="{PALETTE[4]}" stroke-dasharray="4 3"/>'
            f'<text x="{_f(x + 4)}" y="{top}" font-size="12" fill="{PALETTE[4]}">{escape(mark_label)}</text>'
        )
    return _svg(title, height, body)


def timeline(title: str, series: Sequence[tuple[str, Sequence[tuple[datetime, int]]]], start: datetime,
             end: datetime, marker: datetime | None = None, marker_label: str = "") -> Markup:
    """Cumulative step lines over time, one per (name, [(instant, value)]), and a marker (the deadline)."""
    left, right, top, bottom = 40, WIDTH - 20, 30, 200
    height = bottom + 50
    total_s = max((end - start).total_seconds(), 1.0)
    peak = max([v for _, pts in series for _, v in pts] + [1])

    def x(t: datetime) -> float:
        return left + (right - left) * min(max((t - start).total_seconds() / total_s, 0.0), 1.0)

    def y(v: int) -> float:
        return bottom - (bottom - top) * v / peak

    body = [
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#5a6272"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#5a6272"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="12">{peak}</text>',
        f'<text x="{left - 6}" y="{bottom}" text-anchor="end" font-size="12">0</text>',
        f'<text x="{left}" y="{bottom + 16}" font-size="12">{escape(start.strftime("%m-%d"))}</text>',
        f'<text x="{right}" y="{bottom + 16}" text-anchor="end" font-size="12">{escape(end.strftime("%m-%d"))}</text>',
    ]
    for i, (name, points) in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        coords = [(x(start), y(0))]
        last = 0
        for t, v in points:
            coords.append((x(t), y(last)))
            coords.append((x(t), y(v)))
            last = v
        coords.append((x(end), y(last)))
        path = " ".join(f"{_f(a)},{_f(b)}" for a, b in coords)
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        body.append(f'<rect x="{left + 10 + i * 160}" y="{bottom + 28}" width="12" height="12" fill="{colour}"/>'
                    f'<text x="{left + 28 + i * 160}" y="{bottom + 39}" font-size="12">{escape(name)} ({last})</text>')
    if marker is not None:
        mx = x(marker)
        body.append(
            f'<line x1="{_f(mx)}" y1="{top - 15}" x2="{_f(mx)}" y2="{bottom}" stroke="{PALETTE[4]}" stroke-dasharray="4 3"/>'
            f'<text x="{_f(mx - 4)}" y="{top - 18}" text-anchor="end" font-size="12" fill="{PALETTE[4]}">{escape(marker_label)}</text>'
        )
    return _svg(title, height, body)
