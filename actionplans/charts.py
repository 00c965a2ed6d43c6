"""A horizontal bar chart as inline SVG (no JavaScript library, nothing from a CDN)."""

from django.utils.html import format_html, format_html_join


def bars(*, labels: list[str], values: list[int], maximum: int) -> str:
    row_height, label_width, width = 26, 210, 560
    height = row_height * len(labels) + 10
    scale = (width - label_width - 50) / max(maximum, 1)
    rows = format_html_join("", (
        '<text x="{}" y="{}" font-size="12" text-anchor="end" fill="#1d2733">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="16" fill="#0b5d7a" rx="3"/>'
        '<text x="{}" y="{}" font-size="11" fill="#1d2733">{}</text>'
    ), (
        (label_width - 8, index * row_height + 18, label, label_width, index * row_height + 6,
         round(value * scale, 1), round(label_width + value * scale + 6, 1), index * row_height + 18,
         "{} / {}".format(value, maximum))
        for index, (label, value) in enumerate(zip(labels, values, strict=True))
    ))
    return format_html('<svg class="chart" viewBox="0 0 {} {}" role="img" xmlns="http://www.w3.org/2000/svg">{}</svg>',
                       width, height, rows)
