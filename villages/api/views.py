from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.scoping import visible_to
from villages import codes
from villages.api.serializers import RegionSerializer, VillageDetailSerializer, VillageSerializer
from villages.filters import VillageFilterSet
from villages.models import Village
from villages.programme import attach_phases
from villages.selectors import region_children, village_get


class VillageCursorPagination(CursorPagination):
    ordering = "code"
    page_size = 50


class RegionChildrenApi(APIView):
    """Active regions directly below ``parent`` (provinces when omitted), within the caller's scope."""

    @extend_schema(
        parameters=[OpenApiParameter("parent", str, description="Kode wilayah induk, mis. 35 atau 35.11")],
        responses=RegionSerializer(many=True),
    )
    def get(self, request):
        parent = request.query_params.get("parent", "").strip()
        if parent and codes.region_level(parent) not in {1, 2, 3}:
            raise serializers.ValidationError({"parent": [_("Kode induk harus provinsi, kab/kota atau kecamatan.")]})
        rows = region_children(user=request.user, parent_code=parent)
        data = [
            {
                "code": row.region.code,
                "name": row.region.name,
                "active": row.region.active,
                "child_count": row.child_count,
                "village_count": row.village_count,
            }
            for row in rows
        ]
        return Response(RegionSerializer(data, many=True).data)


class VillageListApi(generics.ListAPIView):
    """Search villages by name or code (``q``); narrow by region, kind, DBS phase (``stage``), lokus year, cohort."""

    serializer_class = VillageSerializer
    filterset_class = VillageFilterSet
    pagination_class = VillageCursorPagination

    def get_queryset(self):
        return visible_to(self.request.user, Village.objects.all()).select_related("district__regency__province")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return attach_phases(page) if page is not None else None


class VillageDetailApi(generics.RetrieveAPIView):
    serializer_class = VillageDetailSerializer
    lookup_field = "code"

    def get_object(self):
        return village_get(user=self.request.user, code=self.kwargs["code"])
