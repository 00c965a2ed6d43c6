import pytest
from django.db.models import Q
from django.urls import reverse

from accounts.models import AuditEvent
from ppks.models import DuplicateCandidate, Person, Registration
from tests.ppks.factories import register
from villages.models import Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(users):
    """Registrations in three kab/kota: Bondowoso (two villages), Situbondo and Salatiga."""
    return {
        "sucolor": register(users["pensosmas"], submit=True),
        "dawuhan": register(users["regency"], category="LUT", nik="3511020101500001", name="Pak Darmo", sex="L",
                            birth_date=__import__("datetime").date(1950, 1, 1),
                            village=Village.objects.get(code="35.11.02.2001")),
        "situbondo": register(users["other_regency"], category="AT", nik="3512010101150002", name="Budi", sex="L",
                              birth_date=__import__("datetime").date(2015, 1, 1),
                              village=Village.objects.get(code="35.12.01.2001")),
        "salatiga": register(users["admin"], category="FM", nik=None, nik_status="belum_punya", name="Tuti",
                             village=Village.objects.get(code="33.73.04.1001")),
    }


def listed(client, user, **params) -> set[str]:
    client.force_login(user)
    response = client.get(reverse("ppks:list"), params)
    assert response.status_code == 200
    return {registration.person.name for registration in response.context["page"]}


@pytest.mark.parametrize(
    ("user_key", "expected"),
    [
        ("admin", {"Siti Aminah", "Pak Darmo", "Budi", "Tuti"}),
        ("analyst", {"Siti Aminah", "Pak Darmo", "Budi", "Tuti"}),
        ("province", {"Siti Aminah", "Pak Darmo", "Budi"}),
        ("regency", {"Siti Aminah", "Pak Darmo"}),
        ("other_regency", {"Budi"}),
        ("pensosmas", {"Siti Aminah"}),
        ("no_role", set()),
        ("regency_without_code", set()),
    ],
)
def test_list_is_scoped_per_role(client, users, registry, user_key, expected):
    assert listed(client, users[user_key]) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "LUT"}, {"Pak Darmo"}),
        ({"directorate": "rehsos"}, {"Pak Darmo", "Budi"}),
        ({"status": "submitted"}, {"Siti Aminah"}),
        ({"sex": "P"}, {"Siti Aminah", "Tuti"}),
        ({"age_band": "lansia"}, {"Pak Darmo"}),
        ({"age_band": "anak"}, {"Budi"}),
        ({"has_nik": "false"}, {"Tuti"}),
        ({"region": "35.11"}, {"Siti Aminah", "Pak Darmo"}),
        ({"region": "35.11.02.2001"}, {"Pak Darmo"}),
        ({"q": "darmo"}, {"Pak Darmo"}),
    ],
)
def test_list_filters(client, users, registry, params, expected):
    assert listed(client, users["analyst"], **params) == expected


