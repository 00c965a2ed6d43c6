"""Region scoping: the one place that decides which rows a user may see.

Every model that is scoped declares ``region_field``, the lookup path of a field holding a
Kemendagri code (a region's own ``code``, or ``village__code`` on rows that belong to a village;
Django resolves that to the foreign-key column itself, without a join).
Because codes nest by prefix (``35.11.01.2001`` lies in ``35.11``), a kab/kota scope is a
prefix match with no join. HTML views, the API, exports and reports all call ``visible_to``.
"""

import hashlib
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from villages import codes


@dataclass(frozen=True)
class RegionScope:
    """What a user may see: everything, a region by code prefix, a set of villages, or nothing.

    A unit officer (``unit_user_id``) has no region: they see only the rows a model opens to the
    units they work in (``Model.unit_scope(user)``, e.g. the referrals addressed to their unit).
    """

    national: bool = False
    region_code: str = ""
    village_codes: frozenset[str] = frozenset()
    unit_user_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.national or self.region_code or self.village_codes or self.unit_user_id)

    @property
    def cache_key(self) -> str:
        """A short key naming this scope, so users with the same scope share cached figures."""
        if self.national:
            return "national"
        if self.region_code:
            return "region-" + self.region_code
        if self.village_codes:
            joined = ",".join(sorted(self.village_codes)).encode()
            return "villages-" + hashlib.sha256(joined).hexdigest()[:24]
        if self.unit_user_id:
            return "unit-user-{}".format(self.unit_user_id)
        return "empty"

    def covers(self, code: str) -> bool:
        """True when the region or village ``code`` lies inside this scope."""
        if self.national:
            return True
        if self.region_code:
            return codes.within(code, self.region_code)
        return code in self.village_codes


def scope_of(user) -> RegionScope:
    """The region scope of ``user``; anonymous or inactive users and unscoped roles get an empty scope."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return RegionScope()
    if user.is_national:
        return RegionScope(national=True)
    if user.is_dinsos:
        expected_level = 1 if user.role == user.Role.DINSOS_PROVINSI else 2
        if user.region_code and codes.region_level(user.region_code) == expected_level:
            return RegionScope(region_code=user.region_code)
        return RegionScope()
    if user.is_pensosmas:
        cached = getattr(user, "_assigned_village_codes", None)
        if cached is None:
            cached = frozenset(user.assigned_villages.values_list("code", flat=True))
            user._assigned_village_codes = cached
        return RegionScope(village_codes=cached)
    if user.is_unit_officer:
        return RegionScope(unit_user_id=user.pk)
    return RegionScope()


def scope_filter(
    scope: RegionScope, field: str, *, include_self: bool = False, include_ancestors: bool = False
) -> Q | None:
    """A Q object restricting ``field`` (a region code) to ``scope``; None means no restriction.

    Rows below the scope match by code prefix (``35.11.%``), which a pattern index can serve.
    ``include_self`` also keeps the scope's own region row (for region tables); with
    ``include_ancestors`` the regions above the scope are kept too, so a kab/kota user can
    navigate from the province list down to their own kab/kota.
    """
    if scope.national:
        return None
    if scope.region_code:
        condition = Q(**{field + "__startswith": scope.region_code + "."})
        exact = ([scope.region_code] if include_self else []) + (
            codes.ancestor_codes(scope.region_code) if include_ancestors else []
        )
        if exact:
            condition |= Q(**{field + "__in": exact})
        return condition
    if scope.village_codes:
        condition = Q(**{field + "__in": sorted(scope.village_codes)})
        if include_ancestors:
            ancestors = {ancestor for code in scope.village_codes for ancestor in codes.ancestor_codes(code)}
            condition |= Q(**{field + "__in": sorted(ancestors)})
        return condition
    return Q(pk__in=[])


def region_condition(field: str, code: str) -> Q:
    """Rows whose region ``field`` is ``code`` or lies below it; nothing for a malformed code."""
    if codes.region_level(code) is None:
        return Q(pk__in=[])
    return Q(**{field: code}) | Q(**{field + "__startswith": code + "."})


def scope_within(scope: RegionScope, field: str, code: str) -> Q:
    """``scope`` narrowed to region ``code`` as one condition on ``field``, not the scope's AND the region's.

    PostgreSQL multiplies the selectivities of two prefix conditions on the same column, so
    ``LIKE '35.11.%' AND LIKE '35.11.01.%'`` was estimated at 12 rows for 10,840 and planned as
    such (issue 15 item 13). The narrower of the two is enough: the region when it lies inside the
    scope, the scope when it lies inside the region, nothing when they do not meet.
    """
    if codes.region_level(code) is None or scope.is_empty or scope.unit_user_id:
        return Q(pk__in=[])
    if scope.national or (scope.region_code and codes.within(code, scope.region_code)):
        return region_condition(field, code)
    if scope.region_code:
        if codes.within(scope.region_code, code):
            return scope_filter(scope, field)
        return Q(pk__in=[])
    inside = sorted(village for village in scope.village_codes if codes.within(village, code))
    return Q(**{field + "__in": inside})


# The region a queryset's scope condition already narrowed it to (``visible_to(..., within=)``), kept
# in its hints (which every clone shares) so the list's region filter does not add a second condition.
WITHIN_HINT = "sidbs_scoped_within"


def scoped_within(queryset: QuerySet) -> str:
    """The region code ``visible_to(..., within=)`` folded into this queryset's scope, or ``""``."""
    return queryset._hints.get(WITHIN_HINT, "")


def visible_to(user, queryset: QuerySet, *, within: str = "") -> QuerySet:
    """Restrict ``queryset`` to the rows ``user`` may see, by the model's ``region_field``.

    Models whose field may hold a whole region's code (``region_field_holds_regions``, e.g. a
    report for kab/kota 35.11) also match the scope's own code. Region models
    (``region_browsable``: provinsi, kab/kota, kecamatan, desa) also keep the regions above the
    user's scope so the hierarchy can be browsed. Other models see only rows inside the scope.
    Unit officers see only what a model opens to their units through ``Model.unit_scope(user)``.

    ``within`` (a region code a list filters by, ``region=``) is folded into the scope as one
    condition (``scope_within``); the region filter of that list then adds nothing more.
    """
    model = queryset.model
    scope = scope_of(user)
    if scope.unit_user_id:
        unit_scope = getattr(model, "unit_scope", None)
        if unit_scope is None:
            return queryset.none()
        return queryset.filter(pk__in=model._default_manager.filter(unit_scope(user)).values("pk"))
    field = model.region_field
    browsable = getattr(model, "region_browsable", False)
    holds_regions = browsable or getattr(model, "region_field_holds_regions", False)
    within = (within or "").strip()
    if within and not holds_regions:
        narrowed = queryset.filter(scope_within(scope, field, within))
        narrowed._hints = {**narrowed._hints, WITHIN_HINT: within}  # a new dict: managers share theirs
        return narrowed
    condition = scope_filter(scope, field, include_self=holds_regions, include_ancestors=browsable)
    if condition is None:
        return queryset
    return queryset.filter(condition)


def can_see_region(user, code: str) -> bool:
    """True when ``code`` (any level) lies inside the user's scope or above a village they are assigned."""
    scope = scope_of(user)
    if scope.national:
        return True
    if scope.region_code:
        return codes.within(code, scope.region_code) or code in codes.ancestor_codes(scope.region_code)
    return any(codes.within(village, code) for village in scope.village_codes)
