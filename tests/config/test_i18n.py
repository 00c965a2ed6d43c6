"""The English catalogue: pages switch to English with the language cookie and stay Indonesian by default."""

import gettext as gnu_gettext
import importlib.util
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from ppks.models import Category

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")

# Twenty strings every English user meets: navigation, sign-in, roles, regions, workflow, errors, categories.
IMPORTANT = {
    "Masuk": "Sign in",
    "Masuk ke SI-DBS": "Sign in to SI-DBS",
    "Nama pengguna atau kata sandi salah. Periksa kembali, huruf besar/kecil dibedakan.":
        "Incorrect username or password. Please check again; both are case-sensitive.",
    "Keluar": "Sign out",
    "Beranda": "Home",
    "Rencana Aksi": "Action Plans",
    "Laporan": "Reports",
    "Kabupaten/Kota": "Regency/City",
    "Kecamatan": "District",
    "Desa/Kelurahan": "Village",
    "Dinas Sosial Kabupaten/Kota": "Regency/City Dinas Sosial",
    "Ajukan": "Submit",
    "Tolak": "Reject",
    "Antrean verifikasi": "Verification queue",
    "Simpan": "Save",
    "Jenis kelamin": "Sex",
    "NIK harus 16 digit angka.": "The NIK must be 16 digits.",
    "Desa {code} di luar wilayah kerja Anda.": "Village {code} is outside your working area.",
    "Fakir Miskin": "The Poor (Fakir Miskin)",
    "Komunitas Adat Terpencil": "Remote Indigenous Communities (KAT)",
}


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def load_tool():
    """locale/translate_en.py, the maintainer's tool that checks placeholders."""
    spec = importlib.util.spec_from_file_location("translate_en", ROOT / "locale" / "translate_en.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_login_page_is_english_with_the_language_cookie(client):
    page = english(client).get(reverse("accounts:login")).content.decode()
    assert '<html lang="en"' in page
    assert "Sign in to SI-DBS" in page
    assert "Use the account given to you by Dinas Sosial or the administrator." in page
    assert "Username" in page
    assert "Password" in page
    assert 'aria-label="Language"' in page
    assert "Masuk ke SI-DBS" not in page


@pytest.mark.django_db
def test_login_page_is_indonesian_by_default(client):
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="id"' in page
    assert "Masuk ke SI-DBS" in page
    assert "Nama pengguna" in page
    assert "Sign in to SI-DBS" not in page


@pytest.mark.django_db
def test_login_error_is_english(client, users):
    page = english(client).post(
        reverse("accounts:login"), {"username": "bondowoso", "password": "salah"}
    ).content.decode()
    assert "Incorrect username or password. Please check again; both are case-sensitive." in page


def test_dashboard_is_english_with_the_language_cookie(client, users):
    client.force_login(users["regency"])
    page = english(client).get("/").content.decode()
    assert "Regency/City Dinas Sosial home" in page
    assert "Working area" in page
    assert "Kabupaten Bondowoso" in page  # the region by name (issue 16), not "35.11"
    assert "View districts and villages" in page
    for label in ("Home", "Action Plans", "Verification", "Reports", "Sign out", "Regency/City", "District"):
        assert label in page, label
    assert "Beranda Dinas Sosial Kabupaten/Kota" not in page
    assert "Lihat kecamatan dan desa" not in page


def test_dashboard_is_indonesian_by_default(client, users):
    client.force_login(users["regency"])
    page = client.get("/").content.decode()
    assert "Beranda Dinas Sosial Kabupaten/Kota" in page
    assert "Wilayah kerja: Kabupaten Bondowoso." in page
    assert "Regency/City Dinas Sosial home" not in page


def test_footer_switch_sets_the_cookie_and_back(client, users):
    client.force_login(users["pensosmas"])
    page = client.get("/").content.decode()
    assert 'action="{}"'.format(reverse("set_language")) in page
    # Each language in its own name, whatever the page's language (issue 16).
    assert '<option value="en" lang="en">English</option>' in page
    assert 'lang="id" selected>Bahasa Indonesia</option>' in page
    assert "Inggris" not in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english_page = client.get("/").content.decode()
    assert "Pensosmas home" in english_page
    assert 'lang="en" selected>English</option>' in english_page
    assert '<option value="id" lang="id">Bahasa Indonesia</option>' in english_page
    client.post(reverse("set_language"), {"language": "id", "next": "/"})
    assert "Beranda Pensosmas" in client.get("/").content.decode()


@pytest.mark.parametrize(("msgid", "expected"), IMPORTANT.items())
def test_important_strings_are_translated(msgid, expected):
    with translation.override("en"):
        assert gettext(msgid) == expected
    with translation.override("id"):
        assert gettext(msgid) == msgid


def test_plural_forms_follow_english_rules():
    with translation.override("en"):
        assert ngettext("%(counter)s desa ditemukan.", "%(counter)s desa ditemukan.", 1) % {"counter": 1} == (
            "1 village found."
        )
        assert ngettext("%(counter)s desa ditemukan.", "%(counter)s desa ditemukan.", 3) % {"counter": 3} == (
            "3 villages found."
        )


@pytest.mark.django_db
def test_ppks_category_names_follow_the_language():
    category = Category.objects.get(code="FM")
    with translation.override("en"):
        assert str(category) == "The Poor (Fakir Miskin) (FM)"
    with translation.override("id"):
        assert str(category) == "Fakir Miskin (FM)"
    assert category.name == "Fakir Miskin"


def test_catalogue_compiles_and_the_committed_mo_is_current(tmp_path):
    """The .po parses and compiles; every translated entry is in the committed .mo with the same text."""
    catalogue = polib.pofile(str(CATALOGUE))
    assert catalogue.metadata["Language"] == "en"
    assert catalogue.metadata["Plural-Forms"].startswith("nplurals=2;")
    compiled = tmp_path / "django.mo"
    catalogue.save_as_mofile(str(compiled))
    with compiled.open("rb") as fresh:
        gnu_gettext.GNUTranslations(fresh)
    assert COMPILED.exists(), "run: manage.py compilemessages --ignore=.venv"
    with COMPILED.open("rb") as handle:
        committed = gnu_gettext.GNUTranslations(handle)
    stale = []
    for entry in catalogue.translated_entries():
        if entry.msgid_plural and entry.msgctxt:
            actual = [committed.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
            expected = [entry.msgstr_plural[0], entry.msgstr_plural[1]]
        elif entry.msgid_plural:
            actual = [committed.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
            expected = [entry.msgstr_plural[0], entry.msgstr_plural[1]]
        elif entry.msgctxt:  # the same words in another context may read differently ("Terlambat" of a stage)
            actual, expected = committed.pgettext(entry.msgctxt, entry.msgid), entry.msgstr
        else:
            actual, expected = committed.gettext(entry.msgid), entry.msgstr
        if actual != expected:
            stale.append(entry.msgid)
    assert not stale, "compiled catalogue is out of date; run compilemessages: {}".format(stale[:5])
    assert len(catalogue.translated_entries()) >= 950


def test_translations_keep_placeholders_and_tags():
    tool = load_tool()
    catalogue = tool.load()
    broken = [problem for entry in catalogue.translated_entries() for problem in tool.problems(entry)]
    assert broken == []


def test_placeholder_check_catches_a_dropped_placeholder():
    tool = load_tool()
    entry = polib.POEntry(msgid="Desa {code} di luar wilayah kerja Anda.", msgstr="Outside your working area.")
    assert tool.problems(entry)
    entry.msgstr = "Village {code} is outside your <b>working area</b>."
    assert tool.problems(entry)
    entry.msgstr = "Village {code} is outside your working area."
    assert tool.problems(entry) == []
