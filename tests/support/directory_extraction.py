"""A realistic, deterministic ``Extraction_Correspondance_MSSante`` generator (spec §7).

Used by the directory tests and by ``bench/directory_bench.py``. The shape follows the real
extraction: 31 ``|``-separated columns under the published header, about 85 % PER boxes of
professionals (RPPS, some ADELI), 15 % ORG boxes of hospitals, practices and services, a few
CAB boxes; French names with accents, apostrophes, hyphens and particles; professionals with
several boxes; the same address repeated on several lines (one per situation); empty fields;
and optionally a BOM, CRLF line ends and malformed lines (wrong column count, no address,
unknown type, bytes that are not UTF-8).

Nothing here is real data: names are drawn from common French surnames and syllables, numbers
from counters.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path


def _split(text: str) -> tuple[str, ...]:
    """Values written compactly, ``|``-separated over several lines."""
    return tuple(v.strip() for v in " ".join(text.split("\n")).split("|") if v.strip())


def _town(item: str) -> tuple[str, str, str]:
    town, postcode, department = item.split(",")
    return town, postcode, department


HEADER: tuple[str, ...] = (
    "Type de BAL",
    "Adresse BAL",
    "Type Identifiant PP",
    "Identifiant PP",
    "Identification nationale PP",
    "Type identifiant structure",
    "Identification Structure",
    "Service de rattachement",
    "Civilité d'exercice",
    "Nom d'exercice",
    "Prénom d'exercice",
    "Catégorie profession",
    "Libellé de catégorie profession",
    "Code Profession",
    "Libellé Profession",
    "Code savoir-faire",
    "Libellé savoir-faire",
    "Dématérialisation",
    "Raison Sociale structure BAL",
    "Enseigne commerciale structure BAL",
    "L2COMPLEMENTLOCALISATION structure BAL",
    "L3COMPLEMENTDISTRIBUTION structure BAL",
    "L4NUMEROVOIE structure BAL",
    "L4COMPLEMENTNUMEROVOIE structure BAL",
    "NL4TYPEVOIE structure BAL",
    "L4LIBELLEVOIE structure BAL",
    "L5LIEUDITMENTION structure BAL",
    "L6LIGNEACHEMINEMENT structure BAL",
    "Code postal structure BAL",
    "Département structure BAL",
    "Pays structure BAL",
)
COLUMN = {name: i for i, name in enumerate(HEADER)}

COMMON_SURNAMES: tuple[str, ...] = _split(
    """
