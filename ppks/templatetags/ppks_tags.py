from django import template

from ppks.nik import mask_nik

register = template.Library()


@register.filter(name="mask_nik")
def mask_nik_filter(value: str | None) -> str:
    """``{{ person.nik|mask_nik }}`` → ``3511********0003``."""
    return mask_nik(value)
