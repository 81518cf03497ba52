#!/usr/bin/env python3
"""Make the member list of the Region Midtjylland example network.

    python3 make-members.py [--count N] [--out FILE]

Writes N fictional members (default 20000) to FILE (default: members.csv next
to this script). The list is the same on every run: the random generator has a
fixed seed and only the standard library is used.

Every member lives in one of the 19 municipalities of Region Midtjylland (a
segment such as `aarhus` or `ringkobing-skjern`, weighted roughly by
population). About 5% are Danish host families (`hosts`, Danish), about 8%
are international guests (`guests`), about 2% have unsubscribed and a few
addresses have bounced. Names come from the languages the members read;
addresses are `firstname.lastname.N@example.org`, unique through N.
"""

import argparse
import bisect
import csv
import random
import sys
import unicodedata
from pathlib import Path

SEED = 20261201

# The 19 municipalities, with weights close to their populations (thousands).
MUNICIPALITIES = [
    ("aarhus", 370), ("randers", 99), ("silkeborg", 100), ("horsens", 96),
    ("viborg", 98), ("herning", 90), ("skanderborg", 65), ("holstebro", 59),
    ("ringkobing-skjern", 57), ("favrskov", 49), ("hedensted", 47),
    ("skive", 46), ("syddjurs", 44), ("ikast-brande", 42), ("norddjurs", 37),
    ("odder", 23), ("struer", 21), ("lemvig", 19), ("samso", 4),
]

# The language members read, for everyone but the hosts (who read Danish).
LANGUAGES = [
    ("da", 22), ("en", 20), ("pl", 10), ("ro", 10), ("uk", 9), ("de", 8),
    ("ar", 7), ("es", 4), ("it", 3), ("fr", 3), ("lt", 2), ("tr", 2),
]

