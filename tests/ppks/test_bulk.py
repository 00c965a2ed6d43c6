"""Bulk submit, verify and reject from the lists: per-record service calls, scoped, idempotent, queued when large."""

import uuid

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from ppks import bulk
from ppks.models import BulkAction, Registration, RegistrationEvent
from ppks.tasks import bulk_action_task
from tests.ppks.factories import register
from tests.ppks.test_import import person_row, run_import
from villages.models import Village

pytestmark = pytest.mark.django_db


def imported_drafts(user, count: int, start: int = 1):
    """``count`` draft registrations of distinct people in Sucolor, imported by ``user``."""
    job = run_import(user, [person_row(index) for index in range(start, start + count)])
    assert job.state == "done", job.message
    return job


def post_bulk(client, **data):
    data.setdefault("form_token", str(uuid.uuid4()))
    data.setdefault("source", "list")
    return client.post(reverse("ppks:bulk"), data)


def events_to(status: str) -> int:
    return RegistrationEvent.objects.filter(to_status=status).count()


def test_ticked_rows_are_verified_each_with_its_own_event_and_audit(client, users):
    # given: three submitted registrations and one still a draft
    job = imported_drafts(users["regency"], 4)
    drafts = list(job.registrations.order_by("pk"))
    for registration in drafts[:3]:
        Registration.objects.filter(pk=registration.pk).update(status="submitted")
    client.force_login(users["regency"])
    # when: all four are ticked and verified
    response = post_bulk(client, action="verify", ids=[registration.pk for registration in drafts])
    # then: three verified through the workflow service, the draft reported by name with the reason
    action = BulkAction.objects.get()
    assert response.status_code == 302
    assert response.url.startswith(action.get_absolute_url())
    assert (action.total, action.succeeded, action.failed, action.is_finished) == (4, 3, 1, True)
    assert Registration.objects.filter(status="verified", verified_by=users["regency"]).count() == 3
    assert events_to("verified") == 3
    assert AuditEvent.objects.filter(action="ppks.registration.verify").count() == 3
    assert AuditEvent.objects.filter(action="ppks.registration.bulk").count() == 1
    page = client.get(response.url).content.decode()
    assert drafts[3].person.name in page
    assert "berstatus &#x27;Draf&#x27; tidak dapat di-&#x27;Verifikasi&#x27;" in page


def test_reject_needs_one_reason_and_applies_it_to_all(client, users):
    job = imported_drafts(users["regency"], 3)
    ids = list(job.registrations.values_list("pk", flat=True))
    Registration.objects.filter(pk__in=ids).update(status="submitted")
    client.force_login(users["regency"])
    # without a reason nothing changes
    post_bulk(client, action="reject", ids=ids, source="queue")
    assert Registration.objects.filter(status="submitted").count() == 3
    assert not BulkAction.objects.exists()
    # with one reason every registration is rejected with it
    post_bulk(client, action="reject", ids=ids, source="queue", note="Data tidak lengkap")
    assert list(Registration.objects.order_by().values_list("status", "rejection_reason").distinct()) == [
        ("rejected", "Data tidak lengkap")]
    assert events_to("rejected") == 3


def test_ids_outside_the_scope_refuse_the_whole_selection(client, users):
    inside = register(users["regency"], submit=True)
    outside = register(users["other_regency"], submit=True, name="Orang Situbondo", nik="3512011203850007",
                       sex="L", birth_date=None, kk_number="", village=Village.objects.get(code="35.12.01.2001"))
    client.force_login(users["regency"])
    response = post_bulk(client, action="verify", ids=[inside.pk, outside.pk], source="queue")
    assert response.status_code == 302
    assert set(Registration.objects.values_list("status", flat=True)) == {"submitted"}
    assert not BulkAction.objects.exists()
    messages = [str(message) for message in response.wsgi_request._messages]
    assert any("di luar wilayah kerja" in message for message in messages)