MARTIN|BERNARD|THOMAS|PETIT|ROBERT|RICHARD|DURAND|DUBOIS|MOREAU|LAURENT|SIMON|MICHEL|
LEFEBVRE|LEROY|ROUX|DAVID|BERTRAND|MOREL|FOURNIER|GIRARD|BONNET|DUPONT|LAMBERT|FONTAINE|
ROUSSEAU|VINCENT|MULLER|LEFÈVRE|FAURE|ANDRÉ|MERCIER|BLANC|GUÉRIN|BOYER|GARNIER|CHEVALIER|
FRANÇOIS|LEGRAND|GAUTHIER|GARCIA|PERRIN|ROBIN|CLÉMENT|MORIN|NICOLAS|HENRY|ROUSSEL|MATHIEU|
GAUTIER|MASSON|MARCHAND|DUVAL|DENIS|DUMONT|MARIE|LEMAIRE|NOËL|MEYER|DUFOUR|MEUNIER|BRUN|
BLANCHARD|GIRAUD|JOLY|RIVIÈRE|LUCAS|BRUNET|GAILLARD|BARBIER|ARNAUD|MARTINEZ|GÉRARD|ROCHE|
RENARD|SCHMITT|ROY|LEROUX|COLIN|VIDAL|CARON|PICARD|ROGER|FABRE|AUBERT|LEMOINE|RENAUD|DUMAS|
LACROIX|OLIVIER|PHILIPPE|BOURGEOIS|PIERRE|BENOÎT|REY|LECLERC|PAYET|ROLLAND|LECLERCQ|
GUILLAUME|LECOMTE|LOPEZ|JEAN|DUPUY|GUILLOT|HUBERT|BERGER|CARPENTIER|SANCHEZ|DUPUIS|MOULIN|
LOUIS|DESCHAMPS|HUET|VASSEUR|PEREZ|BOUCHER|FLEURY|ROYER|KLEIN|JACQUET|ADAM|PARIS|POIRIER|
MARTY|AUBRY|GUYOT|CARRÉ|CHARLES|RENAULT|CHARPENTIER|MÉNARD|MAILLARD|BARON|BERTIN|BAILLY|
HERVÉ|SCHNEIDER|FERNANDEZ|LE GALL|COLLET|LÉGER|BOUVIER|JULIEN|PRÉVOST|MILLET|PERROT|DANIEL|
LE ROUX|COUSIN|GERMAIN|BRETON|BESSON|LANGLOIS|RÉMY|LE GOFF|PELLETIER|LÉVÊQUE|PERRIER|
LEBLANC|BARRÉ|LEBRUN|MARCHAL|WEBER|MALLET|HAMON|BOULANGER|JACOB|MONNIER|MICHAUD|RODRIGUEZ|
GUICHARD|GILLET|ÉTIENNE|GRONDIN|POULAIN|TESSIER|CHEVALLIER|COLLIN|CHAUVIN|DA SILVA|BOUCHET|
GAY|LEMAÎTRE|BÉNARD|MARÉCHAL|HUMBERT|REYNAUD|ANTOINE|HOARAU|PERRET|BARTHÉLEMY|CORDIER|
PICHON|LEJEUNE|GILBERT|LAMY|DELAUNAY|PASQUIER|CARLIER|LAPORTE|D'ALEMBERT|N'DIAYE|
DE LA FONTAINE|L'HUILLIER|D'ANGELO|SAINT-ÉLOI|N'GUYEN|DE SAINT-EXUPÉRY|LE BIHAN|O'NEILL|
MARTIN-DUBOIS|DUPONT-AIGNAN|ÇELIK|ØSTERGAARD|MÜLLER|NGUYEN|TRAN|BEN SAÏD|EL AMRANI
"""
)
GIVEN_NAMES: tuple[str, ...] = _split(
    """
