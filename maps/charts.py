"""Server-side SVG charts for the analysis page (no JavaScript library, nothing from a CDN).

Charts are drawn in a narrow viewBox (360 units) so their text stays readable on a 390 px phone;
on wider screens they scale up. Series differ by colour (Okabe-Ito, safe for colour blindness)
and by line dash or marker, so they also read when printed in greyscale. Numbers use the active
language's separators (Indonesian: ``1.234``).
"""

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from maps.measures import format_number

SERIES = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "")
MARKERS = ("circle", "square", "diamond", "triangle", "circle", "square", "diamond")
WIDTH = 360
TEXT = "#1d2733"
MUTED = "#5d6b7a"
GRID = "#d9e0e7"


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^n at or above ``value`` (axis maximum)."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _svg(height: float, label: str, body: str) -> SafeString:
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg" '
        'font-family="system-ui, sans-serif">{}</svg>', WIDTH, round(height), label, mark_safe(body))


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return '<rect x="{:.1f}" y="{:.1f}" width="6" height="6" fill="{}"/>'.format(x - 3, y - 3, colour)
    if kind == "diamond":
        return '<path d="M{:.1f} {:.1f}l4 4l-4 4l-4 -4z" fill="{}"/>'.format(x, y - 4, colour)
    if kind == "triangle":
        return '<path d="M{:.1f} {:.1f}l4 7h-8z" fill="{}"/>'.format(x, y - 4, colour)
    return '<circle cx="{:.1f}" cy="{:.1f}" r="3.2" fill="{}"/>'.format(x, y, colour)


def _legend(names: list[str], top: float, *, lines: bool) -> tuple[str, float]:
    """Legend entries in rows under the plot; returns the markup and the height used."""
    parts, x, y = [], 8.0, top
    for index, name in enumerate(names):
        width = 28 + 6.6 * len(name)
        if x + width > WIDTH - 4 and x > 8:
            x, y = 8.0, y + 17
        colour = SERIES[index % len(SERIES)]
        if lines:
            parts.append('<line x1="{:.1f}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}" stroke="{}" stroke-width="2.2"{}/>'
                         .format(x, x + 16, y - 4, y - 4, colour, _dash(index)))
            parts.append(_marker(MARKERS[index % len(MARKERS)], x + 8, y - 4, colour))
        else:
            parts.append('<rect x="{:.1f}" y="{:.1f}" width="11" height="11" fill="{}"{}/>'.format(
                x, y - 10, colour, _hatch_attr(index)))
        parts.append('<text x="{:.1f}" y="{:.1f}" font-size="12" fill="{}">{}</text>'.format(
            x + 20, y, TEXT, escape(name)))
        x += width
    return "".join(parts), y - top + 17


def _dash(index: int) -> str:
    dash = DASHES[index % len(DASHES)]
    return ' stroke-dasharray="{}"'.format(dash) if dash else ""


def _hatch_attr(index: int) -> str:
    return ' stroke="#ffffff" stroke-width="0.6"'


def _x_label(x: float, y: float, text: str, *, last: bool) -> str:
    """An x-axis label centred on ``x`` (the last one ends at ``x`` so it never leaves the chart)."""
    anchor = "end" if last and x > WIDTH - 30 else "middle"
    return '<text x="{:.1f}" y="{}" font-size="11" text-anchor="{}" fill="{}">{}</text>'.format(
        min(x + (4 if anchor == "end" else 0), WIDTH - 2), y, anchor, MUTED, escape(text))


def labelled(count: int, most: int = 5) -> set[int]:
    """Which of ``count`` x positions get a label: about ``most`` evenly spaced, always the last one."""
    every = max(1, round(count / most))
    last = count - 1
    shown = {index for index in range(0, count, every) if index == last or last - index >= every * 0.75}
    shown.add(last)
    return shown


def count_axis(value: float) -> float:
    """The top of a count axis: a round number, at least 4 so the five ticks are whole numbers."""
    return max(nice_ceiling(value), 4)