def test_pensosmas_may_submit_but_not_verify(client, users):
    registration = register(users["pensosmas"])
    client.force_login(users["pensosmas"])
    assert post_bulk(client, action="verify", ids=[registration.pk]).status_code == 403
    post_bulk(client, action="submit", ids=[registration.pk])
    registration.refresh_from_db()
    assert registration.status == "submitted"


def test_select_all_takes_every_match_of_the_filters_across_pages(client, users):
    # given: an import of 60 drafts (two list pages) and one draft made by hand
    job = imported_drafts(users["regency"], 60)
    by_hand = register(users["regency"])
    client.force_login(users["regency"])
    # when: "ajukan semua" of the import result page
    page = client.get(job.get_absolute_url()).content.decode()
    assert "?impor={}".format(job.pk) in page
    assert "Ajukan semua draf impor ini" in page
    post_bulk(client, action="submit", selection="all", query="impor={}".format(job.pk))
    # then: the 60 imported drafts are submitted, the other draft is not
    assert job.registrations.filter(status="submitted").count() == 60
    by_hand.refresh_from_db()
    assert by_hand.status == "draft"
    assert client.get(reverse("ppks:list"), {"impor": job.pk}).context["total"] == 60


def test_the_same_post_sent_twice_acts_once(client, users):
    job = imported_drafts(users["regency"], 3)
    ids = list(job.registrations.values_list("pk", flat=True))
    client.force_login(users["regency"])
    token = str(uuid.uuid4())
    first = post_bulk(client, action="submit", ids=ids, form_token=token)
    second = post_bulk(client, action="submit", ids=ids, form_token=token)
    assert second.status_code == 302
    assert second.url == first.url
    assert BulkAction.objects.count() == 1
    assert events_to("submitted") == 3
    # the service itself returns the first action for a repeated request token
    again = bulk.bulk_action_create(actor=users["regency"], action="submit", registration_ids=ids,
                                    request_token=uuid.UUID(token))
    assert again.pk == BulkAction.objects.get().pk
    assert events_to("submitted") == 3


