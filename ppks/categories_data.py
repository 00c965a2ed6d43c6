"""The 26 PPKS categories of Permensos 08/2012 (DOMAIN.md §1.3) and their default directorates (§1.5).

Plain data read by the data migration that seeds ``ppks.Category``; an administrator can
change the rows afterwards. Codes are the suggested short codes, not official ones. The
directorate column is the post-2022 (three Ditjen) default for referrals: Fakir Miskin goes to
Dayasos by default, although Linjamsos handles PKH/jaminan sosial (see the §1.5 table).

Category names are marked with gettext_noop so the English catalogue translates them; the
database keeps the Indonesian name and ``Category.label`` looks it up in the active language.
"""

from django.utils.translation import gettext_noop

DIRECTORATES = (
    ("rehsos", "Ditjen Rehabilitasi Sosial"),
    ("dayasos", "Ditjen Pemberdayaan Sosial"),
    ("linjamsos", "Ditjen Perlindungan dan Jaminan Sosial"),
)

PERSON, FAMILY, GROUP, COMMUNITY = "person", "family", "group", "community"


def _category(order_no, code, name, directorate, definition, criteria, *, min_age=None, max_age=None, sex="",
              subjects=(PERSON,), specific=False):
    return {
        "order_no": order_no, "code": code, "name": name, "directorate": directorate, "definition": definition,
        "criteria": criteria, "min_age": min_age, "max_age": max_age, "required_sex": sex,
        "subject_kinds": list(subjects), "is_specific_data": specific,
    }


