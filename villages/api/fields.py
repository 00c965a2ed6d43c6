"""Serializer fields shared by the apps' APIs."""


from accounts.scoping import visible_to
from config.api import CodeRelatedField
from villages.models import Village


class VillageCodeField(CodeRelatedField):
    """An active village given by its Kemendagri code.

    The choices it offers (the browsable API's forms) are the villages of the requesting user's
    region only, through ``visible_to``; a code outside the region is still parsed, so the service
    refuses it with its own message (403) as before.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("queryset", Village.objects.active())
        super().__init__(**kwargs)

    def get_choices(self, cutoff=None):
        request = self.context.get("request")
        queryset = self.get_queryset()
        queryset = visible_to(request.user, queryset) if request is not None else queryset.none()
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {self.to_representation(item): self.display_value(item) for item in queryset}