def test_large_selection_runs_as_a_task_with_progress(client, users, settings, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    settings.SIDBS_BULK_SYNC_LIMIT = 3
    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)
    job = imported_drafts(users["regency"], 5)
    ids = list(job.registrations.values_list("pk", flat=True))
    client.force_login(users["regency"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_bulk(client, action="submit", ids=ids)
    action = BulkAction.objects.get()
    assert (action.processed, action.state_label, action.progress) == (0, "Menunggu", 0)
    status = client.get(reverse("ppks:bulk-status", args=[action.pk])).json()
    assert (status["finished"], status["progress"], status["total"]) == (False, 0, 5)
    assert "job-progress.js" in client.get(response.url).content.decode()
    # the request commits, then the (eager) task runs the batches
    assert len(callbacks) == 1
    callbacks[0]()
    action.refresh_from_db()
    assert (action.processed, action.succeeded, action.is_finished, action.progress) == (5, 5, True, 100)
    # a redelivered task does nothing more
    assert bulk_action_task(action.pk) == "5/5"
    assert events_to("submitted") == 5


def test_an_interrupted_action_continues_after_the_last_committed_batch(users, monkeypatch):
    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)
    job = imported_drafts(users["regency"], 5)
    ids = list(job.registrations.order_by("pk").values_list("pk", flat=True))
    action = BulkAction.objects.create(action="submit", requested_by=users["regency"], registration_ids=ids,
                                       total=5)
    calls = []
    original = bulk._run_batch

    def dies_on_second_batch(job, batch):
        calls.append(batch)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return original(job, batch)

    monkeypatch.setattr(bulk, "_run_batch", dies_on_second_batch)
    with pytest.raises(RuntimeError):
        bulk.bulk_action_run(job_pk=action.pk)
    action.refresh_from_db()
    assert action.processed == 2
    assert events_to("submitted") == 2
    bulk.bulk_action_run(job_pk=action.pk)
    action.refresh_from_db()
    assert (action.processed, action.succeeded, action.is_finished) == (5, 5, True)
    assert events_to("submitted") == 5


def test_results_are_private_to_the_requester(client, users):
    job = imported_drafts(users["regency"], 1)
    client.force_login(users["regency"])
    post_bulk(client, action="submit", ids=list(job.registrations.values_list("pk", flat=True)))
    action = BulkAction.objects.get()
    client.force_login(users["province"])
    assert client.get(action.get_absolute_url()).status_code == 404
    assert client.get(reverse("ppks:bulk-status", args=[action.pk])).status_code == 404


def test_lists_offer_the_bar_by_role(client, users):
    registration = register(users["regency"], submit=True)
    client.force_login(users["regency"])
    queue = client.get(reverse("ppks:verification-queue")).content.decode()
    assert 'form="bulk-form"' in queue
    assert 'value="verify"' in queue
    assert 'value="submit"' not in queue
    listing = client.get(reverse("ppks:list")).content.decode()
    assert 'value="{}" form="bulk-form"'.format(registration.pk) in listing
    assert 'value="submit"' in listing
    client.force_login(users["analyst"])
    assert "bulk-form" not in client.get(reverse("ppks:list")).content.decode()


def test_the_watchdog_runs_again_an_action_left_unfinished(users, django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    job = imported_drafts(users["regency"], 3)
    ids = list(job.registrations.values_list("pk", flat=True))
    action = BulkAction.objects.create(action="submit", requested_by=users["regency"], registration_ids=ids, total=3)
    assert bulk.bulk_actions_watchdog() == 0  # too recent: its task may still be on the way
    later = timezone.now() + datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert bulk.bulk_actions_watchdog(now=later) == 1
    action.refresh_from_db()
    assert (action.succeeded, action.is_finished) == (3, True)
    assert bulk.bulk_actions_watchdog(now=later) == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_on_one_action_handle_each_record_once(users, monkeypatch):
    """A redelivered task running beside the first (PostgreSQL): batches serialise on the action row."""
    from tests.concurrency import at_once, postgresql_only

    postgresql_only()
    monkeypatch.setattr(bulk, "BATCH_SIZE", 3)
    job = imported_drafts(users["regency"], 12)
    ids = list(job.registrations.values_list("pk", flat=True))
    action = BulkAction.objects.create(action="submit", requested_by=users["regency"], registration_ids=ids,
                                       total=len(ids))

    def run():
        return bulk.bulk_action_run(job_pk=action.pk).succeeded

    assert at_once(run, run) == [12, 12]
    action.refresh_from_db()
    assert (action.processed, action.succeeded, action.failed) == (12, 12, 0)
    assert events_to("submitted") == 12


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_form_posted_twice_at_once_makes_one_action(users):
    from django.test import Client

    from tests.concurrency import at_once, postgresql_only

    postgresql_only()
    job = imported_drafts(users["regency"], 5)
    ids = list(job.registrations.values_list("pk", flat=True))
    token = str(uuid.uuid4())

    def send():
        client = Client()
        client.force_login(users["regency"])
        return post_bulk(client, action="submit", ids=ids, form_token=token).status_code

    assert at_once(send, send) == [302, 302]
    assert BulkAction.objects.count() == 1
    assert events_to("submitted") == 5


def test_the_list_filtered_by_import_says_so_and_keeps_the_filter(client, users):
    job = imported_drafts(users["regency"], 2)
    register(users["regency"])
    client.force_login(users["regency"])
    response = client.get(reverse("ppks:list"), {"impor": job.pk})
    page = response.content.decode()
    assert response.context["total"] == 2
    assert "Registrasi hasil impor #{}.".format(job.pk) in page
    assert 'name="impor" value="{}"'.format(job.pk) in page
    assert "Registrasi hasil impor" not in client.get(reverse("ppks:list")).content.decode()