# Names by language. Names in Latin script are written as the language writes
# them; the address is made from them without accents. Names in another script
# are pairs: (as written, as transliterated for the address).
FIRST = {
    "da": ["Anne", "Mette", "Lars", "Søren", "Kirsten", "Jens", "Hanne", "Niels",
           "Birgitte", "Rasmus", "Camilla", "Mads", "Louise", "Frederik", "Ida",
           "Morten", "Sofie", "Anders", "Line", "Kasper", "Signe", "Jørgen",
           "Helle", "Thomas", "Maja", "Esben", "Karen", "Bo", "Trine", "Ole"],
    "en": ["James", "Emily", "Oliver", "Sarah", "Daniel", "Grace", "Michael",
           "Hannah", "Aoife", "Liam", "Rachel", "Samuel", "Kate", "Ethan"],
    "en-in": ["Priya", "Arjun", "Ananya", "Rahul", "Deepa", "Vikram", "Sneha",
              "Karthik"],
    "en-wa": ["Chidi", "Ngozi", "Kwame", "Ama", "Tunde", "Aisha", "Kofi",
              "Folake"],
    "en-ph": ["Maria", "Jose", "Angelica", "Mark", "Rowena", "Jericho"],
    "en-cn": ["Wei", "Mei", "Jun", "Xiaoling", "Hao", "Yan"],
    "de": ["Anna", "Lukas", "Julia", "Jonas", "Lena", "Felix", "Sophie",
           "Maximilian", "Katharina", "Tobias", "Miriam", "Florian", "Jana",
           "Sebastian", "Lea", "Matthias", "Franziska", "Jürgen", "Sabine", "Till"],
    "pl": ["Anna", "Piotr", "Katarzyna", "Tomasz", "Agnieszka", "Łukasz",
           "Magdalena", "Paweł", "Joanna", "Michał", "Małgorzata", "Krzysztof",
           "Ewa", "Marcin", "Aleksandra", "Grzegorz", "Monika", "Jakub",
           "Zofia", "Wojciech"],
    "ro": ["Andrei", "Ioana", "Mihai", "Elena", "Alexandru", "Maria", "Ionuț",
           "Andreea", "Florin", "Cristina", "Gabriel", "Alina", "Răzvan",
           "Mihaela", "Ștefan", "Raluca", "Bogdan", "Irina", "Vlad", "Oana"],
    "uk": [("Олена", "olena"), ("Андрій", "andrii"), ("Ірина", "iryna"),
           ("Тарас", "taras"), ("Оксана", "oksana"), ("Дмитро", "dmytro"),
           ("Наталія", "nataliia"), ("Богдан", "bohdan"), ("Юлія", "yuliia"),
           ("Олександр", "oleksandr"), ("Марія", "mariia"), ("Сергій", "serhii"),
           ("Катерина", "kateryna"), ("Максим", "maksym"), ("Галина", "halyna"),
           ("Віктор", "viktor")],
    "ar": [("ليلى", "layla"), ("يوسف", "yousef"), ("سارة", "sara"),
           ("أحمد", "ahmad"), ("مريم", "maryam"), ("عمر", "omar"),
           ("نور", "nour"), ("خالد", "khaled"), ("رنا", "rana"),
           ("محمد", "mohammad"), ("هبة", "heba"), ("سامر", "samer"),
           ("دانة", "dana"), ("طارق", "tariq"), ("فاطمة", "fatima"),
           ("كريم", "karim")],
    "es": ["Lucía", "Javier", "Carmen", "Pablo", "Marta", "Alejandro", "Elena",
           "Diego", "Laura", "Sergio", "Paula", "Andrés"],
    "it": ["Giulia", "Marco", "Chiara", "Luca", "Francesca", "Matteo", "Sara",
           "Alessandro", "Elisa", "Davide"],
    "fr": ["Camille", "Julien", "Chloé", "Mathieu", "Léa", "Antoine", "Manon",
           "Nicolas", "Élodie", "Thomas"],
    "lt": ["Tomas", "Rūta", "Mantas", "Eglė", "Lukas", "Aistė", "Darius",
           "Ieva", "Justinas", "Greta"],
    "tr": ["Ayşe", "Mehmet", "Elif", "Emre", "Zeynep", "Burak", "Selin",
           "Murat", "Merve", "Can"],
}
LAST = {
    "da": ["Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen",
           "Larsen", "Sørensen", "Rasmussen", "Jørgensen", "Madsen", "Kristensen",
           "Mikkelsen", "Østergaard", "Holm", "Kjær", "Bak", "Vestergaard",
           "Lauridsen", "Dalsgaard", "Brøndum", "Skov", "Thygesen", "Ravn"],
    "en": ["Smith", "Carter", "O'Brien", "Murphy", "Hughes", "Bennett", "Walker",
           "Campbell", "Reid", "Kelly"],
    "en-in": ["Patel", "Sharma", "Iyer", "Nair", "Reddy", "Gupta"],
    "en-wa": ["Okafor", "Adeyemi", "Mensah", "Boateng", "Owusu", "Balogun"],
    "en-ph": ["Santos", "Reyes", "Cruz", "Bautista", "Dela Cruz"],
    "en-cn": ["Chen", "Wang", "Li", "Zhang", "Liu"],
    "de": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker",
           "Hoffmann", "Wagner", "Schulz", "Koch", "Richter", "Krüger",
           "Wolf", "Schäfer", "Neumann", "Braun"],
    "pl": ["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński",
           "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski",
           "Kozłowski", "Jankowski", "Mazur", "Krawczyk", "Piotrowski"],
    "ro": ["Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Stoica", "Gheorghe",
           "Rusu", "Munteanu", "Matei", "Constantin", "Marin", "Tudor", "Dobre",
           "Barbu", "Nistor", "Florea", "Moldovan"],
    "uk": [("Коваленко", "kovalenko"), ("Шевченко", "shevchenko"),
           ("Бондаренко", "bondarenko"), ("Мельник", "melnyk"),
           ("Ткаченко", "tkachenko"), ("Кравченко", "kravchenko"),
           ("Олійник", "oliinyk"), ("Поліщук", "polishchuk"),
           ("Лисенко", "lysenko"), ("Марченко", "marchenko"),
           ("Савченко", "savchenko"), ("Руденко", "rudenko"),
           ("Мороз", "moroz"), ("Гнатюк", "hnatiuk")],
    "ar": [("حداد", "haddad"), ("النجار", "alnajjar"), ("خليل", "khalil"),
           ("حسن", "hassan"), ("الأحمد", "alahmad"), ("سليمان", "suleiman"),
           ("الخطيب", "alkhatib"), ("عيسى", "issa"), ("منصور", "mansour"),
           ("صالح", "saleh"), ("درويش", "darwish"), ("شحادة", "shehadeh"),
           ("العلي", "alali"), ("يوسف", "yousef")],
    "es": ["García", "Fernández", "López", "Martínez", "Sánchez", "Pérez",
           "Gómez", "Ruiz", "Navarro", "Romero"],
    "it": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano",
           "Colombo", "Ricci", "Marino", "Greco"],
    "fr": ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard",
           "Petit", "Durand", "Leroy", "Moreau"],
    "lt": ["Kazlauskas", "Jankauskas", "Petrauskas", "Stankevičius",
           "Vasiliauskas", "Žukauskas", "Butkus", "Paulauskas"],
    "tr": ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın",
           "Öztürk"],
}