def _y_axis(maximum: float, top: float, bottom: float, left: float) -> str:
    parts = []
    for step in range(5):
        value = maximum * step / 4
        y = bottom - (bottom - top) * step / 4
        parts.append('<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" stroke="{}"/>'.format(
            left, WIDTH - 6, y, y, GRID))
        parts.append('<text x="{}" y="{:.1f}" font-size="11" text-anchor="end" fill="{}">{}</text>'.format(
            left - 4, y + 3, MUTED, format_number(value)))
    return "".join(parts)


def line_chart(*, labels: list[str], series: list[tuple[str, list[int]]], label: str) -> SafeString:
    """Monthly lines, one per series; every third month is labelled on the x axis."""
    if not labels:
        return mark_safe("")
    top, left, bottom = 10, 40, 170
    maximum = count_axis(max((max(values) for _name, values in series if values), default=0))
    step = (WIDTH - left - 10) / max(len(labels) - 1, 1)
    parts = [_y_axis(maximum, top, bottom, left)]
    shown = labelled(len(labels))
    for index, text in enumerate(labels):
        if index in shown:
            parts.append(_x_label(left + index * step, bottom + 15, text, last=index == len(labels) - 1))
    for number, (name, values) in enumerate(series):
        colour = SERIES[number % len(SERIES)]
        points = [(left + index * step, bottom - (bottom - top) * value / maximum)
                  for index, value in enumerate(values)]
        parts.append('<polyline fill="none" stroke="{}" stroke-width="2.2"{} points="{}"><title>{}</title></polyline>'
                     .format(colour, _dash(number), " ".join("{:.1f},{:.1f}".format(x, y) for x, y in points),
                             escape(name)))
        for index, (x, y) in enumerate(points):
            if len(points) <= 13 or index in shown:
                parts.append(_marker(MARKERS[number % len(MARKERS)], x, y, colour))
    legend, legend_height = _legend([name for name, _values in series], bottom + 34, lines=True)
    parts.append(legend)
    return _svg(bottom + 26 + legend_height, label, "".join(parts))


def stacked_columns(*, labels: list[str], series: list[tuple[str, list[int]]], label: str) -> SafeString:
    """Vertical stacked columns, one per label (month), stacked by series (directorate)."""
    if not labels:
        return mark_safe("")
    top, left, bottom = 10, 40, 170
    totals = [sum(values[index] for _name, values in series) for index in range(len(labels))]
    maximum = count_axis(max(totals, default=0))
    slot = (WIDTH - left - 10) / len(labels)
    width = max(2.0, slot * 0.72)
    parts = [_y_axis(maximum, top, bottom, left)]
    shown = labelled(len(labels))
    for index, text in enumerate(labels):
        x = left + index * slot + (slot - width) / 2
        base = bottom
        for number, (name, values) in enumerate(series):
            height = (bottom - top) * values[index] / maximum
            if height <= 0:
                continue
            parts.append('<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"{}><title>{} {}: {}'
                         "</title></rect>".format(x, base - height, width, height, SERIES[number % len(SERIES)],
                                                   _hatch_attr(number), escape(text), escape(name),
                                                   format_number(values[index])))
            base -= height
        if index in shown:
            parts.append(_x_label(x + width / 2, bottom + 15, text, last=index == len(labels) - 1))
    legend, legend_height = _legend([name for name, _values in series], bottom + 34, lines=False)
    parts.append(legend)
    return _svg(bottom + 26 + legend_height, label, "".join(parts))


