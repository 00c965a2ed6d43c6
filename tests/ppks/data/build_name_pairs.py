# ruff: noqa: E501
"""Build tests/ppks/data/name_pairs.csv: `python tests/ppks/data/build_name_pairs.py > tests/ppks/data/name_pairs.csv`.

Every pair and its label is a human judgement written here (not computed by the matcher): the same
person's name written two ways (match) or two different names (nonmatch), with hard cases on both sides
(a final h, an added name, letters one rule would merge, variants no rule covers).
"""
import csv
import sys

M, N = "match", "nonmatch"
rows = []
def add(label, kind, *pairs):
    for a, b in pairs:
        rows.append((a, b, label, kind))

# --- Same person, written differently -------------------------------------------------------
add(M, "apostrof", ("Siti Nur'aini", "Siti Nur’aini"), ("Nur'aini", "Nur‘aini"), ("Ma'ruf Amin", "Ma’ruf Amin"),
    ("Ma'ruf", "Ma`ruf"), ("Mu'min", "Mu´min"), ("Syafi'i", "Syafi’i"), ("Ja'far Sodiq", "Ja’far Sodiq"),
    ("Sa'diyah", "Sa’diyah"), ("Rif'an", "Rifʼan"), ("Zakiyatun Ni'mah", "Zakiyatun Ni’mah"), ("Na'im", "Na\"im"),
    ("Mas'ud", "Mas“ud"), ("Ru'yati", "Ru’yati"), ("Ni'matul Khoiriyah", "Ni’matul Khoiriyah"),
    ("Fatimatuz Zahro'", "Fatimatuz Zahro’"), ("Mar'atus Sholihah", "Mar’atus Sholihah"), ("Sya'roni", "Sya’roni"),
    ("Ta'in", "Ta’in"), ("Ma'sum", "Ma’sum"), ("Khusnul Khotimah'", "Khusnul Khotimah"), ("Su'udah", "Su’udah"),
    ("Abdul Ro'uf", "Abdul Ro’uf"), ("Isma'il", "Ismail"), ("Nur'aini", "Nuraini"), ("Ba'asyir", "Baasyir"))
add(M, "spasi", ("Siti Nur Aini", "Siti Nuraini"), ("Nur Aini", "Nur'aini"), ("Nur Hayati", "Nurhayati"),
    ("Nur Kholis", "Nurkholis"), ("Sri Wahyuni", "Sriwahyuni"), ("Dwi Nur Cahyo", "Dwi Nurcahyo"),
    ("Ahmad Fauzi", "Ahmadfauzi"), ("Nur Jannah", "Nurjannah"), ("Abdul Rahman", "Abdulrahman"),
    ("Nur Hidayat", "Nurhidayat"), ("Eko Pur Nomo", "Eko Purnomo"), ("Siti Khotijah", "Sitikhotijah"),
    ("Nur Laila", "Nurlaila"), ("Sri Mulyani", "Sri  Mulyani"), ("Nur Afni", "Nurafni"), ("Rahma Wati", "Rahmawati"),
    ("Dewi Sartika", "Dewisartika"), ("Ainun Najib", "Ainunnajib"), ("Nur Aisyah", "Nuraisyah"),
    ("Ika Nur Fitriani", "Ika Nurfitriani"), ("Lailatul Qodriyah", "Lailatulqodriyah"), ("Nurul Huda", "Nurul  Huda"),
    ("Abdul Ghofur", "Abdulghofur"), ("Umi Kalsum", "Umikalsum"), ("Nur Rohmah", "Nurrohmah"))
