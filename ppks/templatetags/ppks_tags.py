import html

from django import template
from django.utils import dateformat
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from ppks.nik import mask_nik

register = template.Library()


@register.filter(name="mask_nik")
def mask_nik_filter(value: str | None) -> str:
    """``{{ person.nik|mask_nik }}`` → ``3511********0003``."""
    return mask_nik(value)


@register.simple_tag
def registration_rows(rows, bulk=False) -> SafeString:
    """``{% registration_rows page bulk %}``: the ``<tr>`` of the PPKS list (``registration_rows`` Rows).

    Written in Python: 50 rows of ~20 template nodes each were the largest part of the page's time
    (issue 21). The output is the template loop's, byte for byte (``tests/ppks/test_list_rows.py``
    renders both): values escaped, labels translated once per page, ids printed raw (``stringformat:"d"``),
    NIK masked (``registration_rows`` already did), dates as ``date:"j M Y"`` in the local time zone.
    """
    rows = list(rows)
    if not rows:
        return SafeString('\n    <tr><td colspan="7" class="muted">{}</td></tr>\n  '.format(
            gettext("Belum ada registrasi yang cocok.")))
    pick = gettext("Pilih %(name)s")
    days = {}
    parts = []
    for row in rows:
        person, village, category, directorate = row["person"], row["village"], row["category"], row["directorate"]
        name = _escape(person["name"])
        created = template_localtime(row["created_at"])
        day = created.date()
        if day not in days:
            days[day] = _escape(dateformat.format(created, "j M Y"))
        if bulk:
            select = ('<td class="select"><input type="checkbox" name="ids" value="{}" form="bulk-form" '
                      'aria-label="{}"></td>').format("%d" % row["pk"], pick % {"name": name})  # noqa: UP031
        else:
            select = ""
        if person["nik"]:
            nik = _escape(person["nik"])
        else:
            nik = '<span class="muted">{}</span>'.format(_escape(person["get_nik_status_display"]))
        birth_date = person["birth_date"]
        born = ", {:04d}".format(birth_date.year) if birth_date else ""
        dusun = " · {}".format(_escape(person["dusun"])) if person["dusun"] else ""
        parts.append(
            '\n    <tr>\n      {select}\n'
            '      <td><a href="{url}">{name}</a>\n'
            '        <small class="muted">{sex}{born}</small></td>\n'
            '      <td class="code">{nik}</td>\n'
            '      <td>{village}, {district}<br><small class="muted">RT/RW {rt_rw}{dusun}</small></td>\n'
            '      <td title="{label}">{code}<br><small class="muted">{directorate}</small></td>\n'
            '      <td><span class="badge status-{status}">{status_label}</span>\n</td>\n'
            '      <td>{created}</td>\n'
            '    </tr>\n  '.format(
                select=select, url=_escape(row["get_absolute_url"]), name=name,
                sex=_escape(person["get_sex_display"]), born=born, nik=nik, village=_escape(village["name"]),
                district=_escape(village["district"]["name"]), rt_rw=_escape(person["rt_rw"]), dusun=dusun,
                label=_escape(category.label) if category else "", code=_escape(category.code) if category else "",
                directorate=_escape(directorate.name) if directorate and directorate.name else "",
                status=_escape(row["status"]), status_label=_escape(row["get_status_display"]), created=days[day],
            ))
    return SafeString("".join(parts))


def _escape(value) -> str:
    """``{{ value }}`` of a plain value: Django's ``escape`` without its lazy-string wrapper (same characters)."""
    return html.escape(str(value))
