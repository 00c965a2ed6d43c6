from django import template
from django.utils import dateformat
from django.utils.html import escape
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
    dates = {}
    parts = []
    for row in rows:
        person, village, category, directorate = row.person, row.village, row.category, row.directorate
        name = escape(person.name)
        created = row.created_at
        if created not in dates:
            dates[created] = "" if created is None else escape(dateformat.format(template_localtime(created), "j M Y"))
        if bulk:
            select = ('<td class="select"><input type="checkbox" name="ids" value="{}" form="bulk-form" '
                      'aria-label="{}"></td>').format("%d" % row.pk, pick % {"name": name})  # noqa: UP031
        else:
            select = ""
        if person.nik:
            nik = escape(person.nik)
        else:
            nik = '<span class="muted">{}</span>'.format(escape(person.get_nik_status_display))
        born = ", {}".format(escape(dateformat.format(person.birth_date, "Y"))) if person.birth_date else ""
        dusun = " · {}".format(escape(person.dusun)) if person.dusun else ""
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
                select=select, url=escape(row.get_absolute_url), name=name, sex=escape(person.get_sex_display),
                born=born, nik=nik, village=escape(village.name), district=escape(village.district.name),
                rt_rw=escape(person.rt_rw), dusun=dusun,
                label=escape(category.label) if category else "", code=escape(category.code) if category else "",
                directorate=escape(directorate.name) if directorate and directorate.name else "",
                status=escape(row.status), status_label=escape(row.get_status_display), created=dates[created],
            ))
    return SafeString("".join(parts))