add(M, "huruf_ganda", ("Sitti Aminah", "Siti Aminah"), ("Sitti Nur Aini", "Siti Nur'aini"), ("Muhammad Ali", "Muhamad Ali"),
    ("Anna Maria", "Ana Maria"), ("Rossa Amelia", "Rosa Amelia"), ("Fittri Handayani", "Fitri Handayani"),
    ("Ummi Kalsum", "Umi Kalsum"), ("Hajjar", "Hajar"), ("Nurjannah", "Nurjanah"), ("Jannatul Firdaus", "Janatul Firdaus"),
    ("Abdullah", "Abdulah"), ("Fattah", "Fatah"), ("Rohimma", "Rohima"), ("Lilly Suryani", "Lily Suryani"),
    ("Yussuf", "Yusuf"), ("Imron Rosyyadi", "Imron Rosyadi"), ("Siddiq", "Sidiq"), ("Zakki Mubarok", "Zaki Mubarok"),
    ("Hassan Basri", "Hasan Basri"), ("Husein", "Hussein"), ("Nurhalimah", "Nurhallimah"), ("Ridwann", "Ridwan"),
    ("Mukkaromah", "Mukaromah"), ("Annisa Rahma", "Anisa Rahma"), ("Rizza Umami", "Riza Umami"))
add(M, "ejaan_lama", ("Soekarno", "Sukarno"), ("Djoko Tjahjono", "Joko Cahyono"), ("Tjipto", "Cipto"),
    ("Soeharto", "Suharto"), ("Djumini", "Jumini"), ("Soedjatmiko", "Sujatmiko"), ("Tjokroaminoto", "Cokroaminoto"),
    ("Soetomo", "Sutomo"), ("Djamilah", "Jamilah"), ("Tjitjih", "Cicih"), ("Roekmini", "Rukmini"),
    ("Soedarsono", "Sudarsono"), ("Poernomo", "Purnomo"), ("Wahjudi", "Wahyudi"), ("Soejono", "Suyono"),
    ("Djuwariyah", "Juwariyah"), ("Njoman Sudiarta", "Nyoman Sudiarta"), ("Sjamsudin", "Syamsudin"),
    ("Soepardjo", "Supardjo"), ("Moeljono", "Mulyono"), ("Tjahjadi", "Cahyadi"), ("Koesnadi", "Kusnadi"),
    ("Oetari", "Utari"), ("Djoenaedi", "Junaedi"), ("Rochmat", "Rohmat"))
add(M, "gelar", ("Hj. Siti Aminah", "Siti Aminah"), ("H. Abdul Karim", "Abdul Karim"), ("Drs. Suparman", "Suparman"),
    ("Siti Aminah, S.Pd.", "Siti Aminah"), ("Dra. Endang Sri", "Endang Sri"), ("Ir. Bambang Sutrisno", "Bambang Sutrisno"),
    ("Dr. Heru Prasetyo", "Heru Prasetyo"), ("Bapak Slamet", "Slamet"), ("Ibu Sumiati", "Sumiati"),
    ("Almarhum Sarimin", "Sarimin"), ("Ny. Suwarni", "Suwarni"), ("Sdr. Agus Salim", "Agus Salim"),
    ("Eko Prasetyo, S.E.", "Eko Prasetyo"), ("Dewi Lestari, S.Kep.", "Dewi Lestari"), ("Rina Wati, A.Md.", "Rina Wati"),
    ("Haji Mansur", "Mansur"), ("Hj. Fatimah, S.Ag.", "Fatimah"), ("KH. Hasyim Asy'ari", "Hasyim Asyari"),
    ("Ust. Abdul Somad", "Abdul Somad"), ("Hj Rohmah", "Rohmah"), ("Tn. Hartono", "Hartono"),
    ("Budi Santoso, S.H.", "Budi Santoso"), ("Nur Hasanah, S.Pd.I.", "Nur Hasanah"), ("Prof. Dr. Ir. Sumarno", "Sumarno"),
    ("Alm. Kasimin", "Kasimin"))
