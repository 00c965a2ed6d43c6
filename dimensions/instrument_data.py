"""The PROPOSED instrument "IKSM-Desa v0.1" (DOMAIN.md §2.2): four dimensions of Kepmensos 12/HUK/2006,
five indicators each, scored 1–5. Plain data read by the seeding migration.

Bands (re-calibrate after the first cohort): rendah < 0.50 ≤ sedang < 0.75 ≤ tinggi; a dimension
under 0.40 is a weak point (titik lemah) that the Think stage should address.
"""

INSTRUMENT = {
    "code": "IKSM-Desa v0.1",
    "name": "Indeks Ketahanan Sosial Masyarakat Desa",
    "band_sedang_from": "0.50",
    "band_tinggi_from": "0.75",
    "weak_point_below": "0.40",
}

PERCENT_BANDS = "1 = <20%; 2 = 20–39%; 3 = 40–59%; 4 = 60–79%; 5 = ≥80%"

DIMENSIONS = (
    (1, "D1", "Perlindungan sosial bagi kelompok rentan, fakir miskin dan PPKS lainnya", (
        ("1.1", "A", "Kemutakhiran daftar PPKS by name by address (data Pensosmas/TKSK)",
         "1 tidak ada; 2 lebih dari 24 bulan; 3 ≤ 24 bulan; 4 ≤ 12 bulan; 5 ≤ 12 bulan dan diusulkan ke DTKS/DTSEN"),
        ("1.2", "A", "Persentase PPKS terdaftar yang mendapat ≥ 1 layanan atau rujukan tuntas dalam 12 bulan terakhir",
         PERCENT_BANDS),
        ("1.3", "A", "Persentase keluarga desil 1–2 DTSEN yang menerima ≥ 1 program (PKH, Sembako, PBI-JK, BLT-DD)",
         PERCENT_BANDS),
        ("1.4", "K", "Jumlah mekanisme perlindungan berbasis masyarakat yang aktif (jimpitan, dana sosial/kematian, "
         "lumbung pangan, Puskesos/SLRT desa, posyandu lansia/disabilitas, rumah singgah)",
         "0 → 1; 1 → 2; 2 → 3; 3 → 4; ≥ 4 → 5"),
        ("1.5", "S", "Persentase rumah tangga yang dapat memperoleh bantuan tetangga/masyarakat saat krisis",
         PERCENT_BANDS),
    )),
    (2, "D2", "Partisipasi masyarakat dalam organisasi sosial lokal", (
        ("2.1", "A", "Jumlah jenis PSKS (dari 12) yang aktif di desa", "0–1 → 1; 2–3 → 2; 4–5 → 3; 6–7 → 4; ≥ 8 → 5"),
        ("2.2", "S", "Persentase rumah tangga dengan ≥ 1 anggota aktif di organisasi sosial lokal (Karang Taruna, PKK, "
         "majelis taklim, kelompok tani, LKS)", PERCENT_BANDS),
        ("2.3", "K", "Frekuensi gotong royong", "tidak ada → 1; < triwulanan → 2; triwulanan → 3; bulanan → 4; "
         "lebih dari sebulan sekali → 5"),
        ("2.4", "K", "Musyawarah desa inklusif: perempuan dan wakil PPKS/kelompok rentan hadir pada musdes terakhir",
         "1 tidak ada musdes; 2 ada, tanpa perempuan; 3 perempuan hadir; 4 perempuan dan wakil kelompok rentan; "
         "5 dan usulan mereka masuk RKPDes"),
        ("2.5", "K", "Berfungsinya Pokja Tansosmas", "1 belum dibentuk; 2 hanya SK; 3 rapat ≥ 2 kali/tahun; "
         "4 triwulanan dan ada rencana aksi tertulis; 5 ditambah laporan monitoring"),
    )),
    (3, "D3", "Pengendalian konflik sosial dan tindak kekerasan", (
        ("3.1", "K", "Kejadian konflik sosial antarkelompok dalam 12 bulan terakhir (skor terbalik)",
         "≥ 3 atau ada korban jiwa → 1; 2 → 2; 1 dengan luka/kerusakan → 3; 1 tanpa luka → 4; 0 → 5"),
        ("3.2", "K", "Mekanisme penyelesaian konflik (lembaga adat, mediator desa, FKDM) ada dan dipakai",
         "1 tidak ada; 3 ada, belum dipakai/tidak diketahui; 5 ada dan menyelesaikan ≥ 1 kasus atau punya SOP"),
        ("3.3", "A", "Persentase kasus kekerasan (KDRT, kekerasan anak) yang diketahui desa dan dirujuk/ditangani",
         PERCENT_BANDS + "; bila 0 kasus: 5 bila kanal pelaporan diumumkan, selain itu 3"),
        ("3.4", "K", "Siskamling/poskamling aktif", "1 tidak ada; 3 ada, tidak teratur; 5 jadwal teratur"),
        ("3.5", "S", "Persentase warga dewasa yang merasa aman berjalan sendiri malam hari di lingkungannya",
         PERCENT_BANDS),
    )),
    (4, "D4", "Kearifan lokal dalam pengelolaan sumber daya alam dan sosial", (
        ("4.1", "K", "Pranata adat/lokal pengelolaan sumber daya alam hidup (sasi, subak, awig-awig, lubuk larangan)",
         "1 tidak ada; 2 diingat, tidak aktif; 3 aktif, informal; 4 aktif dengan aturan tertulis; "
         "5 aturan tertulis dan catatan penegakan"),
        ("4.2", "K", "Aturan lokal (Perdes/aturan adat) tentang lingkungan ada dan ditegakkan dalam 12 bulan terakhir",
         "1 tidak ada; 3 ada; 5 ada dan ditegakkan"),
        ("4.3", "S", "Persentase rumah tangga yang ikut kegiatan adat/budaya atau sosial-keagamaan "
         "dalam 12 bulan terakhir",
         PERCENT_BANDS),
        ("4.4", "K", "Pengetahuan lokal dipakai dalam pengurangan risiko bencana (peringatan dini lokal, Kampung Siaga "
         "Bencana, Tagana)", "1 tidak ada; 3 informal; 5 terorganisasi dengan rencana dan latihan 12 bulan terakhir"),
        ("4.5", "K", "Pewarisan antargenerasi: kelompok pemuda menjalankan kegiatan budaya lokal atau lingkungan",
         "1 tidak ada; 3 sesekali; 5 teratur (≥ triwulanan)"),
    )),
)

