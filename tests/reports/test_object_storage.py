"""Uploads and generated reports in an S3-compatible object store (moto's server mode on 127.0.0.1).

The same settings as production (``DJANGO_STORAGE_URL=s3://…``): django-storages writes through
boto3 over HTTP, downloads are streamed from the bucket after the view's scope check.
"""

import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from config import files
from config.env import storage_settings
from ppks.models import ImportJob
from reports.models import ReportJob
from tests.ppks.test_import import csv_file, row
from tests.reports.test_reports import preview_and_send

pytestmark = pytest.mark.django_db


def bucket_keys(client, bucket) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_report_is_stored_in_the_bucket_and_streamed_back_with_scope_checks(client, users, verified, s3_storage,
                                                                              settings, tmp_path):
    s3, bucket = s3_storage
    settings.MEDIA_ROOT = str(tmp_path)
    # when: a referral is sent (the report job renders on commit)
    preview_and_send(client, users["regency"])
    job = ReportJob.objects.get()
    # then: PDF, CSV and XLSX are objects under the configured prefix, nothing on the local disk
    assert job.state == "done"
    keys = bucket_keys(s3, bucket)
    assert {"media/" + job.pdf.name, "media/" + job.csv.name, "media/" + job.xlsx.name} <= set(keys)
    assert not any(tmp_path.iterdir())
    stored = s3.get_object(Bucket=bucket, Key="media/" + job.pdf.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == job.sha256
    # when: the requester downloads it
    response = client.get(reverse("reports:download", args=[job.pk]), {"format": "pdf"})
    # then: streamed from the bucket, the same bytes, as a private attachment
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body == stored
    assert response["Content-Length"] == str(len(stored))
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    assert "SITI AMINAH" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    # and: another kabupaten gets nothing
    client.force_login(users["other_regency"])
    assert client.get(reverse("reports:download", args=[job.pk]), {"format": "pdf"}).status_code == 404
    # and: the public check reads the stored object back and finds it intact
    client.logout()
    assert "Berkas tersimpan cocok dengan sidik SHA-256." in client.get(
        reverse("reports:verify", args=[job.pk])).content.decode()


def test_report_parts_are_merged_from_the_bucket_and_removed(client, users, verified, s3_storage, settings):
    s3, bucket = s3_storage
    settings.REPORT_PART_ROWS = 2
    preview_and_send(client, users["regency"])
    job = ReportJob.objects.get()
    assert job.state == "done"
    assert job.parts.count() == 2
    assert not [key for key in bucket_keys(s3, bucket) if key.startswith("media/reports/parts/")]


def test_import_upload_goes_to_the_bucket_and_is_deleted_when_the_job_ends(client, users, s3_storage):
    s3, bucket = s3_storage
    client.force_login(users["regency"])
    # when: the upload is stored, validated and (on commit) discarded
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("ppks:import"), {"file": csv_file([row(nik="123")]), "mode": "all"})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    # then: the upload object is gone; the error list is an object and comes back streamed
    assert job.original_name
    assert not job.file
    assert bucket_keys(s3, bucket) == ["media/" + job.error_file.name]
    errors = client.get(reverse("ppks:import-errors", args=[job.pk]))
    assert b"NIK harus 16 digit" in b"".join(errors.streaming_content)


def test_files_helpers_work_on_both_backends(s3_storage, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    name = default_storage.save("uji/contoh.bin", io.BytesIO(b"x" * 200_000))

    class Stored:
        storage = default_storage

    Stored.name = name
    assert files.is_object_storage(default_storage)
    assert files.stored_sha256(Stored) == hashlib.sha256(b"x" * 200_000).hexdigest()
    stream, size = files.open_stream(Stored)
    assert size == 200_000
    assert stream.read(10) == b"x" * 10
    stream.close()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", {"BACKEND": "django.core.files.storage.FileSystemStorage"}),
        ("file:///srv/sidbs/media", {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": "/srv/sidbs/media"}}),
    ],
)
def test_storage_url_local(url, expected):
    assert storage_settings(url) == expected


def test_storage_url_s3_with_endpoint_and_encoded_secret():
    config = storage_settings("s3://sidbs:p%40ss%2Fword@sidbs-media/prod/files?endpoint=http://minio:9000&region=id-1")
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    options = config["OPTIONS"]
    assert (options["bucket_name"], options["location"]) == ("sidbs-media", "prod/files")
    assert (options["access_key"], options["secret_key"]) == ("sidbs", "p@ss/word")
    assert (options["endpoint_url"], options["region_name"], options["addressing_style"]) == (
        "http://minio:9000", "id-1", "path")
    assert options["default_acl"] is None
    assert options["querystring_expire"] == 300


def test_storage_url_s3_without_credentials_uses_the_aws_defaults():
    options = storage_settings("s3://sidbs-media")["OPTIONS"]
    assert "access_key" not in options
    assert "endpoint_url" not in options


@pytest.mark.parametrize("url", ["ftp://host/x", "s3://", "s3://bucket?endpont=http://x"])
def test_storage_url_mistakes_are_explained(url):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="DJANGO_STORAGE_URL"):
        storage_settings(url)