Marie|Jean|Pierre|Michel|Nathalie|Isabelle|Philippe|Sylvie|Catherine|Christophe|Stéphane|
Sébastien|Frédéric|Valérie|Sandrine|Céline|Nicolas|Julien|Laurent|Éric|Hélène|Élodie|Émilie|
Aurélie|Anaïs|Gaëlle|Noël|Chloé|Zoé|Léa|Inès|Maëlle|Loïc|Jérôme|Cécile|Véronique|Benoît|
François|Françoise|Agnès|Thérèse|Adélaïde|Joël|Raphaël|Mickaël|Ève|Jean-Pierre|
Jean-François|Marie-Claire|Anne-Sophie|Pierre-Yves|Jean-Marc|Marie-Hélène|Anne|Claire|
Sophie|Camille|Thomas|Alexandre|Antoine|Guillaume|Mathieu|Olivier|Vincent|David|Paul|Lucie|
Manon|Pauline|Justine|Mélanie|Caroline|Virginie|Delphine|Karine|Patricia|Brigitte|Martine|
Christine|Dominique|Bernard|Alain|Gérard|Daniel|Patrick|Thierry|Bruno|Yves|Hervé|Fabrice|
Grégory|Jérémy|Maxime|Romain|Kévin|Mélissa|Océane|Clémence|Héloïse|Bérénice|Aïcha|Fatoumata|
Mohamed|Karim|Yasmine|Nadège|Ghislaine|Solène|Amélie|Margaux|Léonie|Jules|Hugo|Louis|Arthur|
Gabriel
"""
)
SYLLABLES_START = _split(
    "BAR|BER|BOU|CHA|CHE|DA|DE|DU|FA|FER|GA|GI|JO|LA|LE|MA|MAR|MO|PA|PE|RO|SA|TA|VA|VI|QUE|TRI|GRAN"
)
SYLLABLES_MIDDLE = ("RI", "LO", "VE", "NE", "RA", "MI", "TI", "BEL", "GAL", "CHON", "DEL", "")
SYLLABLES_END = _split("ARD|AULT|EAU|ET|IER|IN|ON|OT|OUX|ÈS|EL|AIS|ÈRE|AC|Y|EZ|ÉE|IAC")

#: (code, label, weight, liberal domain, id type: "8" RPPS / "0" ADELI, specialities)
PROFESSIONS: tuple[tuple[str, str, float, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "10",
        "Médecin",
        0.40,
        "medecin.mssante.fr",
        "8",
        (
            ("SM26", "Qualifié en Médecine Générale"),
            ("SM26", "Qualifié en Médecine Générale"),
            ("SM26", "Qualifié en Médecine Générale"),
            ("SM04", "Cardiologie et maladies vasculaires"),
            ("SM54", "Pédiatrie"),
            ("SM15", "Gynécologie-obstétrique"),
            ("SM42", "Psychiatrie"),
            ("SM53", "Pneumologie"),
            ("SM01", "Anesthésie-réanimation"),
            ("SM08", "Dermatologie et vénéréologie"),
            ("SM19", "Gastro-entérologie et hépatologie"),
            ("SM38", "Ophtalmologie"),
            ("SM44", "Radio-diagnostic"),
            ("SM51", "Rhumatologie"),
            ("SM33", "Neurologie"),
            ("SM36", "Oto-rhino-laryngologie"),
            ("SM55", "Endocrinologie, diabète, maladies métaboliques"),
            ("SM43", "Chirurgie orthopédique et traumatologie"),
            ("SM50", "Néphrologie"),
            ("SM57", "Médecine d'urgence"),
        ),
    ),
    ("60", "Infirmier", 0.25, "infirmier.mssante.fr", "8", ()),
    ("70", "Masseur-kinésithérapeute", 0.08, "masseur-kinesitherapeute.mssante.fr", "8", ()),
    (
        "21",
        "Pharmacien",
        0.08,
        "pharmacien.mssante.fr",
        "8",
        (("SP01", "Biologie médicale"), ("", "")),
    ),
    (
        "40",
        "Chirurgien-Dentiste",
        0.06,
        "chirurgien-dentiste.mssante.fr",
        "8",
        (("SCD01", "Orthopédie dento-faciale"), ("", ""), ("", "")),
    ),
    ("50", "Sage-Femme", 0.04, "sagefemme.mssante.fr", "8", ()),
    ("91", "Orthophoniste", 0.03, "orthophoniste.mssante.fr", "0", ()),
    ("80", "Pédicure-Podologue", 0.02, "pedicure-podologue.mssante.fr", "8", ()),
    ("93", "Psychologue", 0.02, "psychologue.mssante.fr", "0", ()),
    ("92", "Orthoptiste", 0.01, "orthoptiste.mssante.fr", "0", ()),
    ("26", "Audioprothésiste", 0.01, "audioprothesiste.mssante.fr", "0", ()),
)

#: (town, postcode, department)
TOWNS: tuple[tuple[str, str, str], ...] = (
    *((f"PARIS {n}", f"750{n:02d}", "75") for n in range(1, 21)),
    *((f"MARSEILLE {n}", f"130{n:02d}", "13") for n in range(1, 17)),
    *((f"LYON {n}", f"6900{n}", "69") for n in range(1, 10)),
    *(
        _town(item)
        for item in _split(
            """