def test_list_masks_nik_and_runs_a_fixed_number_of_queries(client, users, registry, django_assert_max_num_queries):
    client.force_login(users["analyst"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("ppks:list"))
    content = response.content.decode()
    assert "3511********0003" in content
    assert "3511015203850003" not in content
    for index in range(10):
        register(users["admin"], category="FM", nik="35110101010{:05d}".format(index + 1)[:16],
                 name="Orang {}".format(index), sex="L", birth_date=__import__("datetime").date(1990, 1, 1))
    with django_assert_max_num_queries(12):
        client.get(reverse("ppks:list"))


def test_out_of_scope_detail_is_not_found(client, users, registry):
    client.force_login(users["other_regency"])
    assert client.get(registry["sucolor"].get_absolute_url()).status_code == 404
    assert client.get(registry["sucolor"].person.get_absolute_url()).status_code == 404


def register_form(**overrides) -> dict:
    data = {
        "name": "Ahmad Fauzi", "nik": "3511011505900001", "nik_status": "ada", "kk_number": "3511010101200002",
        "sex": "L", "birth_place": "Bondowoso", "birth_date": "1990-05-15", "village": "35.11.01.2001",
        "dusun": "Krajan", "rt": "3", "rw": "1", "street_address": "", "phone": "", "disability": "",
        "dtsen_decile": "", "dtsen_decile_as_of": "", "category": "FM", "needs": "Sembako",
        "assessed_on": "2026-11-01", "submit_now": "on",
    }
    data.update(overrides)
    return data


def test_pensosmas_registers_on_the_form(client, users):
    client.force_login(users["pensosmas"])
    form_page = client.get(reverse("ppks:register"))
    village_choices = [code for code, _label in form_page.context["person_form"].fields["village"].choices if code]
    assert [str(code) for code in village_choices] == ["35.11.01.2001"]
    response = client.post(reverse("ppks:register"), register_form())
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.status == "submitted"
    assert response.url == registration.get_absolute_url()


def test_form_errors_are_shown_next_to_fields(client, users):
    client.force_login(users["pensosmas"])
    response = client.post(reverse("ppks:register"), register_form(nik="35110115059", rt="1a", village="35.12.01.2001"))
    errors = response.context["person_form"].errors
    assert errors["nik"] == ["NIK harus 16 digit angka (sekarang 11 karakter)."]
    assert errors["rt"] == ["RT harus angka 1–3 digit, misalnya 001."]
    assert errors["village"] == ["Desa/kelurahan tidak dikenal atau di luar wilayah kerja Anda."]
    assert not Person.objects.exists()


def test_warnings_need_a_second_confirmation(client, users):
    client.force_login(users["pensosmas"])
    data = register_form(sex="P")
    first = client.post(reverse("ppks:register"), data)
    assert first.status_code == 200
    assert "NIK menandakan jenis kelamin laki-laki, sedangkan yang diisi perempuan." in first.content.decode()
    assert not Person.objects.exists()
    second = client.post(reverse("ppks:register"), {**data, "confirmed": "1"})
    assert second.status_code == 302
    assert Person.objects.get().sex == "P"


def test_existing_nik_points_to_the_existing_person(client, users, registry):
    client.force_login(users["regency"])
    response = client.post(reverse("ppks:register"), register_form(nik="3511015203850003", sex="P",
                                                                      birth_date="1985-03-12"))
    assert response.context["person_form"].errors["nik"] == ["NIK ini sudah terdaftar atas nama Siti Aminah (Sucolor)."]


def test_existing_nik_out_of_scope_reveals_no_name(client, users, registry):
    """Issue 15 item 3: a neutral check message, the person saved without the NIK and queued for Dinas Sosial."""
    client.force_login(users["other_regency"])
    data = register_form(nik="3511015203850003", village="35.12.01.2001")
    response = client.post(reverse("ppks:register"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "perlu diperiksa Dinas Sosial" in page
    assert "Siti" not in page
    assert "sudah terdaftar" not in page
    saved = client.post(reverse("ppks:register"), {**data, "confirmed": "1"})
    assert saved.status_code == 302
    new_person = Person.objects.get(name="Ahmad Fauzi")
    assert new_person.nik is None
    assert DuplicateCandidate.objects.filter(reason="nik").filter(
        Q(person=new_person) | Q(other=new_person)).count() == 1


def test_out_of_scope_nik_lookups_on_the_register_form_are_rate_limited(client, users, registry, settings):
    settings.SIDBS_RATE_LIMITS = {**settings.SIDBS_RATE_LIMITS, "nik_search": "1/hour"}
    client.force_login(users["other_regency"])
    data = register_form(nik="3511015203850003", village="35.12.01.2001")
    assert client.post(reverse("ppks:register"), data).status_code == 200
    assert client.post(reverse("ppks:register"), data).status_code == 429


def test_analyst_cannot_register(client, users):
    client.force_login(users["analyst"])
    assert client.get(reverse("ppks:register")).status_code == 403


def test_verification_queue_and_verify_button(client, users, registry):
    client.force_login(users["regency"])
    queue = client.get(reverse("ppks:verification-queue"))
    assert [registration.person.name for registration in queue.context["page"]] == ["Siti Aminah"]
    url = reverse("ppks:registration-transition", args=[registry["sucolor"].pk, "verify"])
    response = client.post(url, {"next": reverse("ppks:verification-queue")})
    assert response.status_code == 302
    registry["sucolor"].refresh_from_db()
    assert registry["sucolor"].status == "verified"
    client.force_login(users["pensosmas"])
    assert client.get(reverse("ppks:verification-queue")).status_code == 403


def test_reveal_nik_is_post_only_and_audited(client, users, registry):
    person = registry["sucolor"].person
    client.force_login(users["regency"])
    url = reverse("ppks:person-reveal-nik", args=[person.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert "3511015203850003" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="ppks.person.nik_reveal").count() == 1
    client.force_login(users["analyst"])
    assert client.post(url).status_code == 403


def test_opening_the_correction_form_is_audited_as_a_nik_reveal(client, users, registry):
    """The correction form carries the full NIK, so showing it leaves the same trail as the reveal button."""
    person = registry["sucolor"].person
    client.force_login(users["regency"])
    response = client.get(reverse("ppks:person-edit", args=[person.pk]))
    assert response.status_code == 200
    assert "3511015203850003" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="ppks.person.nik_reveal")
    assert (event.actor, event.object_id) == (users["regency"], str(person.pk))
    client.force_login(users["analyst"])
    assert client.get(reverse("ppks:person-edit", args=[person.pk])).status_code == 403
    assert AuditEvent.objects.filter(action="ppks.person.nik_reveal").count() == 1


def test_duplicate_review_merges(client, users, registry):
    other = register(users["regency"], nik="3511025203850009", name="Siti Aminah",
                     village=Village.objects.get(code="35.11.02.2001"), category="LUT")
    candidate = DuplicateCandidate.objects.get()
    client.force_login(users["regency"])
    page = client.get(reverse("ppks:duplicates"))
    assert [item.pk for item in page.context["page"]] == [candidate.pk]
    response = client.post(reverse("ppks:duplicate-resolve", args=[candidate.pk]), {"decision": "keep_person"})
    confirm = "{}?simpan={}".format(reverse("ppks:duplicate-merge", args=[candidate.pk]), candidate.person_id)
    assert (response.status_code, response["Location"]) == (302, confirm)
    other.person.refresh_from_db()
    assert other.person.merged_into_id is None  # nothing merged before the confirmation
    response = client.post(reverse("ppks:duplicate-merge", args=[candidate.pk]), {"kept": candidate.person_id})
    assert response.status_code == 302
    other.person.refresh_from_db()
    assert other.person.merged_into_id == registry["sucolor"].person_id


def _field_block(body: str, field_id: str) -> str:
    """The ``<div class="field ...">`` that holds the input ``field_id`` (its label, input, help and errors)."""
    start = body.rindex('<div class="field', 0, body.index('id="{}"'.format(field_id)))
    return body[start:body.index("</div>", body.index('id="{}"'.format(field_id)))]


@pytest.mark.parametrize("nik", ["35110115059", "3511011505900001x", "35110115059OOOO1"])
def test_a_wrong_nik_gives_one_error_at_the_nik_field(client, users, nik):
    """Issue 16: a wrong NIK no longer adds "NIK kosong: pilih alasannya", and the error stands at the field."""
    client.force_login(users["pensosmas"])
    response = client.post(reverse("ppks:register"), register_form(nik=nik))
    form = response.context["person_form"]
    assert list(form.errors) == ["nik"]
    assert not form.non_field_errors()
    body = response.content.decode()
    assert "NIK kosong: pilih alasannya" not in body
    [message] = form.errors["nik"]
    assert message in _field_block(body, "id_nik")
    assert not Person.objects.exists()


def test_an_empty_nik_still_asks_for_the_reason_at_its_field(client, users):
    client.force_login(users["pensosmas"])
    response = client.post(reverse("ppks:register"), register_form(nik="", nik_status=""))
    form = response.context["person_form"]
    assert list(form.errors) == ["nik_status"]
    assert "NIK kosong: pilih alasannya" in _field_block(response.content.decode(), "id_nik_status")


def test_a_wrong_nik_on_the_correction_form_gives_one_error(client, users, registry):
    client.force_login(users["regency"])
    person = registry["sucolor"].person
    response = client.post(reverse("ppks:person-edit", kwargs={"pk": person.pk}), {
        **register_form(nik="35110115059", name=person.name, sex="P", birth_date="1985-03-12"),
        "correction_reason": "Salah ketik"})
    assert list(response.context["form"].errors) == ["nik"]
    assert "NIK kosong: pilih alasannya" not in response.content.decode()