add(M, "muhammad", ("Muhammad Rizki", "Moh. Rizki"), ("Mohammad Sholeh", "Muhammad Sholeh"), ("Moch. Yusuf", "Muhammad Yusuf"),
    ("M. Arifin", "Muhammad Arifin"), ("Muh. Nasir", "Muhammad Nasir"), ("Mhd. Amin", "Muhammad Amin"),
    ("Mochammad Ilham", "Muhammad Ilham"), ("Mochamad Taufik", "Muhamad Taufik"), ("Moehammad Hatta", "Mohammad Hatta"),
    ("Muhamad Fajar", "Moh Fajar"), ("Mohamad Fikri", "Mochammad Fikri"), ("Muchammad Anwar", "Muhammad Anwar"),
    ("Mukhammad Zainal", "Muhammad Zainal"), ("MUHAMMAD ALI", "muhammad ali"), ("Moh. Syaiful", "Mohammad Syaiful"),
    ("Mochamat Romli", "Muhammad Romli"), ("Mohd. Ridwan", "Muhammad Ridwan"), ("Mohammed Faisal", "Muhammad Faisal"))
add(M, "bunyi", ("Achmad Fauzi", "Ahmad Fauzi"), ("Akhmad Dahlan", "Ahmad Dahlan"), ("Ramadhan", "Ramadan"),
    ("Rofiq", "Rofik"), ("Taufiq Hidayat", "Taufik Hidayat"), ("Rizky Pratama", "Rizki Pratama"), ("Dedy Kurniawan", "Dedi Kurniawan"),
    ("Khoirul Anam", "Hoirul Anam"), ("Fathur Rohman", "Fatur Rohman"), ("Sophia", "Sofia"), ("Ridho", "Rido"),
    ("Khotijah", "Hotijah"), ("Yudhi Setiawan", "Yudi Setiawan"), ("Andy Wijaya", "Andi Wijaya"), ("Hendry", "Hendri"),
    ("Dhani", "Dani"), ("Thoha", "Toha"), ("Chusnul", "Husnul"), ("Chairul Tanjung", "Khairul Tanjung"),
    ("Rahmat", "Rahmad"), ("Ikhsan", "Ihsan"), ("Zulkifly", "Zulkifli"), ("Syafiq", "Syafik"),
    ("Nurul Fadhilah", "Nurul Fadilah"), ("Shodiq", "Sodiq"))
add(M, "gabungan", ("Hj. Sitti Nur’aini", "Siti Nur Aini"), ("H. Moch. Djamaluddin", "Muhammad Jamaludin"),
    ("Abdurrahman Wahid", "Abdul Rahman Wahid"), ("Abdussalam", "Abdul Salam"), ("Abdurrohim", "Abdul Rohim"),
    ("Drs. H. Soedjono", "Sujono"), ("Ibu Hj. Siti Khodijah", "Siti Hodijah"), ("MOCH. TJAHJONO", "Muhammad Cahyono"),
    ("Nur’ Aini", "Nuraini"), ("siti  nur  aini", "SITI NURAINI"), ("Rizqy Ramadhan", "Rizki Ramadan"),
    ("Moh. Abdullah", "Muhammad Abdulah"), ("St. Aminah", "Siti Aminah"), ("Ahmad Syafi’i, S.Pd.", "Achmad Syafii"),
    ("Fathurrahman", "Fatur Rahman"), ("Nurul Qomariyah", "Nurul Komariyah"), ("Dewi Sri Rahayoe", "Dewi Sri Rahayu"),
    ("José Rizal", "Jose Rizal"), ("Andrè", "Andre"), ("Sri Soemarni", "Sri Sumarni"))
add(M, "inisial", ("A. Rahman", "Abdul Rahman"), ("Siti R.", "Siti Rahayu"), ("S. Wahyuni", "Sri Wahyuni"),
    ("B. Santoso", "Budi Santoso"), ("Agus S.", "Agus Salim"), ("Dwi A. Putri", "Dwi Ayu Putri"))
add(M, "sulit_dilewatkan", ("Aminah", "Siti Aminah"), ("Rahmat", "Rohmat"), ("Wahyu", "Wahyoe"), ("Slamet", "Selamet"),
    ("Sumiyati", "Sumiati"), ("Eny Susanti", "Eni Susanti"), ("Yuliana", "Juliana"), ("Iin Indrawati", "Iin Indrawaty"),
    ("Mujiono", "Mujiyono"), ("Kasiyem", "Kasiem"), ("Yusuf", "Yusup"),
    ("Umi Kalsum", "Umi Kulsum"), ("Zaki Mubarok", "Zaki Mubarak"))