Toulouse,31000,31|Nice,06000,06|Nantes,44000,44|Strasbourg,67000,67|Montpellier,34000,34|
Bordeaux,33000,33|Lille,59000,59|Rennes,35000,35|Reims,51100,51|Le Havre,76600,76|
Saint-Étienne,42000,42|Toulon,83000,83|Grenoble,38000,38|Dijon,21000,21|Angers,49000,49|
Nîmes,30000,30|Villeurbanne,69100,69|Clermont-Ferrand,63000,63|Le Mans,72000,72|
Aix-en-Provence,13090,13|Brest,29200,29|Tours,37000,37|Amiens,80000,80|Limoges,87000,87|
Annecy,74000,74|Perpignan,66000,66|Boulogne-Billancourt,92100,92|Metz,57000,57|
Besançon,25000,25|Orléans,45000,45|Saint-Denis,97400,974|Argenteuil,95100,95|Rouen,76000,76|
Mulhouse,68100,68|Montreuil,93100,93|Caen,14000,14|Nancy,54000,54|Saint-Paul,97460,974|
Tourcoing,59200,59|Roubaix,59100,59|Nanterre,92000,92|Vitry-sur-Seine,94400,94|
Avignon,84000,84|Créteil,94000,94|Dunkerque,59140,59|Poitiers,86000,86|
Asnières-sur-Seine,92600,92|Versailles,78000,78|Fort-de-France,97200,972|
Aulnay-sous-Bois,93600,93|Saint-Pierre,97410,974|Rueil-Malmaison,92500,92|Pau,64000,64|
Béziers,34500,34|La Rochelle,17000,17|Saint-Maur-des-Fossés,94100,94|Cannes,06400,06|
Calais,62100,62|Saint-Nazaire,44600,44|Mérignac,33700,33|Colmar,68000,68|Ajaccio,20000,2A|
Bastia,20200,2B|Issy-les-Moulineaux,92130,92|Quimper,29000,29|Valence,26000,26|
Bourges,18000,18|L'Haÿ-les-Roses,94240,94|Villeneuve-d'Ascq,59650,59|Saint-Quentin,02100,02|
Troyes,10000,10|Châlons-en-Champagne,51000,51|Chambéry,73000,73|Niort,79000,79|
Lorient,56100,56|Vénissieux,69200,69|Évry-Courcouronnes,91000,91|Cayenne,97300,973|
Pointe-à-Pitre,97110,971|Mamoudzou,97600,976|Le Puy-en-Velay,43000,43|
Bourg-en-Bresse,01000,01|Saint-Brieuc,22000,22|Épinal,88000,88|Périgueux,24000,24|
Agen,47000,47|Montauban,82000,82|Albi,81000,81|Rodez,12000,12|Tarbes,65000,65|
Mont-de-Marsan,40000,40|Foix,09000,09|Carcassonne,11000,11|Digne-les-Bains,04000,04|
Gap,05000,05|Mende,48000,48|Aurillac,15000,15|Guéret,23000,23|Moulins,03000,03|
Nevers,58000,58|Auxerre,89000,89|Bar-le-Duc,55000,55|Vesoul,70000,70|
Lons-le-Saunier,39000,39|Belfort,90000,90|Laon,02000,02|Beauvais,60000,60|Arras,62000,62|
Évreux,27000,27|Alençon,61000,61|Saint-Lô,50000,50|Laval,53000,53|La Roche-sur-Yon,85000,85|
Angoulême,16000,16|Châteauroux,36000,36|Blois,41000,41|Chartres,28000,28|Melun,77000,77|
Bobigny,93000,93|Vannes,56000,56|Saint-Malo,35400,35|Cholet,49300,49|Sète,34200,34|
Arles,13200,13|Fréjus,83600,83|Bayonne,64100,64|Saint-Germain-en-Laye,78100,78|
Villefranche-sur-Saône,69400,69
"""
        )
    ),
)
STRUCTURE_KINDS: tuple[str, ...] = (
    "CENTRE HOSPITALIER DE {town}",
    "CHU DE {town}",
    "CLINIQUE SAINT-{saint}",
    "CLINIQUE DU PARC",
    "EHPAD LES {tree}",
    "CENTRE DE SANTÉ {saint}",
    "LABORATOIRE DE BIOLOGIE MÉDICALE {town}",
    "PHARMACIE DE L'HÔTEL DE VILLE",
    "MAISON DE SANTÉ PLURIPROFESSIONNELLE {town}",
    "CENTRE MÉDICO-PSYCHOLOGIQUE {town}",
    "GHT {town}",
    "CABINET DE RADIOLOGIE D'{town}",
)
SAINTS = ("JOSEPH", "LUC", "MARTIN", "ÉLOI", "ANNE", "GEORGES", "MICHEL", "JEAN", "HÉLÈNE")
TREES = ("TILLEULS", "CHÊNES", "ÉRABLES", "PEUPLIERS", "GLYCINES", "HORTENSIAS")
SERVICES: tuple[str, ...] = (
    "Cardiologie",
    "Urgences",
    "Secrétariat médical",
    "Pneumologie",
    "Maternité",
    "Pharmacie à usage intérieur",
    "Laboratoire de biologie",
    "Imagerie médicale",
    "Service social",
    "Direction des soins",
    "Bureau des entrées",
    "Oncologie",
    "Néphrologie",
    "Consultations externes",
    "Soins de suite et de réadaptation",
    "Gériatrie",
    "Protection maternelle et infantile",
    "Chirurgie orthopédique",
    "Médecine interne",
    "Hépato-gastro-entérologie",
    "Pédiatrie",
    "Psychiatrie adulte",
    "Réanimation",
    "",
)
STREET_TYPES = ("R", "AV", "BD", "PL", "CHE", "RTE", "ALL", "IMP", "QUAI")
STREET_NAMES = (
    "DE LA RÉPUBLIQUE",
    "VICTOR HUGO",
    "JEAN JAURÈS",
    "DU GÉNÉRAL DE GAULLE",
    "PASTEUR",
    "DES ÉCOLES",
    "DE L'HÔPITAL",
    "SAINT-EXUPÉRY",
    "D'ALSACE-LORRAINE",
    "DU 8 MAI 1945",
    "GAMBETTA",
    "DE LA GARE",
    "DES LILAS",
    "CLAUDE BERNARD",
    "ANATOLE FRANCE",
)


@dataclass
class GeneratedExtraction:
    """What was written, for the tests to check an import against."""

    path: Path
    lines: int = 0
    valid_lines: int = 0
    malformed: Counter[str] = field(default_factory=Counter)
    addresses: set[str] = field(default_factory=set)
    persons: set[str] = field(default_factory=set)
    by_type: Counter[str] = field(default_factory=Counter)
    duplicate_lines: int = 0

    @property
    def mailboxes(self) -> int:
        """Distinct addresses among the valid lines."""
        return len(self.addresses)


def slug(text: str) -> str:
    """ASCII lower-case with dots for separators, as operators build local parts."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_text = ascii_text.replace("Ø", "O").replace("ø", "o")
    out = []
    for char in ascii_text.lower():
        out.append(char if char.isascii() and char.isalnum() else "-")
    return "-".join(part for part in "".join(out).split("-") if part)


