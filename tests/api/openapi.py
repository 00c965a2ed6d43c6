"""The project's OpenAPI document, as the API tests use it."""

import json

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer


def served_schema() -> dict:
    """The document ``/api/schema/`` serves, generated the same way without a request (and so without the DB)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))