# --- Different people -------------------------------------------------------------------------
add(N, "nama_lain", ("Siti Aminah", "Siti Rahayu"), ("Budi Santoso", "Budi Setiawan"), ("Agus Salim", "Agus Setiawan"),
    ("Sri Wahyuni", "Sri Mulyani"), ("Nur Aini", "Nur Hayati"), ("Muhammad Rizki", "Muhammad Ridwan"),
    ("Ahmad Fauzi", "Ahmad Fauzan"), ("Dewi Lestari", "Dewi Sartika"), ("Eko Prasetyo", "Eko Purnomo"),
    ("Joko Widodo", "Joko Susilo"), ("Sukarno", "Suharto"), ("Slamet Riyadi", "Slamet Rahardjo"),
    ("Siti Khotijah", "Siti Kholifah"), ("Abdul Karim", "Abdul Kadir"), ("Nur Kholis", "Nur Kholik"),
    ("Rina Wati", "Rini Wati"), ("Sumiati", "Sumiyem"), ("Suparman", "Suparmin"), ("Sutomo", "Sutono"),
    ("Wahyudi", "Wahyuni"), ("Hasan Basri", "Husin Basri"), ("Fatimah", "Fatonah"), ("Yusuf", "Yunus"),
    ("Rohmah", "Rohimah"), ("Nurjanah", "Nurhayati"), ("Mulyono", "Mulyadi"), ("Cahyono", "Cahyadi"),
    ("Junaedi", "Junaidah"), ("Sarimin", "Sarinah"), ("Kasimin", "Kasiman"), ("Hartono", "Hartini"),
    ("Sugiarto", "Sugianto"), ("Tri Wahyuni", "Dwi Wahyuni"), ("Eka Putri", "Eka Putra"), ("Dwi Astuti", "Tri Astuti"),
    ("Siti Fatimah", "Siti Fatonah"), ("Ahmad Dahlan", "Ahmad Dahri"),
    ("Nur Rohmah", "Nur Rohim"), ("Bambang Sutrisno", "Bambang Sutrisna"), ("Heru Prasetyo", "Heri Prasetyo"),
    ("Mansur", "Manshuri"), ("Ridwan", "Ridwani"), ("Imron Rosyadi", "Imron Rosidi"),
    ("Lailatul Qodriyah", "Lailatul Fitriyah"), ("Ika Nurfitriani", "Ika Nurfitria"), ("Nur Afni", "Nur Afifah"),
    ("Endang Sri", "Endang Sari"), ("Agus", "Agung"), ("Wati", "Watini"), ("Ani", "Ana"), ("Ida", "Ita"),
    ("Puji Astuti", "Puji Lestari"), ("Hadi Susanto", "Hadi Sutanto"), ("Rudi Hartono", "Rudy Hartanto"),
    ("Yanti", "Yati"), ("Sulastri", "Sulastini"), ("Paijo", "Paimin"), ("Tukiyem", "Tukinem"))
add(N, "akhiran_h", ("Siti Aminah", "Siti Amina"), ("Fatimah", "Fatima"), ("Zulaikha", "Zulaika"), ("Aisyah", "Aisya"),
    ("Nur Azizah", "Nur Aziza"), ("Rohimah", "Rohima"), ("Salmah", "Salma"), ("Khodijah", "Khodija"),
    ("Halimah", "Halima"), ("Maimunah", "Maimuna"), ("Nafisah", "Nafisa"), ("Zahrah", "Zahra"),
    ("Latifah", "Latifa"), ("Sarah", "Sara"), ("Hamidah", "Hamida"))
add(N, "nama_tambahan", ("Siti Aminah", "Siti Aminah Rahayu"), ("Budi", "Budi Santoso"), ("Nur Aini", "Nur Aini Lestari"),
    ("Agus Salim", "Agus Salim Hidayat"), ("Ahmad", "Ahmad Fauzi"), ("Muhammad Rizki", "Muhammad Rizki Ramadhan"),
    ("Dewi", "Dewi Sartika"), ("Eko", "Eko Prasetyo"), ("Sri Wahyuni", "Sri Wahyuningsih"), ("Rahmat", "Rahmat Hidayat"),
    ("Rizki", "Muhammad Rizki"), ("Abdul Rahman", "Abdul Rahman Saleh"))