CATEGORIES = (
    _category(1, "ABT", gettext_noop("Anak Balita Telantar"), "rehsos",
              "Anak berusia lima tahun ke bawah yang ditelantarkan orang tuanya dan/atau berada dalam keluarga "
              "tidak mampu sehingga hak dasarnya tidak terpenuhi atau dieksploitasi.",
              "Tidak terpenuhi pengasuhan yang layak; keluarga sangat miskin/miskin; kehilangan hak asuh; "
              "diperlakukan salah; dieksploitasi (mis. dipakai mengemis); gizi buruk/kurang.",
              max_age=5, specific=True),
    _category(2, "AT", gettext_noop("Anak Telantar"), "rehsos",
              "Anak berusia 6 sampai 18 tahun yang diperlakukan salah atau ditelantarkan keluarga, atau kehilangan "
              "hak asuh orang tua.",
              "Berasal dari keluarga fakir miskin; ditelantarkan orang tua; kebutuhan dasar tidak terpenuhi.",
              min_age=6, max_age=18, specific=True),
    _category(3, "ABH", gettext_noop("Anak yang Berhadapan dengan Hukum"), "rehsos",
              "Anak berusia 12 sampai di bawah 18 tahun yang disangka, didakwa atau dijatuhi pidana, atau menjadi "
              "korban maupun saksi tindak pidana.",
              "Disangka, didakwa atau dijatuhi pidana; korban atau saksi tindak pidana.",
              min_age=12, max_age=17, specific=True),
    _category(4, "AJ", gettext_noop("Anak Jalanan"), "rehsos",
              "Anak yang rentan bekerja di jalanan, bekerja di jalanan, atau bekerja dan hidup di jalanan dengan "
              "sebagian besar waktunya di sana.",
              "Menghabiskan sebagian besar waktu di jalanan; bekerja atau hidup di jalanan.",
              max_age=17, specific=True),
    _category(5, "ADK", gettext_noop("Anak dengan Kedisabilitasan"), "rehsos",
              "Anak di bawah 18 tahun dengan hambatan fisik dan/atau mental yang mengganggu fungsi jasmani, "
              "rohani atau sosial.",
              "Disabilitas fisik (tubuh, netra, rungu wicara), mental (intelektual, eks psikotik) atau ganda; "
              "tidak mampu melaksanakan kehidupan sehari-hari.",
              max_age=17, specific=True),
    _category(6, "AKTK", gettext_noop("Anak yang Menjadi Korban Tindak Kekerasan atau Diperlakukan Salah"), "rehsos",
              "Anak yang terancam secara fisik maupun nonfisik karena tindak kekerasan atau perlakuan salah di "
              "lingkungan keluarga atau sosial terdekat.",
              "Sering diperlakukan kasar; dianiaya atau diperkosa; dipaksa bekerja.",
              max_age=17, specific=True),
    _category(7, "AMPK", gettext_noop("Anak yang Memerlukan Perlindungan Khusus"), "rehsos",
              "Anak 6 sampai 18 tahun dalam situasi darurat, dari kelompok minoritas/terisolasi, tereksploitasi, "
              "korban perdagangan orang, NAPZA, penculikan, kekerasan, disabilitas atau perlakuan salah.",
              "Situasi darurat; perdagangan orang; kekerasan; eksploitasi; kelompok minoritas/KAT; NAPZA; HIV/AIDS.",
              min_age=6, max_age=18, specific=True),
    _category(8, "LUT", gettext_noop("Lanjut Usia Telantar"), "rehsos",
              "Orang berusia 60 tahun ke atas yang tidak terpenuhi kebutuhan dasarnya.",
              "Kebutuhan pangan, sandang dan papan tidak terpenuhi; telantar secara psikis dan sosial.",
              min_age=60),
    _category(9, "PD", gettext_noop("Penyandang Disabilitas"), "rehsos",
              "Orang dengan keterbatasan fisik, intelektual/mental atau sensorik jangka panjang yang menghambat "
              "partisipasi penuh.",
              "Disabilitas fisik (tubuh, netra, rungu wicara), mental (intelektual, eks psikotik) atau ganda; "
              "anak dicatat sebagai ADK.",
              min_age=18, specific=True),
    _category(10, "TS", gettext_noop("Tuna Susila"), "rehsos",
              "Orang yang berulang kali melakukan hubungan seksual di luar pernikahan untuk imbalan.",
              "Menjajakan diri di tempat umum atau lokalisasi; menerima imbalan.",
              min_age=18, specific=True),
    _category(11, "GLD", gettext_noop("Gelandangan"), "rehsos",
              "Orang yang hidup tidak sesuai norma kehidupan layak, tanpa mata pencaharian dan tempat tinggal "
              "tetap, mengembara di tempat umum.",
              "Tanpa KTP; tanpa tempat tinggal tetap; tanpa penghasilan tetap; tanpa rencana masa depan."),
    _category(12, "PGM", gettext_noop("Pengemis"), "rehsos",
              "Orang yang mendapat penghasilan dengan meminta-minta di tempat umum.",
              "Bergantung pada belas kasihan orang lain; berpakaian lusuh; berada di tempat ramai; memanfaatkan "
              "orang lain untuk menimbulkan belas kasihan."),
    _category(13, "PML", gettext_noop("Pemulung"), "rehsos",
              "Orang yang memungut barang bekas untuk didaur ulang atau dijual kembali.",
              "Tidak punya pekerjaan tetap; mengumpulkan barang bekas."),
    _category(14, "KMN", gettext_noop("Kelompok Minoritas"), "rehsos",
              "Kelompok yang fungsi sosialnya terganggu karena diskriminasi dan marginalisasi.",
              "Hanya penanda kategori dengan alasan singkat oleh asesor; jangan mencatat orientasi seksual atau "
              "identitas gender (lihat catatan UU PDP).",
              subjects=(GROUP, PERSON), specific=True),
    _category(15, "BWBLP", gettext_noop("Bekas Warga Binaan Lembaga Pemasyarakatan"), "rehsos",
              "Mantan narapidana yang telah selesai menjalani pidana dan mengalami hambatan kembali ke "
              "masyarakat atau mendapat pekerjaan.",
              "Berusia di atas 18 tahun; keluar dari lapas; ditolak keluarga/masyarakat; sulit mendapat pekerjaan "
              "tetap.",
              min_age=18, specific=True),
    _category(16, "ODHA", gettext_noop("Orang dengan HIV/AIDS"), "rehsos",
              "Orang yang terkonfirmasi terinfeksi HIV dan membutuhkan pelayanan sosial, perawatan dan pengobatan.",
              "Dewasa (anak dicatat sebagai AMPK); terinfeksi HIV/AIDS.",
              min_age=18, specific=True),
    _category(17, "NAPZA", gettext_noop("Korban Penyalahgunaan NAPZA"), "rehsos",
              "Orang yang menggunakan narkotika, psikotropika atau zat adiktif lain di luar pengobatan.",
              "Pemakaian termasuk coba-coba; dinyatakan bebas ketergantungan secara medis; fungsi sosial terganggu.",
              specific=True),
    _category(18, "KTR", gettext_noop("Korban Trafficking"), "rehsos",
              "Orang yang mengalami penderitaan psikis, fisik, seksual, ekonomi dan/atau sosial akibat "
              "perdagangan orang.",
              "Kekerasan, eksploitasi seksual, penelantaran, deportasi, ketidakmampuan menyesuaikan diri.",
              specific=True),
    _category(19, "KTK", gettext_noop("Korban Tindak Kekerasan"), "rehsos",
              "Perseorangan, keluarga, kelompok atau masyarakat yang mengalami kekerasan, perlakuan salah, "
              "eksploitasi atau diskriminasi, atau ditinggalkan dalam bahaya.",
              "Dianiaya, ditelantarkan, dieksploitasi, didiskriminasi, ditinggalkan dalam situasi berbahaya.",
              subjects=(PERSON, FAMILY, GROUP), specific=True),
    _category(20, "PMBS", gettext_noop("Pekerja Migran Bermasalah Sosial"), "rehsos",
              "Pekerja migran dalam negeri atau lintas negara yang mengalami masalah sosial (kekerasan, "
              "penelantaran, bencana, ketidakmampuan menyesuaikan diri).",
              "Pekerja migran atau mantan pekerja migran yang sakit, disabilitas, tidak berdokumen, miskin, "
              "mengalami kekerasan, eksploitasi, penelantaran, deportasi atau perdagangan orang."),
    _category(21, "KBA", gettext_noop("Korban Bencana Alam"), "linjamsos",
              "Perseorangan atau kelompok yang menderita atau meninggal akibat bencana alam.",
              "Luka/meninggal; kehilangan harta benda; dampak psikologis; fungsi sosial terganggu.",
              subjects=(PERSON, FAMILY, COMMUNITY)),
    _category(22, "KBS", gettext_noop("Korban Bencana Sosial"), "linjamsos",
              "Perseorangan atau kelompok yang menderita atau meninggal akibat bencana buatan manusia (konflik "
              "antarkelompok, teror).",
              "Kehilangan jiwa; kehilangan harta benda; dampak psikologis.",
              subjects=(PERSON, FAMILY, COMMUNITY)),
    _category(23, "PRSE", gettext_noop("Perempuan Rawan Sosial Ekonomi"), "dayasos",
              "Perempuan dewasa, menikah, belum menikah atau janda, yang penghasilannya tidak cukup untuk "
              "kebutuhan dasar sehari-hari.",
              "Perempuan 18–59 tahun; ditinggal suami tanpa kejelasan; pencari nafkah utama; penghasilan kurang.",
              min_age=18, max_age=59, sex="P"),
    _category(24, "FM", gettext_noop("Fakir Miskin"), "dayasos",
              "Orang yang tidak mempunyai mata pencaharian, atau mempunyai mata pencaharian tetapi tidak mampu "
              "memenuhi kebutuhan dasar yang layak bagi diri dan keluarganya.",
              "Tidak punya sumber mata pencaharian, atau punya tetapi tidak mencukupi (Kepmensos 146/HUK/2013; "
              "262/HUK/2022).",
              subjects=(PERSON, FAMILY)),
    _category(25, "KBSP", gettext_noop("Keluarga Bermasalah Sosial Psikologis"), "dayasos",
              "Keluarga yang hubungan antaranggotanya (suami-istri, orang tua-anak) tidak harmonis sehingga "
              "fungsi keluarga tidak berjalan.",
              "Suami/istri saling mengabaikan atau bertengkar; hubungan dengan tetangga buruk; kebutuhan anak tidak "
              "terpenuhi.",
              subjects=(FAMILY,)),
    _category(26, "KAT", gettext_noop("Komunitas Adat Terpencil"), "dayasos",
              "Kelompok sosial budaya lokal yang terpencar dan kurang terlibat dalam jaringan dan pelayanan sosial, "
              "ekonomi maupun politik.",
              "Kecil, tertutup, homogen; kelembagaan berbasis kekerabatan; terpencil secara geografis; ekonomi "
              "subsisten; akses pelayanan terbatas (Perpres 186/2014).",
              subjects=(COMMUNITY,)),
)


