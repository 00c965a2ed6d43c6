"""The header search: people and villages together, in the user's scope (``visible_to``).

People are found by name as Indonesians write it (the stored ``name_key``, ppks/names.py) and
villages by name or code. A NIK or No. KK never travels in a URL: digits-only text of ten or more
is refused with the list page's explanation (search it there, by POST).
"""

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.scoping import visible_to
from ppks.filters import NIK_IN_URL_MESSAGE, looks_like_nik, name_search_condition
from ppks.models import Person
from villages.models import Village

RESULTS_SHOWN = 10
MIN_LENGTH = 2


@dataclass
class SearchResults:
    text: str
    people: list = field(default_factory=list)
    villages: list = field(default_factory=list)
    more_people: bool = False
    more_villages: bool = False
    problem: str = ""


def site_search(*, user, text: str, limit: int = RESULTS_SHOWN) -> SearchResults:
    """Up to ``limit`` people and villages the user may see whose name (or village code) matches ``text``."""
    text = " ".join((text or "").split())[:100]
    results = SearchResults(text=text)
    if len(text) < MIN_LENGTH:
        results.problem = _("Ketik paling sedikit {count} huruf.").format(count=MIN_LENGTH) if text else ""
        return results
    if looks_like_nik(text) and "." not in text:
        results.problem = str(NIK_IN_URL_MESSAGE)
        return results
    if not any(character.isdigit() for character in text):
        people = (
            visible_to(user, Person.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True))
            .filter(name_search_condition(text))
            .select_related("village__district")
            .order_by("name", "pk")[: limit + 1]
        )
        people = list(people)
        results.people, results.more_people = people[:limit], len(people) > limit
    villages = list(visible_to(user, Village.objects.all()).search(text)
                    .select_related("district__regency").order_by("name", "code")[: limit + 1])
    results.villages, results.more_villages = villages[:limit], len(villages) > limit
    return results


@login_required
@require_GET
def search_view(request):
    """The results page of the header search box (``?format=json`` for the same as JSON)."""
    results = site_search(user=request.user, text=request.GET.get("q", ""))
    if request.GET.get("format") == "json":
        return JsonResponse({
            "q": results.text,
            "problem": results.problem,
            "people": [{"name": person.name, "village": person.village.name, "url": person.get_absolute_url()}
                       for person in results.people],
            "more_people": results.more_people,
            "villages": [{"name": village.name, "code": village.code, "district": village.district.name,
                          "url": village.get_absolute_url()} for village in results.villages],
            "more_villages": results.more_villages,
        })
    return render(request, "search.html", {"results": results})
