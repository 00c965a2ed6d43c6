"""``{% bulk_actions "list" as actions %}``: the bulk actions the action bar offers the signed-in user."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def bulk_actions(context, source: str) -> list:
    from ppks.views_bulk import bulk_actions_for

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return bulk_actions_for(request.user, source=source)
