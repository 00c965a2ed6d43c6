"""Server-side SVG charts (no JavaScript library, nothing fetched from a CDN)."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

COLOURS = ("#0b5d7a", "#e0a100", "#7a3fb0", "#1f7a3f")


def _decimal(value, places: str) -> str:
    """``value`` rounded half-up to ``places`` and written with the active language's decimal separator."""
    rounded = Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)
    return number_format(rounded, len(places) - 2)


def grouped_bars(*, groups: list[str], series: list[tuple[str, list[Decimal | None]]], height: int = 220) -> str:
    """Vertical bars, one group per dimension and one bar per series (e.g. baseline vs endline), 0–1 scale."""
    width = max(360, 90 * len(groups) + 60)
    plot_top, plot_bottom, left = 14, height - 46, 36
    plot_height = plot_bottom - plot_top
    group_width = (width - left - 10) / max(len(groups), 1)
    bar_width = min(28, (group_width - 16) / max(len(series), 1))
    parts = []
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = plot_bottom - tick * plot_height
        parts.append(format_html('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#d9e0e7"/>'
                                 '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#5d6b7a">{}</text>',
                                 left, width - 10, y, y, left - 4, y + 3, _decimal(tick, "0.01")))
    for group_index, label in enumerate(groups):
        x0 = left + group_index * group_width + (group_width - bar_width * len(series)) / 2
        for series_index, (_name, values) in enumerate(series):
            value = values[group_index]
            if value is None:
                continue
            bar_height = float(value) * plot_height
            x = x0 + series_index * bar_width
            parts.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>'
                '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#1d2733">{}</text>',
                round(x, 1), round(plot_bottom - bar_height, 1), round(bar_width - 3, 1), round(bar_height, 1),
                COLOURS[series_index % len(COLOURS)], label, _decimal(value, "0.0001"),
                round(x + (bar_width - 3) / 2, 1), round(plot_bottom - bar_height - 3, 1), _decimal(value, "0.01")))
        parts.append(format_html('<text x="{}" y="{}" font-size="13" text-anchor="middle" fill="#1d2733">{}</text>',
                                 round(left + group_index * group_width + group_width / 2, 1), plot_bottom + 16,
                                 label))
    legend = format_html_join(
        "", '<rect x="{}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}" font-size="12">{}</text>',
        ((left + index * 190, height - 16, COLOURS[index % len(COLOURS)], left + index * 190 + 14, height - 7, name)
         for index, (name, _values) in enumerate(series)),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">{}{}</svg>',
        width, height, _("Grafik indeks per dimensi (0–1)"), mark_safe("".join(parts)), legend,
    )