# Women's first names where the surname has a feminine form.
FEMALE = {
    "pl": {"Anna", "Katarzyna", "Agnieszka", "Magdalena", "Joanna", "Małgorzata",
           "Ewa", "Aleksandra", "Monika", "Zofia"},
    "lt": {"Rūta", "Eglė", "Aistė", "Ieva", "Greta"},
}

# English readers come from many countries: first and last name from the same one.
ORIGINS = {"en": [("en", 5), ("en-in", 3), ("en-wa", 2), ("en-ph", 2), ("en-cn", 1)]}

# Letters that Unicode decomposition does not reduce to ASCII.
ASCII_FOLD = {"æ": "ae", "ø": "o", "å": "aa", "ß": "ss", "ł": "l", "ı": "i",
              "đ": "d", "'": "", " ": ""}


def ascii_part(text):
    """A name as it can appear in an address: lowercase ASCII letters only."""
    text = "".join(ASCII_FOLD.get(c, c) for c in text.lower())
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isascii() and c.isalnum())


def weighted(rng, pairs):
    """One value from (value, weight) pairs, using only rng.random()."""
    total = 0
    cumulative = []
    for _, weight in pairs:
        total += weight
        cumulative.append(total)
    return pairs[bisect.bisect_right(cumulative, rng.random() * total)][0]


def pick_name(rng, language):
    """(name as written, first name for the address, last name for the address)."""
    origin = weighted(rng, ORIGINS[language]) if language in ORIGINS else language
    first = FIRST[origin][int(rng.random() * len(FIRST[origin]))]
    last = LAST[origin][int(rng.random() * len(LAST[origin]))]
    if isinstance(first, tuple):
        return f"{first[0]} {last[0]}", first[1], last[1]
    if first in FEMALE.get(origin, ()):
        last = feminine(origin, last)
    return f"{first} {last}", ascii_part(first), ascii_part(last)


def feminine(origin, last):
    """A woman's form of a surname in languages that have one (Kowalska, Petrauskienė)."""
    if origin == "pl" and last.endswith(("ski", "cki", "dzki")):
        return last[:-1] + "a"
    if origin == "lt":
        for ending in ("ius", "as", "us", "is"):
            if last.endswith(ending):
                return last[: -len(ending)] + "ienė"
    return last


def members(count, rng):
    for n in range(1, count + 1):
        roll = rng.random()
        if roll < 0.05:
            role, language = "hosts", "da"
        elif roll < 0.13:
            role = "guests"
            language = weighted(rng, [p for p in LANGUAGES if p[0] != "da"])
        else:
            role, language = None, weighted(rng, LANGUAGES)
        name, first, last = pick_name(rng, language)
        segments = [weighted(rng, MUNICIPALITIES)]
        if role:
            segments.append(role)
        roll = rng.random()
        status = "bounced" if roll < 0.003 else "unsubscribed" if roll < 0.023 else "active"
        # A few sign-ups left the language empty: they get the default language.
        written_language = "" if language == "en" and rng.random() < 0.05 else language
        since = 2019 + int(rng.random() * 8)
        yield {
            "email": f"{first}.{last}.{n}@example.org",
            "name": name,
            "language": written_language,
            "segments": ";".join(segments),
            "status": status,
            "member_since": since,
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20000, help="how many members (default 20000)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "members.csv",
                        help="the file to write (default: members.csv next to this script)")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be at least 1")
    rng = random.Random(SEED)
    fields = ["email", "name", "language", "segments", "status", "member_since"]
    with open(args.out, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(members(args.count, rng))
    print(f"wrote {args.count} members to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