# IKSM-Desa v0.2: the same twenty indicators; the four dimension titles are exactly those of
# Kepmensos 12/HUK/2006 as the programme's research report quotes them (DOMAIN.md §8); the three
# administrative indicators the app can compute are scored from its records (dimensions/records.py).
INSTRUMENT_V0_2 = {
    "code": "IKSM-Desa v0.2",
    "name": "Indeks Ketahanan Sosial Masyarakat Desa",
    "valid_from": "2026-11-29",
    "band_sedang_from": "0.50",
    "band_tinggi_from": "0.75",
    "weak_point_below": "0.40",
}

KEPMENSOS_12_HUK_2006_DIMENSIONS = {
    1: "Perlindungan sosial bagi kelompok rentan, miskin, dan penyandang masalah sosial lainnya",
    2: "Partisipasi masyarakat dalam mengikuti kegiatan organisasi sosial lokal",
    3: "Pengendalian terhadap konflik sosial dan tindak kekerasan",
    4: "Pemeliharaan kearifan lokal dalam mengelola sumber daya alam dan sumber daya sosial",
}

# Indicator code: rule computing it from the app's records (dimensions.models.Indicator.RecordRule).
RECORD_RULES = {"1.1": "ppks_freshness", "1.2": "ppks_served_share", "2.1": "psks_active_types"}