def _synthetic_surnames(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        base = (
            rng.choice(SYLLABLES_START) + rng.choice(SYLLABLES_MIDDLE) + rng.choice(SYLLABLES_END)
        )
        roll = rng.random()
        if roll < 0.06:
            base = f"{base}-{rng.choice(SYLLABLES_START)}{rng.choice(SYLLABLES_END)}"
        elif roll < 0.10:
            base = f"{rng.choice(('LE', 'DE', 'DU', 'DE LA'))} {base}"
        elif roll < 0.13 and base[0] in "AEIOU":
            base = f"D'{base}"
        elif roll < 0.20:
            base = f"{base}{rng.choice(SYLLABLES_END)}"
        if base not in seen:
            seen.add(base)
            names.append(base)
    return names


class ExtractionGenerator:
    """Draws extraction lines; the same seed always gives the same file."""

    def __init__(self, seed: int = 5, *, scale: int = 536_000) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        # About the national file's variety at full scale; less for the tests' small files.
        self.synthetic = _synthetic_surnames(rng, max(500, min(40_000, scale // 13)))
        self.common_weights = [1.0 / (i + 10) for i in range(len(COMMON_SURNAMES))]
        self.profession_weights = [p[2] for p in PROFESSIONS]
        self.structures = [self._structure(i) for i in range(max(50, min(6_000, scale // 90)))]
        self._rpps = 10_000_000_000
        self._adeli = 10_000_000
        self._addresses: set[str] = set()

    def _structure(self, index: int) -> tuple[str, str, str, str, str, str, str]:
        """(name, FINESS, domain, street, postcode, town, department)."""
        rng = self.rng
        town, postcode, department = rng.choice(TOWNS)
        kind = rng.choice(STRUCTURE_KINDS)
        name = kind.format(town=town.upper(), saint=rng.choice(SAINTS), tree=rng.choice(TREES))
        finess = f"{department[:2]:0>2}{index:07d}"
        domain_root = slug(name.split(" DE ")[-1] if " DE " in name else name)[:24]
        prefix = "ch" if "HOSPITALIER" in name else "chu" if "CHU" in name else "ght"
        domain = (
            f"{prefix}-{domain_root}-{index}.mssante.fr"
            if rng.random() < 0.7
            else f"{slug(name)[:20]}.mssante.fr"
        )
        street = self._street(250, ("", "", "", "B", "T"))
        return (name, finess, domain, street, postcode, town, department)

    def _street(self, highest: int, extras: tuple[str, ...]) -> str:
        """The four street fields (number, repetition, type, name), ``|``-joined."""
        rng = self.rng
        number = str(rng.randint(1, highest))
        extra = rng.choice(extras) if extras else ""
        return "|".join((number, extra, rng.choice(STREET_TYPES), rng.choice(STREET_NAMES)))

    def surname(self) -> str:
        rng = self.rng
        if rng.random() < 0.12:
            return rng.choices(COMMON_SURNAMES, weights=self.common_weights)[0]
        name = rng.choice(self.synthetic)
        if rng.random() < 0.3:  # accents are sometimes dropped in capitals
            name = slug(name).upper().replace("-", " ") if " " in name else name
        return name

    def _unique(self, local: str, domain: str) -> str:
        address = f"{local}@{domain}"
        n = 1
        while address in self._addresses:
            n += 1
            address = f"{local}{n}@{domain}"
        self._addresses.add(address)
        return address

    def _locality(self, postcode: str, town: str) -> str:
        cedex = " CEDEX" if self.rng.random() < 0.05 else ""
        return f"{postcode} {slug(town).upper().replace('-', ' ')}{cedex}"

    def person_lines(self) -> list[list[str]]:
        """The lines of one professional: one box, sometimes several, sometimes repeated."""
        rng = self.rng
        profession = rng.choices(PROFESSIONS, weights=self.profession_weights)[0]
        code, label, _, domain, id_type, specialities = profession
        if id_type == "8" or rng.random() < 0.3:
            self._rpps += rng.randint(1, 40)
            id_type, id_pp = "8", str(self._rpps)
        else:
            self._adeli += rng.randint(1, 40)
            id_pp = f"{self._adeli:09d}"
        family = self.surname()
        given = "" if rng.random() < 0.005 else rng.choice(GIVEN_NAMES)
        civility = rng.choice(("DR", "DR", "M", "MME")) if code in ("10", "40") else ""
        speciality = rng.choice(specialities) if specialities else ("", "")
        local = f"{slug(given)}.{slug(family)}" if given else slug(family)
        lines = []
        liberal = rng.random() < 0.55
        structure = rng.choice(self.structures)
        boxes: list[tuple[str, str, tuple[str, ...] | None]] = []
        if liberal:
            boxes.append(("PER", self._unique(local, domain), None))
        else:
            boxes.append(("PER", self._unique(local, structure[2]), structure))
        if rng.random() < 0.12:  # a second box at a hospital
            other = rng.choice(self.structures)
            boxes.append(("PER", self._unique(local, other[2]), other))
        if liberal and rng.random() < 0.01:
            boxes.append(("CAB", self._unique(f"cabinet.{slug(family)}", domain), None))
        for box_type, address, where in boxes:
            if where is None:
                town, postcode, department = rng.choice(TOWNS)
                organisation = f"CABINET DU DR {family}" if rng.random() < 0.4 else ""
                where_id, street = "", self._street(120, ())
            else:
                organisation, where_id, _, street, postcode, town, department = where
            if rng.random() < 0.01:
                postcode = ""
            line = [
                box_type,
                address,
                id_type,
                id_pp,
                f"{id_type}{id_pp}",
                "1" if where_id else "",
                where_id,
                "",
                civility,
                family,
                given,
                "C",
                "Civil",
                code,
                label,
                speciality[0],
                speciality[1],
                rng.choice(("True", "False", "True")),
                organisation,
                "",
                "",
                "",
                *street.split("|"),
                "",
                self._locality(postcode, town) if postcode else slug(town).upper(),
                postcode,
                department,
                "France" if rng.random() < 0.5 else "",
            ]
            lines.append(line)
        if rng.random() < 0.015:  # the same address on another line (another situation)
            again = list(lines[0])
            other = rng.choice(self.structures)
            again[COLUMN["Raison Sociale structure BAL"]] = other[0]
            again[COLUMN["Identification Structure"]] = other[1]
            if specialities:
                extra = rng.choice(specialities)
                again[COLUMN["Code savoir-faire"]] = extra[0]
                again[COLUMN["Libellé savoir-faire"]] = extra[1]
            lines.append(again)
        return lines

    def org_line(self) -> list[str]:
        """One organisational box of a structure's service."""
        rng = self.rng
        name, finess, domain, street, postcode, town, department = rng.choice(self.structures)
        service = rng.choice(SERVICES)
        local = slug(service) or "contact"
        if rng.random() < 0.4:
            local = f"secretariat.{local}"
        box_type = "APP" if rng.random() < 0.002 else "ORG"
        return [
            box_type,
            self._unique(local, domain),
            "",
            "",
            "",
            "1",
            finess,
            service,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            rng.choice(("True", "False")),
            name,
            name.title() if rng.random() < 0.1 else "",
            "BATIMENT B" if rng.random() < 0.1 else "",
            "",
            *street.split("|"),
            "",
            self._locality(postcode, town),
            postcode,
            department,
            "France",
        ]

    def lines(self, count: int, *, org_share: float = 0.15) -> Iterator[list[str]]:
        """At least `count` valid lines (a professional's lines are never split)."""
        made = 0
        while made < count:
            batch = [self.org_line()] if self.rng.random() < org_share else self.person_lines()
            made += len(batch)
            yield from batch

    def malformed_line(self, valid: list[str]) -> tuple[bytes, str]:
        """A broken line and the reason an importer should give."""
        rng = self.rng
        kind = rng.choice(("columns", "columns", "address", "type", "encoding"))
        broken = list(valid)
        if kind == "columns":
            if rng.random() < 0.5:
                broken = broken[: rng.randint(3, 25)]
            else:
                broken.insert(10, "EXTRA")
                broken[-1] = "France"
            return "|".join(broken).encode("utf-8"), "columns"
        if kind == "address":
            broken[1] = rng.choice(("", "sans-arobase.mssante.fr", "a@b@c.fr"))
            return "|".join(broken).encode("utf-8"), "address"
        if kind == "type":
            broken[0] = rng.choice(("", "XYZ", "PERSO"))
            return "|".join(broken).encode("utf-8"), "type"
        broken[9] = "LÉVÊQUE"
        return "|".join(broken).encode("latin-1", errors="replace"), "encoding"


def write_extraction(
    path: Path,
    rows: int,
    *,
    seed: int = 5,
    bom: bool = False,
    crlf: bool = False,
    malformed: int = 0,
    blank_lines: int = 0,
    org_share: float = 0.15,
    extra: Sequence[Sequence[str]] = (),
    header: Sequence[str] | None = HEADER,
) -> GeneratedExtraction:
    """Write an extraction of about `rows` valid lines (plus `extra` lines, then broken ones).

    Args:
        path: where to write (the name should be ``Extraction_Correspondance_MSSante_…``).
        rows: valid generated lines (a little more: a person's lines stay together).
        seed: the same seed writes the same file.
        bom: start with a UTF-8 byte order mark.
        crlf: end lines with CR LF.
        malformed: broken lines scattered through the file.
        blank_lines: empty lines scattered through the file (ignored by importers).
        extra: hand-written valid lines (31 fields each) placed first.
        header: the header line, or None for a file without one.
    """
    generator = ExtractionGenerator(seed, scale=rows)
    rng = random.Random(seed + 1)
    end = b"\r\n" if crlf else b"\n"
    result = GeneratedExtraction(path)
    bad_at = set(rng.sample(range(1, rows + 1), min(malformed, rows))) if malformed else set()
    blank_at = set(rng.sample(range(1, rows + 1), min(blank_lines, rows))) if blank_lines else set()
    with path.open("wb") as out:
        if bom:
            out.write(b"\xef\xbb\xbf")
        if header is not None:
            out.write("|".join(header).encode("utf-8") + end)
            result.lines += 1

        def emit(fields: Sequence[str]) -> None:
            out.write("|".join(fields).encode("utf-8") + end)
            result.lines += 1
            result.valid_lines += 1
            address = fields[1].lower()
            if address in result.addresses:
                result.duplicate_lines += 1
            else:
                result.addresses.add(address)
                result.by_type[fields[0]] += 1
            if fields[4]:
                result.persons.add(fields[4])

        for fields in extra:
            emit(fields)
        for index, fields in enumerate(generator.lines(rows, org_share=org_share), start=1):
            if index in bad_at:
                data, reason = generator.malformed_line(fields)
                out.write(data + end)
                result.lines += 1
                result.malformed[reason] += 1
            if index in blank_at:
                out.write(end)
                result.lines += 1
            emit(fields)
    return result


def person_line(
    *,
    address: str,
    family: str,
    given: str,
    rpps: str = "",
    adeli: str = "",
    mailbox_type: str = "PER",
    profession: tuple[str, str] = ("10", "Médecin"),
    speciality: tuple[str, str] = ("", ""),
    organisation: str = "",
    service: str = "",
    town: str = "",
    postcode: str = "",
    department: str = "",
    digitization: str = "True",
) -> list[str]:
    """A hand-written line for a professional's box (tests pick the values they query)."""
    id_type, id_pp = ("8", rpps) if rpps else ("0", adeli) if adeli else ("", "")
    return [
        mailbox_type,
        address,
        id_type,
        id_pp,
        f"{id_type}{id_pp}" if id_pp else "",
        "",
        "",
        service,
        "DR" if profession[0] == "10" else "",
        family,
        given,
        "C",
        "Civil",
        profession[0],
        profession[1],
        speciality[0],
        speciality[1],
        digitization,
        organisation,
        "",
        "",
        "",
        "3",
        "",
        "R",
        "DE LA PAIX",
        "",
        f"{postcode} {town.upper()}".strip(),
        postcode,
        department,
        "France",
    ]


def structure_line(
    *,
    address: str,
    organisation: str,
    service: str,
    town: str,
    postcode: str,
    mailbox_type: str = "ORG",
    finess: str = "690000001",
) -> list[str]:
    """A hand-written line for a structure's box."""
    return [
        mailbox_type,
        address,
        "",
        "",
        "",
        "1",
        finess,
        service,
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "True",
        organisation,
        "",
        "",
        "",
        "1",
        "",
        "PL",
        "D'ARSONVAL",
        "",
        f"{postcode} {town.upper()}",
        postcode,
        postcode[:2],
        "France",
    ]
