"""Activity evidence in the S3-compatible object store: stored privately, streamed after the scope check."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from actionplans import services

pytestmark = pytest.mark.django_db


def test_evidence_is_an_object_and_only_in_scope_users_download_it(client, approved_plan, users, s3_storage):
    s3, bucket = s3_storage
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, format="PNG")
    activity = approved_plan.activities.get()
    evidence = services.evidence_add(activity=activity, actor=users["pensosmas"], caption="Pelatihan",
                                     upload=SimpleUploadedFile("foto.png", buffer.getvalue()))
    stored = s3.get_object(Bucket=bucket, Key="media/" + evidence.file.name)["Body"].read()
    assert stored == buffer.getvalue()
    url = reverse("actionplans:evidence-download", args=[approved_plan.pk, activity.pk, evidence.pk])
    client.force_login(users["regency"])
    response = client.get(url)
    assert b"".join(response.streaming_content) == stored
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(users["other_regency"])
    assert client.get(url).status_code == 404
