"""FILE_STORAGE=s3: uploaded and generated files in an S3-compatible object store (django-storages),
tested against moto's S3 in this process (no network)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto import mock_aws

from blocs.models import Bloc
from blocs.registry import export_csv
from jobs.models import Job
from jobs.testing import run_jobs, task_queue  # noqa: F401 - fixture

from ..blocs.test_import_export import GOOD, rows_to_csv

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "khoithidua-tep"
S3_ENV = {
    "FILE_STORAGE": "s3",
    "S3_BUCKET": BUCKET,
    "S3_ENDPOINT_URL": "https://s3.example.vn",
    "S3_REGION": "hn-1",
    "S3_ACCESS_KEY_ID": "khoa-truy-cap",
    "S3_SECRET_ACCESS_KEY": "khoa-bi-mat",
    "S3_PREFIX": "/khoithidua/",
    "S3_ADDRESSING_STYLE": "path",
}


def _settings_in_a_process(env: dict) -> subprocess.CompletedProcess:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "FILE_STORAGE"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=base | {"DJANGO_SETTINGS_MODULE": "khoithidua.settings", "DEBUG": "1"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_file_storage_s3_reads_its_options_from_the_environment():
    done = _settings_in_a_process(S3_ENV)
    assert done.returncode == 0, done.stderr
    storage = json.loads(done.stdout.strip().splitlines()[-1])
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == BUCKET
    assert options["endpoint_url"] == "https://s3.example.vn"
    assert options["region_name"] == "hn-1"
    assert (options["access_key"], options["secret_key"]) == ("khoa-truy-cap", "khoa-bi-mat")
    assert options["location"] == "khoithidua"
    assert options["default_acl"] is None and options["file_overwrite"] is False


def test_file_storage_s3_without_a_bucket_refuses_to_start():
    done = _settings_in_a_process({"FILE_STORAGE": "s3"})
    assert done.returncode != 0
    assert "FILE_STORAGE=s3 needs S3_BUCKET" in done.stderr


def test_an_unknown_file_storage_refuses_to_start():
    done = _settings_in_a_process({"FILE_STORAGE": "ftp"})
    assert done.returncode != 0
    assert "FILE_STORAGE must be one of database, filesystem, s3" in done.stderr


@pytest.fixture
def s3(settings):
    """The default storage on moto's S3 (in this process), as FILE_STORAGE=s3 configures it."""
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = settings.STORAGES | {
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "us-east-1",
                    "access_key": "testing",
                    "secret_key": "testing",
                    "location": "khoithidua",
                    "signature_version": "s3v4",
                    "default_acl": None,
                    "file_overwrite": False,
                },
            }
        }

        def keys() -> list[str]:
            listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
            return sorted(obj["Key"] for obj in listed)

        yield keys


def test_files_are_saved_read_and_deleted_in_the_bucket(s3):
    name = default_storage.save("scans/bien-ban.pdf", ContentFile(b"%PDF-1.7 ban quet"))
    again = default_storage.save("scans/bien-ban.pdf", ContentFile(b"%PDF-1.7 ban khac"))
    assert again != name  # a taken name is never overwritten
    assert s3() == sorted([f"khoithidua/{name}", f"khoithidua/{again}"])
    with default_storage.open(name) as f:
        assert f.read() == b"%PDF-1.7 ban quet"
    assert default_storage.size(name) == len(b"%PDF-1.7 ban quet")
    default_storage.delete(name)
    default_storage.delete(again)
    assert s3() == []
    assert not default_storage.exists(name)


@pytest.mark.usefixtures("task_queue")
def test_a_big_import_waits_in_the_bucket_then_the_job_imports_and_deletes_it(
    client, world, settings, s3
):
    settings.REGISTRY_IMPORT_JOB_ROWS = 4
    client.force_login(world.office)
    upload = SimpleUploadedFile("lon.csv", rows_to_csv(GOOD))
    response = client.post(
        reverse("blocs:registry_import"), {"organizer": world.organizer.pk, "file": upload}
    )
    assert response.status_code == 302
    [waiting] = s3()
    assert waiting.startswith("khoithidua/registry-import-jobs/")
    assert run_jobs() == 1  # the worker reads the upload from the bucket
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert Bloc.objects.filter(organizer=world.organizer, code="knc").exists()
    assert s3() == []


def test_a_big_export_is_written_to_the_bucket_and_downloaded_from_it(client, world, settings, s3):
    settings.REGISTRY_EXPORT_JOB_ROWS = 5
    client.force_login(world.office)
    client.get(reverse("blocs:registry_export", args=["csv"]))
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED, job.message
    [stored] = s3()
    assert stored.startswith(f"khoithidua/registry-exports/{job.pk}/")
    response = client.get(reverse("blocs:registry_export_download", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == export_csv([world.organizer.pk])