add(N, "urutan_beda", ("Nur Aini Siti", "Siti Nur Aini"), ("Ahmad Yusuf", "Yusuf Ahmad"), ("Hadi Prasetyo", "Prasetyo Hadi"),
    ("Rahman Abdul", "Abdul Rahman"), ("Putri Dewi", "Dewi Putri"), ("Santoso Budi", "Budi Santoso"))
add(N, "jenis_kelamin", ("Putra Pratama", "Putri Pratama"), ("Dian Saputra", "Dian Saputri"), ("Wahyudi", "Wahyudiah"),
    ("Rahmat", "Rahmawati"), ("Hendra", "Hendri Yani"), ("Joko", "Jokowati"), ("Suryanto", "Suryanti"),
    ("Sumarno", "Sumarni"), ("Setiawan", "Setiawati"), ("Kurniawan", "Kurniawati"), ("Handoko", "Handayani"),
    ("Susanto", "Susanti"), ("Mulyadi", "Mulyani"), ("Yanto", "Yanti"), ("Sukardi", "Sukarti"))
add(N, "mirip_huruf", ("Nur Aini", "Nur Aina"), ("Agus Salim", "Agus Salam"), ("Aminah", "Aminat"),
    ("Sholeh", "Soleha"), ("Rohim", "Rohman"), ("Karim", "Karin"), ("Hamid", "Hamdi"), ("Rizal", "Rizki"),
    ("Jamal", "Kamal"), ("Salim", "Halim"), ("Tono", "Toni"), ("Yuni", "Yani"), ("Sari", "Sali"), ("Nina", "Nana"),
    ("Darto", "Dartu"), ("Sutini", "Sutina"), ("Marni", "Murni"), ("Wati", "Weti"), ("Lilis", "Lili"),
    ("Rini", "Rina"), ("Kusnadi", "Kusnandi"), ("Nanik", "Nani"), ("Darmi", "Darmo"),
    ("Supri", "Supra"), ("Siti Amanah", "Siti Aminah"), ("Muhammad Ali", "Muhammad Alif"), ("Jumini", "Jumiati"),
    ("Sumini", "Sumina"), ("Wagiman", "Wagimin"))
add(N, "muhammad_lain", ("Muhammad Rizki", "Mahmud Rizki"), ("Moh. Ali", "Mahmud Ali"), ("Mochtar", "Muhammad Tar"),
    ("Mohan", "Muhammad"), ("Muhaimin", "Muhammad Imin"), ("Mahdi", "Muhammad Di"), ("M. Rizki", "Rizki"),
    ("Muhsin", "Muhammad Sin"))
add(N, "tabrakan_aturan", ("Nur Aini", "Nurani"), ("Padmi", "Patmi"), ("Rafi", "Rapi"),
    ("Rahmad Hidayat", "Rahmat Hidayah"), ("Sadiyah", "Sadiq"), ("Hadi", "Hadid"), ("Anis", "Annisa"),
    ("Ani Sa", "Anisa Putri"), ("Sri Ani", "Sriana"), ("Dewi Ayu", "Dewaayu"))
add(M, "sulit_dilewatkan", ("Nadia", "Nadya"), ("Yanti", "Yantie"), ("Kholifah", "Khalifah"))
add(N, "gelar_lain", ("H. Budi", "Budi H."), ("Haji Mansur", "Hajar Mansur"), ("Ibu Sumiati", "Ibnu Sumiati"),
    ("Drs. Suparman", "Dras Suparman"), ("Sdr. Agus", "Sudar Agus"), ("Ny. Suwarni", "Nyi Suwarni"))

w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["name_a", "name_b", "label", "kind"])
for row in rows:
    w.writerow(row)
