"""Static files collect in production (ManifestStaticFilesStorage, the Docker image's collectstatic)."""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"
SOURCE_MAP = re.compile(r"sourceMappingURL=([^\s*]+)")


def test_every_source_map_reference_exists():
    """collectstatic with DEBUG off rewrites ``sourceMappingURL`` and fails when the map is missing
    (vendored Leaflet referenced leaflet.js.map: the Docker build and a gunicorn run stopped there)."""
    missing = []
    for path in [*STATIC.rglob("*.js"), *STATIC.rglob("*.css")]:
        for target in SOURCE_MAP.findall(path.read_text(errors="ignore")):
            if not target.startswith("data:") and not (path.parent / target).exists():
                missing.append("{} → {}".format(path.relative_to(STATIC), target))
    assert missing == []