# Older PMKS names kept for old data and the programme's own vocabulary (DOMAIN.md §1.2), not among
# the official 26: each points at the current category that replaced it. Not offered for new entries.
LEGACY_CATEGORIES = (
    {"order_no": 101, "code": "WRSE", "name": gettext_noop("Wanita Rawan Sosial Ekonomi"), "superseded_by": "PRSE",
     "min_age": 18, "max_age": 59, "required_sex": "P"},
    {"order_no": 102, "code": "RTLH", "name": gettext_noop("Keluarga Berumah Tidak Layak Huni"),
     "superseded_by": "FM", "subject_kinds": [FAMILY]},
    {"order_no": 103, "code": "KMM", "name": gettext_noop("Keluarga Muda Miskin"), "superseded_by": "FM",
     "subject_kinds": [FAMILY]},
)

# Categories that the programme refers to more than one Ditjen (DOMAIN.md §8: "both Dayasos, via its
# empowerment directorates, and Linjamsos, via Direktorat Bantuan Sosial, select fakir miskin, families
# in uninhabitable houses, WRSE and poor young families"). The first directorate is the primary one.
SHARED_ROUTES = dict.fromkeys(("FM", "PRSE", "WRSE", "RTLH", "KMM"), ("dayasos", "linjamsos"))