def horizontal_bars(*, labels: list[str], values: list[float], label: str, decimals: int = 0, suffix: str = "",
                    colours: list[str] | None = None, reference: tuple[float, str] | None = None) -> SafeString:
    """One bar per label, value written at its end; an optional reference line (e.g. the target days)."""
    if not labels:
        return mark_safe("")
    row, label_width, top = 21, 150, 6
    maximum = max([*values, reference[0] if reference else 0, 0]) or 1
    scale = (WIDTH - label_width - 52) / maximum
    parts = []
    for index, (text, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * row
        parts.append('<text x="{}" y="{:.1f}" font-size="11" text-anchor="end" fill="{}">{}<title>{}</title>'
                     "</text>".format(label_width - 6, y + 12, TEXT, escape(shorten(text)), escape(text)))
        colour = colours[index] if colours else SERIES[0]
        parts.append('<rect x="{}" y="{:.1f}" width="{:.1f}" height="13" fill="{}" stroke="#3b4a59" '
                     'stroke-width="0.4"/>'.format(label_width, y + 2, max(value * scale, 0.5), colour))
        parts.append('<text x="{:.1f}" y="{:.1f}" font-size="11" fill="{}">{}</text>'.format(
            label_width + value * scale + 4, y + 12, TEXT, format_number(value, decimals) + suffix))
    height = top + len(labels) * row + 4
    if reference:
        x = label_width + reference[0] * scale
        parts.append('<line x1="{:.1f}" x2="{:.1f}" y1="{}" y2="{}" stroke="#d55e00" stroke-width="1.4" '
                     'stroke-dasharray="4 3"/>'.format(x, x, top, height - 2))
        parts.append('<text x="{:.1f}" y="{}" font-size="11" text-anchor="middle" fill="#a33c00">{}</text>'.format(
            x, height + 10, escape(reference[1])))
        height += 14
    return _svg(height, label, "".join(parts))


LABEL_CHARACTERS = 21


def shorten(text: str, limit: int = LABEL_CHARACTERS) -> str:
    """A bar label that fits the label column; a trailing code in brackets ("… (FM)") is kept."""
    if len(text) <= limit:
        return text
    head, bracket, code = text.rpartition(" (")
    if bracket and code.endswith(")") and len(code) < 8:
        return head[:limit - len(code) - 3].rstrip() + "… (" + code
    return text[:limit - 1].rstrip() + "…"


def histogram(*, bins: list[int], colours: list[str], legend: list[tuple[str, str]], label: str) -> SafeString:
    """Ten columns for the index bins 0–0.1 … 0.9–1, coloured by the band each bin falls in."""
    top, left, bottom = 10, 40, 160
    maximum = count_axis(max(bins, default=0))
    slot = (WIDTH - left - 10) / len(bins)
    parts = [_y_axis(maximum, top, bottom, left)]
    for index, count in enumerate(bins):
        x = left + index * slot + 2
        height = (bottom - top) * count / maximum
        parts.append('<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}" stroke="#3b4a59" '
                     'stroke-width="0.5"><title>{}: {}</title></rect>'.format(
                         x, bottom - height, slot - 4, height, colours[index],
                         escape(_bin_label(index)), format_number(count)))
        if count:
            parts.append('<text x="{:.1f}" y="{:.1f}" font-size="11" text-anchor="middle" fill="{}">{}</text>'.format(
                x + (slot - 4) / 2, bottom - height - 3, TEXT, format_number(count)))
    for index in range(0, len(bins) + 1, 2):
        parts.append('<text x="{:.1f}" y="{}" font-size="11" text-anchor="middle" fill="{}">{}</text>'.format(
            left + index * slot + (4 if index == 0 else 0), bottom + 15, MUTED, format_number(index / 10, 1)))
    parts.append('<text x="{:.1f}" y="{}" font-size="11" text-anchor="middle" fill="{}">{}</text>'.format(
        left + (WIDTH - left) / 2, bottom + 28, MUTED, escape(_("indeks ketahanan sosial"))))
    x = 8.0
    for name, colour in legend:
        parts.append('<rect x="{:.1f}" y="{}" width="11" height="11" fill="{}" stroke="#3b4a59" stroke-width="0.5"/>'
                     '<text x="{:.1f}" y="{}" font-size="12" fill="{}">{}</text>'.format(
                         x, bottom + 38, colour, x + 15, bottom + 48, TEXT, escape(name)))
        x += 30 + 6.6 * len(name)
    return _svg(bottom + 56, label, "".join(parts))


def _bin_label(index: int) -> str:
    return "{}–{}".format(format_number(index / 10, 1), format_number((index + 1) / 10, 1))


def bin_label(index: int) -> str:
    return _bin_label(index)
