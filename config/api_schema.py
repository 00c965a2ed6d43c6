"""Additions to the OpenAPI document drf-spectacular generates (a postprocessing hook)."""

WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
ERROR = "Kesalahan"
VALIDATION_ERRORS = "KesalahanValidasi"

ERROR_SCHEMAS = {
    ERROR: {
        "type": "object",
        "description": "Satu pesan kesalahan.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    VALIDATION_ERRORS: {
        "type": "object",
        "description": "Pesan kesalahan per nama kolom (non_field_errors untuk yang umum); nilainya daftar "
                       "pesan, atau objek serupa untuk kolom bertingkat.",
        "additionalProperties": {},
    },
}


def _response(description: str, schema: str, *, retry_after: bool = False) -> dict:
    response = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/{}".format(schema)}}},
    }
    if retry_after:
        response["headers"] = {"Retry-After": {
            "schema": {"type": "integer"}, "description": "Detik sampai permintaan boleh diulang.",
        }}
    return response


def document_error_responses(result, generator, request, public):
    """Document the error answers every operation can give, so clients (and schemathesis) may rely on them.

    - 400 when the operation writes (a business rule may refuse it, e.g. a workflow step from the wrong
      status) or takes query/header parameters (field errors);
    - 415 when it takes a body (a Content-Type no parser reads, or a body that cannot be parsed as one);
    - 401/403 when it needs a signed-in user (not signed in, or not allowed);
    - 404 when its path names an object, or it pages (an unknown page or cursor);
    - 429 always: every call counts against the user/anonymous rate (config/ratelimit.py).
    """
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            parameters = operation.get("parameters", [])
            additions = {}
            if method in WRITE_METHODS or any(p.get("in") in {"query", "header"} for p in parameters):
                additions["400"] = _response("Data yang dikirim tidak sah.", VALIDATION_ERRORS)
            if "requestBody" in operation:
                additions["415"] = _response("Jenis isi (Content-Type) tidak didukung.", ERROR)
            if {} not in operation.get("security", [{}]):
                additions["401"] = _response("Belum masuk (sesi atau token tidak ada atau tidak sah).", ERROR)
                additions["403"] = _response("Belum masuk, atau tidak berhak atas tindakan ini.", ERROR)
            if "{" in path or any(p.get("in") == "query" and p.get("name") in {"page", "cursor"} for p in parameters):
                additions["404"] = _response("Tidak ditemukan di wilayah kerja Anda (atau halaman tidak ada).", ERROR)
            additions["429"] = _response("Terlalu banyak permintaan; ulangi setelah Retry-After detik.", ERROR,
                                         retry_after=True)
            for status, response in additions.items():
                operation["responses"].setdefault(status, response)
    return result
