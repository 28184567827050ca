"""A generated, realistic MSSanté mailbox for the benchmarks (deterministic, cached).

Two modes:

- ``full``: the sync benchmark's mailbox. French professional mail (consultation reports,
  prescriptions, laboratory results, nursing notes, imaging reports, discharge letters,
  administrative requests, messages to and from patients), professionals at
  ``prenom.nom@<organisation>.mssante.fr``, patients at ``<valid INS>@patient.mssante.fr``,
  threads (In-Reply-To/References chains, quoted replies), dates over two years, 30 % with a real
  PDF attachment of 50-500 KB (text pages plus an incompressible embedded image, as a scanned
  document has), some multipart/alternative, a few RFC 2047 subjects. 10,000 messages make
  about 1.2 GB.
- ``text``: the search benchmark's mailbox, the same kind of mail without attachments (about
  3 KB a message), also spread over INBOX, Sent and Archive.

The same (mode, count, seed) always gives the same bytes. Generated corpora are cached under
``bench/work/corpus/`` (gitignored): one file of concatenated messages and a JSON index.

Run ``python -m bench.corpus --mode full --messages 10000`` to build (or check) a corpus.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import quopri
import random
import time
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from app.domain.addresses import ins_key

CORPUS_VERSION = 1
WORK = Path(__file__).resolve().parent / "work"
PARIS = ZoneInfo("Europe/Paris")
START = datetime(2023, 7, 1, 8, 0, tzinfo=UTC)
END = datetime(2025, 6, 30, 18, 0, tzinfo=UTC)

OWNER_DOMAIN = "hopital-test.mssante.fr"  # tests/servers/dovecot.py's default domain
OWNER_LOCAL = "claire.morel"
OWNER_ADDRESS = f"{OWNER_LOCAL}@{OWNER_DOMAIN}"
OWNER_NAME = "Dr Claire Morel"

PDF_RATIO = 0.30
PDF_MIN, PDF_MAX = 50 * 1024, 500 * 1024
ALTERNATIVE_RATIO = 0.15
RFC2047_SUBJECT_RATIO = 0.06
REPLY_RATIO = 0.30
SENT_RATIO = 0.18

#: Phrases planted in very few messages: the search benchmark's "rare phrase" queries.
RARE_PHRASES = ("syndrome de Kounis", "maladie de Fabry", "myocardite à éosinophiles")
RARE_RATE = 0.0002

# -- people ----------------------------------------------------------------------------------


def _names(text: str) -> list[str]:
    """Names separated by spaces (``_`` inside a name: ``Le_Gall``)."""
    return [word.replace("_", " ") for word in text.split()]


FIRST_F = _names(
    "Marie Nathalie Isabelle Sylvie Catherine Françoise Christine Valérie Sandrine Sophie "
    "Céline Stéphanie Aurélie Julie Émilie Camille Léa Manon Chloé Inès Hélène Anne Agnès "
    "Élodie Laure Claire Mathilde Pauline Juliette Margaux Océane Brigitte Monique Jacqueline "
    "Geneviève Odile Thérèse Yvette Josiane Martine Danielle Bernadette Élise Anaïs Noémie Zoé"
)
FIRST_M = _names(
    "Jean Pierre Michel Philippe Alain Nicolas Christophe Patrick Laurent Frédéric Éric "
    "Stéphane Sébastien Julien David Thomas Olivier Pascal Bernard Daniel Thierry François "
    "Mathieu Antoine Hugo Lucas Louis Gabriel Arthur Raphaël Maxime Guillaume Benoît Jérôme "
    "Rémi Yves Gérard André René Marcel Roger Henri Joël Hervé Loïc Gaël Yannick Mickaël"
)
SURNAMES = _names(
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel "
    "Lefèvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine "
    "Rousseau Vincent Muller Lefebvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier "
    "François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu "
    "Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun "
    "Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche "
    "Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud "
    "Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland Leclercq "
    "Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis Moulin "
    "Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam Paris Poirier "
    "Marty Aubry Guyot Carré Charles Renault Charpentier Ménard Maillard Baron Bertin Bailly "
    "Hervé Schneider Fernandez Le_Gall Collet Léger Bouvier Julien Prévost Millet Perrot "
    "Daniel Le_Roux Cousin Germain Breton Besson Langlois Rémy Le_Goff Pelletier Lévêque "
    "Perrier Leblanc Barré Lebrun Marchal Weber Mallet Hamon Boulanger Jacob Monnier Michaud"
)

ORGANISATIONS = (
    # (name, MSSanté domain, weight)
    ("CHU de Rennes", "chu-rennes.mssante.fr", 8),
    ("Hospices Civils de Lyon", "chu-lyon.mssante.fr", 7),
    ("Centre hospitalier de Valence", "ch-valence.mssante.fr", 5),
    ("Centre hospitalier de Saint-Malo", "ch-stmalo.mssante.fr", 3),
    ("Clinique Saint-Roch", "clinique-saintroch.mssante.fr", 3),
    ("Polyclinique du Parc", "polyclinique-parc.mssante.fr", 2),
    ("Laboratoire BioAxe", "labo-bioaxe.mssante.fr", 4),
    ("Centre d'imagerie des Lices", "imagerie-lices.mssante.fr", 3),
    ("EHPAD Les Glycines", "ehpad-glycines.mssante.fr", 2),
    ("Centre de santé Kennedy", "cds-kennedy.mssante.fr", 2),
    ("", "medecin.mssante.fr", 10),
    ("", "infirmier.mssante.fr", 6),
    ("", "pharmacien.mssante.fr", 4),
    ("", "masseur-kinesitherapeute.mssante.fr", 2),
    ("", "sage-femme.mssante.fr", 1),
)
SPECIALTIES = (
    # (title, specialty, service, weight): cardiology is the largest correspondent here.
    ("Dr", "Cardiologue", "cardiologie", 12),
    ("Dr", "Médecin généraliste", "", 12),
    ("Dr", "Pneumologue", "pneumologie", 4),
    ("Dr", "Endocrinologue", "endocrinologie-diabétologie", 4),
    ("Dr", "Néphrologue", "néphrologie", 3),
    ("Dr", "Gériatre", "gériatrie", 4),
    ("Dr", "Radiologue", "imagerie médicale", 4),
    ("Dr", "Biologiste médical", "biologie médicale", 4),
    ("Dr", "Neurologue", "neurologie", 3),
    ("Dr", "Oncologue", "oncologie médicale", 2),
    ("Dr", "Gastro-entérologue", "hépato-gastro-entérologie", 2),
    ("Dr", "Rhumatologue", "rhumatologie", 2),
    ("Dr", "Chirurgien orthopédiste", "chirurgie orthopédique", 2),
    ("Dr", "Cardiologue interventionnel", "cardiologie interventionnelle", 3),
    ("", "Infirmier diplômé d'État", "soins infirmiers", 8),
    ("", "Pharmacien", "pharmacie", 4),
    ("", "Masseur-kinésithérapeute", "rééducation", 2),
    ("", "Sage-femme", "maternité", 1),
    ("", "Secrétariat médical", "secrétariat", 4),
)
DEPARTMENTS = [f"{d:02d}" for d in range(1, 96) if d != 20] + ["2A", "2B"]


def ascii_fold(text: str) -> str:
    """Accents removed (``Hélène`` -> ``Helene``), as address local parts and many systems do."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_APPROX))
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return folded.encode("ascii", "ignore").decode("ascii")


_ASCII_APPROX = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "’": "'",
        "°": " ",
        "µ": "u",
        "«": '"',
        "»": '"',
        "…": "...",
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "²": "2",
    }
)


def _slug(text: str) -> str:
    return ascii_fold(text).lower().replace(" ", "").replace("'", "")


@dataclass(frozen=True)
class Professional:
    """A correspondent with an MSSanté mailbox."""

    title: str
    first: str
    last: str
    specialty: str
    service: str
    organisation: str
    address: str

    @property
    def display(self) -> str:
        """The From/To display name."""
        return " ".join(p for p in (self.title, self.first, self.last) if p)

    def signature(self) -> str:
        """A signature block."""
        lines = [self.display, self.specialty]
        if self.organisation:
            where = self.organisation + (f" — service de {self.service}" if self.service else "")
            lines.append(where)
        return "\n".join(lines)


@dataclass(frozen=True)
class Patient:
    """A patient, with a valid INS (NIR + key) and a Mon espace santé address."""

    female: bool
    first: str
    last: str
    birth: datetime
    ins: str

    @property
    def address(self) -> str:
        """``<INS>@patient.mssante.fr``."""
        return f"{self.ins}@patient.mssante.fr"

    @property
    def civil(self) -> str:
        """``Mme Élodie LEFÈVRE`` (surname upper case, as hospital documents write it)."""
        return f"{'Mme' if self.female else 'M.'} {self.first} {self.last.upper()}"

    @property
    def ins_spaced(self) -> str:
        """The INS as printed on documents (``2 84 12 75 123 456 78``)."""
        v = self.ins
        return f"{v[0]} {v[1:3]} {v[3:5]} {v[5:7]} {v[7:10]} {v[10:13]} {v[13:]}"


def _make_ins(rng: random.Random, female: bool, birth: datetime) -> str:
    department = rng.choice(DEPARTMENTS)
    first13 = (
        f"{2 if female else 1}{birth.year % 100:02d}{birth.month:02d}{department}"
        f"{rng.randint(1, 990):03d}{rng.randint(1, 999):03d}"
    )
    return f"{first13}{ins_key(first13):02d}"


# -- clinical text -----------------------------------------------------------------------------

MOTIFS = (
    "dyspnée d'effort d'aggravation progressive",
    "douleurs thoraciques atypiques",
    "palpitations récidivantes",
    "suivi d'une insuffisance cardiaque à fraction d'éjection altérée",
    "bilan d'une hypertension artérielle mal contrôlée",
    "déséquilibre glycémique",
    "lombalgies chroniques",
    "toux persistante depuis trois semaines",
    "vertiges positionnels",
    "œdèmes des membres inférieurs",
    "suivi à trois mois d'un infarctus du myocarde",
    "fibrillation atriale paroxystique",
    "malaise avec perte de connaissance brève",
    "bilan préopératoire avant prothèse totale de hanche",
    "suivi d'une broncho-pneumopathie chronique obstructive",
    "asthénie et amaigrissement",
    "douleurs abdominales",
    "troubles cognitifs signalés par la famille",
    "insuffisance rénale chronique",
    "réévaluation du traitement anticoagulant",
)
ANTECEDENTS = (
    "hypertension artérielle traitée depuis 2015",
    "diabète de type 2 sous metformine",
    "tabagisme sevré (30 paquets-années)",
    "dyslipidémie sous statine",
    "cholécystectomie en 2009",
    "BPCO stade 2 de GOLD",
    "insuffisance rénale chronique modérée (stade 3a)",
    "syndrome d'apnées obstructives du sommeil appareillé",
    "cardiopathie ischémique avec stent sur l'IVA en 2019",
    "fibrillation atriale sous anticoagulant oral",
    "hypothyroïdie substituée",
    "arthrose des genoux",
    "cancer du sein traité en 2012, en rémission",
    "accident vasculaire cérébral ischémique sans séquelle en 2020",
    "obésité (IMC 32)",
    "dépression traitée",
)
EXAMENS = (
    "Examen clinique : PA {pas}/{pad} mmHg, FC {fc}/min, SpO2 {spo2} % en air ambiant. "
    "Auscultation cardiaque : B1 B2 réguliers, pas de souffle. Pas de signe d'insuffisance "
    "cardiaque droite ni gauche.",
    "À l'examen : poids {poids} kg, PA {pas}/{pad} mmHg aux deux bras, pouls périphériques "
    "perçus. Murmure vésiculaire symétrique, pas de râle crépitant.",
    "L'examen neurologique est sans particularité : pas de déficit sensitivo-moteur, réflexes "
    "ostéotendineux présents et symétriques, marche normale.",
    "Abdomen souple, dépressible et indolore, pas d'hépatosplénomégalie. Bruits hydroaériques "
    "présents. Pas d'œdème des membres inférieurs.",
    "Patient(e) eupnéique, apyrétique ({temp} °C), en bon état général. Mollets souples et "
    "indolores.",
)
ECG = (
    "ECG : rythme sinusal à {fc}/min, PR {pr} ms, QRS fins, pas de trouble de la repolarisation.",
    "ECG : fibrillation atriale à réponse ventriculaire contrôlée ({fc}/min), pas de signe "
    "d'ischémie.",
    "ECG : rythme sinusal, bloc de branche droit incomplet connu, inchangé par rapport au tracé "
    "précédent.",
)
ECHO = (
    "Échocardiographie transthoracique : FEVG estimée à {fevg} %, pas de valvulopathie "
    "significative, cavités droites non dilatées, PAPS estimée à {paps} mmHg.",
    "Échographie cardiaque : hypertrophie ventriculaire gauche concentrique modérée, FEVG "
    "conservée ({fevg} %), insuffisance mitrale minime.",
    "Holter ECG des 24 heures : pas de pause significative, extrasystolie ventriculaire "
    "isolée peu fréquente, quelques passages en fibrillation atriale de courte durée.",
    "Épreuve d'effort : maximale et négative cliniquement et électriquement à {watts} watts.",
)
CONCLUSIONS = (
    "Au total, l'évolution est favorable sous traitement. Je propose de poursuivre le "
    "traitement actuel sans modification.",
    "Je propose d'augmenter progressivement le bêtabloquant selon la tolérance tensionnelle "
    "et de contrôler le ionogramme et la créatinine dans quinze jours.",
    "Je reverrai le patient dans six mois avec un bilan biologique (ionogramme, créatinine, "
    "NT-proBNP) et une nouvelle échographie cardiaque.",
    "Une coronarographie est programmée dans le service de cardiologie interventionnelle ; "
    "la convocation sera adressée directement au patient.",
    "Je vous remercie de bien vouloir renouveler l'ordonnance ci-jointe et de surveiller la "
    "fonction rénale.",
    "Il n'y a pas d'indication à poursuivre l'anticoagulation au-delà de trois mois.",
    "Je vous propose de l'adresser en consultation de cardiologie si les symptômes réapparaissent.",
    "Un avis diététique a été proposé ainsi qu'une reprise progressive de l'activité physique.",
)
MEDICATIONS = (
    "Ramipril 5 mg : 1 comprimé le matin",
    "Bisoprolol 2,5 mg : 1 comprimé le matin",
    "Apixaban 5 mg : 1 comprimé matin et soir",
    "Atorvastatine 40 mg : 1 comprimé le soir",
    "Metformine 1000 mg : 1 comprimé matin et soir au cours des repas",
    "Amoxicilline 1 g : 1 comprimé trois fois par jour pendant 7 jours",
    "Paracétamol 1 g : 1 comprimé si douleur, sans dépasser 3 g par jour",
    "Furosémide 40 mg : 1 comprimé le matin",
    "Lévothyroxine 75 µg : 1 comprimé le matin à jeun",
    "Acide acétylsalicylique 75 mg : 1 sachet par jour",
    "Pantoprazole 20 mg : 1 comprimé le soir",
    "Insuline glargine : 18 unités le soir, à adapter selon les glycémies",
    "Salbutamol 100 µg : 2 bouffées si gêne respiratoire",
    "Prednisolone 20 mg : 2 comprimés le matin pendant 5 jours",
    "Enoxaparine 4000 UI : 1 injection sous-cutanée par jour pendant 10 jours",
    "Amlodipine 5 mg : 1 comprimé le soir",
    "Sacubitril/valsartan 49 mg/51 mg : 1 comprimé matin et soir",
    "Dapagliflozine 10 mg : 1 comprimé le matin",
    "Spironolactone 25 mg : 1 comprimé le matin",
    "Tramadol 50 mg : 1 gélule si douleur intense, maximum 4 par jour",
)
ANALYTES = (
    # (name, unit, low, high, decimals)
    ("Hémoglobine", "g/dL", 10.5, 16.8, 1),
    ("Leucocytes", "G/L", 3.8, 11.5, 1),
    ("Plaquettes", "G/L", 140, 420, 0),
    ("Créatinine", "µmol/L", 55, 180, 0),
    ("DFG estimé (CKD-EPI)", "mL/min/1,73 m²", 28, 110, 0),
    ("Potassium", "mmol/L", 3.3, 5.6, 1),
    ("Sodium", "mmol/L", 131, 145, 0),
    ("Hémoglobine glyquée (HbA1c)", "%", 5.2, 9.8, 1),
    ("Glycémie à jeun", "g/L", 0.78, 1.9, 2),
    ("Protéine C réactive", "mg/L", 0.5, 48, 1),
    ("TSH", "mUI/L", 0.3, 6.5, 2),
    ("Ferritine", "µg/L", 12, 480, 0),
    ("LDL-cholestérol", "g/L", 0.55, 1.9, 2),
    ("Triglycérides", "g/L", 0.6, 2.8, 2),
    ("ASAT", "UI/L", 12, 85, 0),
    ("ALAT", "UI/L", 9, 96, 0),
    ("INR", "", 0.9, 3.6, 1),
    ("NT-proBNP", "pg/mL", 40, 4200, 0),
    ("Troponine T hypersensible", "ng/L", 3, 60, 0),
    ("Vitamine D (25-OH)", "ng/mL", 9, 48, 0),
)
IMAGING = (
    (
        "Radiographie thoracique de face",
        "Silhouette cardiaque de taille normale. Pas d'épanchement pleural. Pas de foyer "
        "parenchymateux systématisé. Coupoles diaphragmatiques bien visibles.",
    ),
    (
        "Échographie abdominale",
        "Foie de taille normale, d'échostructure homogène. Vésicule alithiasique. Voies "
        "biliaires non dilatées. Reins de taille normale sans dilatation des cavités.",
    ),
    (
        "Scanner thoracique avec injection",
        "Absence d'embolie pulmonaire jusqu'en segmentaire. Micronodule pulmonaire lobaire "
        "supérieur droit de 4 mm, non suspect. Pas d'adénopathie médiastinale.",
    ),
    (
        "IRM du rachis lombaire",
        "Discopathie dégénérative L4-L5 avec protrusion discale médiane sans conflit radiculaire. "
        "Pas de sténose canalaire. Arthrose articulaire postérieure étagée.",
    ),
    (
        "Écho-doppler veineux des membres inférieurs",
        "Absence de thrombose veineuse profonde et superficielle des deux membres inférieurs. "
        "Réseau veineux perméable et compressible.",
    ),
    (
        "Coroscanner",
        "Score calcique à 112. Sténose intermédiaire de l'artère interventriculaire antérieure "
        "proximale, estimée à 50 %. Avis cardiologique conseillé.",
    ),
)
NURSING = (
    "Passage à domicile ce matin : pansement de l'ulcère de jambe gauche refait (détersion, "
    "hydrocolloïde). Plaie propre, bourgeonnante, sans signe infectieux.",
    "Glycémies capillaires : {g1} g/L à jeun, {g2} g/L en post-prandial. Pas d'hypoglycémie "
    "cette semaine.",
    "Patient douloureux ce matin (EVA {eva}/10), paracétamol donné à 8 h, réévaluation à "
    "midi : EVA 2/10.",
    "Injection d'enoxaparine faite, point de ponction sans hématome.",
    "Prise de sang réalisée à domicile pour le laboratoire, tubes déposés à 9 h 30.",
    "Chute sans gravité signalée par la famille dans la nuit, pas de traumatisme crânien, "
    "pas de douleur à la mobilisation.",
    "Poids stable à {poids} kg, pas d'œdème. Tension artérielle {pas}/{pad} mmHg.",
    "Pilulier préparé pour la semaine ; le traitement est bien pris.",
    "Ablation des agrafes ce jour, cicatrice propre et sèche.",
    "Toilette complète avec aide, patient(e) fatigué(e) mais orienté(e).",
)
ADMIN_SUBJECTS = (
    "Demande de rendez-vous",
    "Demande de transmission du dossier médical",
    "Certificat médical",
    "Prise en charge à 100 % (ALD)",
    "Bon de transport",
    "Prolongation d'arrêt de travail",
    "Dossier MDPH",
    "Demande d'admission en soins de suite et de réadaptation",
    "Convocation",
    "Questionnaire préopératoire",
)
ADMIN_BODIES = (
    "Pourriez-vous nous transmettre une copie des derniers comptes rendus de consultation et "
    "des résultats biologiques du patient, en vue de sa prise en charge dans notre service ?",
    "Nous vous informons que le rendez-vous de consultation est fixé au {rdv} à {heure}. "
    "Merci de prévenir le patient et de lui demander d'apporter ses derniers examens et son "
    "ordonnance en cours.",
    "Le dossier de demande de prise en charge a été transmis au service médical de "
    "l'Assurance Maladie. Il manque le protocole de soins signé.",
    "Dans le cadre de la demande d'admission, merci de compléter le volet médical ci-joint "
    "(autonomie, traitements en cours, soins infirmiers nécessaires).",
    "Le secrétariat reste à votre disposition pour toute information complémentaire du lundi "
    "au vendredi de 8 h 30 à 17 h.",
    "La consultation d'anesthésie doit être réalisée au moins 48 heures avant l'intervention.",
)
PATIENT_QUESTIONS = (
    "je me permets de vous écrire au sujet de mon traitement : depuis l'augmentation du "
    "bêtabloquant je me sens très fatigué(e) en fin de journée. Est-ce normal ?",
    "pourriez-vous renouveler mon ordonnance ? Il me reste des comprimés pour une semaine.",
    "j'ai bien reçu les résultats de ma prise de sang mais je ne comprends pas la valeur de "
    "la créatinine. Faut-il s'inquiéter ?",
    "je voulais vous prévenir que je ne pourrai pas venir au rendez-vous de jeudi. Est-il "
    "possible de le décaler à la semaine prochaine ?",
    "depuis deux jours j'ai des palpitations le soir, sans douleur. Dois-je consulter ?",
    "pouvez-vous m'envoyer le compte rendu de l'échographie pour mon cardiologue ?",
)
REPLY_OPENERS = (
    "Merci pour votre retour.",
    "Je vous remercie pour ces informations.",
    "Bien reçu, merci.",
    "Merci pour votre message concernant {patient}.",
    "Suite à notre échange téléphonique de ce matin,",
    "Comme convenu,",
)
REPLY_BODIES = (
    "Je vous confirme que le traitement peut être poursuivi à la même posologie.",
    "Je vous adresse le patient en consultation de cardiologie dans les meilleurs délais.",
    "Le bilan biologique de contrôle sera réalisé la semaine prochaine ; je vous transmettrai "
    "les résultats dès réception.",
    "Je renouvelle l'ordonnance pour trois mois et je reverrai le patient à son retour.",
    "Le rendez-vous est confirmé ; la convocation a été envoyée au patient.",
    "Je partage votre avis, il n'y a pas lieu de modifier le traitement pour le moment.",
    "Pouvez-vous me transmettre le dernier compte rendu d'hospitalisation ?",
)

KINDS = (
    # (kind, weight)
    ("consultation", 22),
    ("prescription", 14),
    ("lab", 15),
    ("nursing", 11),
    ("admin", 12),
    ("imaging", 8),
    ("discharge", 8),
    ("patient", 10),
)


# -- the generator -------------------------------------------------------------------------


@dataclass
class _Thread:
    message_id: str
    references: tuple[str, ...]
    subject: str
    author: str  # address
    author_name: str
    peer: tuple[str, str]  # the first recipient (name, address)
    patient: Patient
    date: datetime
    quote: str


@dataclass
class GeneratedMessage:
    """One message and what the benchmarks need to know about it."""

    raw: bytes
    internal_date: int
    folder: str
    has_pdf: bool
    pdf_bytes: int
    alternative: bool
    rfc2047: bool
    reply: bool
    text: str  # subject + searchable text, for the corpus statistics


@dataclass
class _Stats:
    messages: int = 0
    bytes: int = 0
    pdf: int = 0
    pdf_bytes: int = 0
    alternative: int = 0
    rfc2047: int = 0
    replies: int = 0
    patients_addressed: int = 0
    folders: Counter[str] = field(default_factory=Counter)
    surnames: Counter[str] = field(default_factory=Counter)
    words: Counter[str] = field(default_factory=Counter)


#: Words and prefixes whose message counts the corpus records (the search queries).
COUNTED_WORDS = ("ordonnance", "cardio", "créatinine", *RARE_PHRASES)


class MailboxGenerator:
    """Generates messages one after the other (threads refer back to earlier ones)."""

    def __init__(self, count: int, seed: int, *, pdf_ratio: float, spread_folders: bool) -> None:
        self.count = count
        self.rng = random.Random(seed)
        self.pdf_ratio = pdf_ratio
        self.spread_folders = spread_folders
        rng = self.rng
        self._surname_weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(SURNAMES))]
        self.professionals = [self._professional() for _ in range(420)]
        self.patients = [self._patient() for _ in range(max(300, count // 6))]
        weights = [rng.random() ** 2 + 0.05 for _ in self.professionals]
        self._by_address = {p.address: p for p in self.professionals}
        self._by_kind: dict[str, tuple[list[Professional], list[float]]] = {}
        for kind, wanted in _KIND_AUTHORS.items():
            chosen = [(p, w) for p, w in zip(self.professionals, weights, strict=True) if wanted(p)]
            self._by_kind[kind] = ([p for p, _ in chosen], [w for _, w in chosen])
        self.threads: list[_Thread] = []
        self.span_days = (END - START).total_seconds() / 86400

    # people
    def _surname(self) -> str:
        return self.rng.choices(SURNAMES, self._surname_weights)[0]

    def _professional(self) -> Professional:
        rng = self.rng
        title, specialty, service, _ = rng.choices(SPECIALTIES, [s[3] for s in SPECIALTIES])[0]
        organisation, domain, _ = rng.choices(ORGANISATIONS, [o[2] for o in ORGANISATIONS])[0]
        female = rng.random() < 0.55
        first = rng.choice(FIRST_F if female else FIRST_M)
        last = rng.choice(SURNAMES)
        if specialty == "Secrétariat médical":
            if not organisation:
                organisation, domain = "CHU de Rennes", "chu-rennes.mssante.fr"
            local = (
                f"secretariat.{_slug(rng.choice(['cardiologie', 'consultations', 'admissions']))}"
            )
            return Professional("", "Secrétariat", "médical", specialty, service, organisation,
                                f"{local}@{domain}")  # fmt: skip
        if domain == "infirmier.mssante.fr" or "Infirmier" in specialty:
            title = ""
        local = f"{_slug(first)}.{_slug(last)}"
        if rng.random() < 0.1:
            local += str(rng.randint(2, 9))
        return Professional(title, first, last, specialty, service, organisation,
                            f"{local}@{domain}")  # fmt: skip

    def _patient(self) -> Patient:
        rng = self.rng
        female = rng.random() < 0.52
        first = rng.choice(FIRST_F if female else FIRST_M)
        birth = datetime(1930, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 32000))
        return Patient(female, first, self._surname(), birth, _make_ins(rng, female, birth))

    def _pro(self, kind: str) -> Professional:
        """A correspondent who writes this kind of message (a biologist sends lab results…)."""
        pool, weights = self._by_kind[kind]
        return self.rng.choices(pool, weights)[0]

    def _signature(self, address: str) -> str:
        pro = self._by_address.get(address)
        return pro.signature() if pro else address

    def _when(self, index: int) -> datetime:
        """Increasing dates over two years, within working hours (07:30-19:30 UTC)."""
        position = self.span_days * (index + self.rng.random()) / self.count
        day, fraction = divmod(position, 1.0)
        return START.replace(hour=0, minute=0) + timedelta(days=day, hours=6.5 + 12 * fraction)

    # values
    def _values(self) -> dict[str, object]:
        r = self.rng
        return {
            "pas": r.randint(105, 165),
            "pad": r.randint(60, 98),
            "fc": r.randint(52, 104),
            "spo2": r.randint(91, 99),
            "poids": r.randint(48, 112),
            "temp": f"{r.uniform(36.2, 38.4):.1f}".replace(".", ","),
            "pr": r.randint(140, 220),
            "fevg": r.randint(30, 68),
            "paps": r.randint(22, 48),
            "watts": r.choice([90, 110, 130, 150, 170]),
            "g1": f"{r.uniform(0.8, 1.9):.2f}".replace(".", ","),
            "g2": f"{r.uniform(1.1, 2.6):.2f}".replace(".", ","),
            "eva": r.randint(3, 8),
        }

    # the message
    def message(self, index: int) -> GeneratedMessage:
        """The message number `index` (call in order: replies refer to earlier messages)."""
        rng = self.rng
        when = self._when(index)
        local_when = when.astimezone(PARIS)
        thread = None
        if self.threads and rng.random() < REPLY_RATIO:
            thread = self.threads[-rng.randint(1, min(len(self.threads), 300))]
        kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        patient = thread.patient if thread else rng.choice(self.patients)
        owner_sends = rng.random() < SENT_RATIO
        if owner_sends and kind in ("lab", "imaging", "nursing", "discharge", "admin"):
            kind = rng.choice(("consultation", "prescription"))
        to_patient = from_patient = False
        if kind == "patient" and thread is None:
            from_patient, to_patient = not owner_sends, owner_sends
        owner = (OWNER_NAME, OWNER_ADDRESS)
        cc: list[tuple[str, str]] = []
        if thread is not None:
            # A reply goes back to the other side of the conversation, or follows up.
            if thread.author == OWNER_ADDRESS:
                sender, to = thread.peer, [owner]
            elif rng.random() < 0.6:
                sender, to = owner, [(thread.author_name, thread.author)]
            else:
                sender, to = (thread.author_name, thread.author), [owner]
            owner_sends = sender == owner
            from_patient = sender[1].endswith("@patient.mssante.fr")
            to_patient = to[0][1].endswith("@patient.mssante.fr")
        elif owner_sends:
            sender = owner
            if to_patient:
                to = [(f"{patient.first} {patient.last}", patient.address)]
            else:
                pro = self._pro(kind)
                to = [(pro.display, pro.address)]
        elif from_patient:
            sender, to = (f"{patient.first} {patient.last}", patient.address), [owner]
        else:
            pro = self._pro(kind)
            sender, to = (pro.display, pro.address), [owner]
            if rng.random() < 0.2:
                other = self._pro("consultation")
                cc.append((other.display, other.address))
        if owner_sends:
            signature = "Dr Claire Morel\nMédecin généraliste\nMaison de santé — hopital-test"
        elif from_patient:
            signature = sender[0]
        else:
            signature = self._signature(sender[1])
        if (
            not to_patient
            and not from_patient
            and kind in ("lab", "imaging", "consultation")
            and rng.random() < 0.12
        ):
            cc.append((f"{patient.first} {patient.last}", patient.address))  # copy to patient
        subject, paragraphs, pdf_title = self._content(kind, patient, thread, local_when)
        rare = [p for p in RARE_PHRASES if rng.random() < RARE_RATE or self._force_rare(index, p)]
        for phrase in rare:
            paragraphs.insert(
                1, f"Hypothèse diagnostique évoquée : {phrase}, à confirmer par un avis spécialisé."
            )
        greeting = self._greeting(from_patient, to_patient, patient)
        body_lines = [greeting, "", *(p for para in paragraphs for p in (para, ""))]
        body_lines.append("Bien cordialement," if not from_patient else "Merci d'avance,")
        body_lines += ["", signature]
        if thread:
            stamp = thread.date.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M")
            body_lines += ["", f"Le {stamp}, {thread.author_name} a écrit :"]
            body_lines += ["> " + line if line else ">" for line in thread.quote.split("\n")]
        body = "\n".join(body_lines) + "\n"

        domain = sender[1].split("@", 1)[1]
        message_id = f"<{when:%Y%m%d%H%M%S}.{rng.getrandbits(40):010x}@{domain}>"
        references: tuple[str, ...] = ()
        in_reply_to = None
        if thread:
            references = (*thread.references, thread.message_id)[-12:]
            in_reply_to = thread.message_id
        encode_subject = rng.random() < RFC2047_SUBJECT_RATIO and not subject.isascii()
        relay = rng.randint(2, 250)
        headers = [
            f"Return-Path: <{sender[1]}>",
            f"Received: from relai.mssante.fr (relai.mssante.fr [10.20.{index % 250}.{relay}])"
            f"\n\tby imap.{OWNER_DOMAIN} with ESMTPS id {rng.getrandbits(48):012X}"
            f"\n\tfor <{to[0][1]}>; {_rfc2822(local_when + timedelta(seconds=20))}",
            f"Date: {_rfc2822(local_when)}",
            f"From: {_address_header(*sender)}",
            "To: " + ",\n ".join(_address_header(n, a) for n, a in to),
        ]
        if cc:
            headers.append("Cc: " + ",\n ".join(_address_header(n, a) for n, a in cc))
        headers.append(
            "Subject: " + (_encoded_word(subject, rng) if encode_subject else ascii_fold(subject))
        )
        headers.append(f"Message-ID: {message_id}")
        if in_reply_to:
            headers.append(f"In-Reply-To: {in_reply_to}")
            headers.append("References: " + "\n ".join(references))
        headers.append("MIME-Version: 1.0")
        headers.append("X-Mailer: " + rng.choice(_MAILERS))

        alternative = rng.random() < ALTERNATIVE_RATIO
        has_pdf = rng.random() < self.pdf_ratio
        pdf_bytes = 0
        text_part = _text_part(body, rng)
        if alternative:
            html = _html(body_lines)
            boundary = f"=_alt_{rng.getrandbits(64):016x}"
            content = _multipart("alternative", boundary, [text_part, _html_part(html)])
        else:
            content = text_part
        if has_pdf:
            size = rng.randint(PDF_MIN, PDF_MAX)
            name = pdf_title.replace(" ", "_")
            who = ascii_fold(patient.last).upper().replace(" ", "")
            filename = f"{ascii_fold(name)}_{who}_{local_when:%Y%m%d}.pdf"
            lines = [pdf_title.upper(), "", *_pdf_header_lines(patient, local_when), ""]
            lines += body_lines[2:-3]
            pdf = build_pdf(pdf_title, lines, size, rng)
            pdf_bytes = len(pdf)
            boundary = f"=_mixed_{rng.getrandbits(64):016x}"
            content = _multipart("mixed", boundary, [content, _pdf_part(pdf, filename)])
        raw = ("\n".join(headers) + "\n").encode("ascii") + content
        internal = int(when.timestamp()) + rng.randint(5, 240)
        is_reply = thread is not None
        self.threads.append(
            _Thread(
                message_id=message_id,
                references=references,
                subject=subject if subject.lower().startswith("re:") else f"Re: {subject}",
                author=sender[1],
                author_name=sender[0],
                peer=to[0],
                patient=patient,
                date=when,
                # Replies quote the whole message they answer (bounded, as mail clients do).
                quote="\n".join(body_lines[:60]),
            )
        )
        if len(self.threads) > 600:
            del self.threads[:300]
        folder = "INBOX"
        if self.spread_folders:
            if owner_sends:
                folder = "Sent"
            elif when < END - timedelta(days=365) and rng.random() < 0.4:
                folder = "Archive"
        searchable = subject + "\n" + body + " ".join(a for _, a in (sender, *to, *cc))
        return GeneratedMessage(
            raw=raw,
            internal_date=internal,
            folder=folder,
            has_pdf=has_pdf,
            pdf_bytes=pdf_bytes,
            alternative=alternative,
            rfc2047=encode_subject,
            reply=is_reply,
            text=searchable,
        )

    def _force_rare(self, index: int, phrase: str) -> bool:
        # Every rare phrase appears at least once, at a fixed place.
        return index == (RARE_PHRASES.index(phrase) + 1) * self.count // (len(RARE_PHRASES) + 1)

    def _greeting(self, from_patient: bool, to_patient: bool, patient: Patient | None) -> str:
        if from_patient:
            return "Bonjour Docteur,"
        if to_patient and patient is not None:
            return f"Bonjour {'Madame' if patient.female else 'Monsieur'} {patient.last},"
        return self.rng.choice(("Cher confrère,", "Chère consœur,", "Bonjour,", "Chers collègues,"))

    def _content(
        self, kind: str, patient: Patient | None, thread: _Thread | None, when: datetime
    ) -> tuple[str, list[str], str]:
        rng = self.rng
        v = self._values()
        p = patient
        who = p.civil if p else "le patient"
        age = (when.year - p.birth.year) if p else 60
        intro = f"Je vous adresse des nouvelles de {who}, {age} ans, né(e) le " + (
            f"{p.birth:%d/%m/%Y} (INS {p.ins_spaced})." if p else "—."
        )
        if thread is not None:
            opener = rng.choice(REPLY_OPENERS).format(patient=who)
            paras = [opener + " " + rng.choice(REPLY_BODIES)]
            if rng.random() < 0.4:
                paras.append(rng.choice(CONCLUSIONS))
            return thread.subject, paras, "Courrier"
        if kind == "consultation":
            subject = f"Compte rendu de consultation — {who}"
            paras = [
                intro,
                f"Motif de consultation : {rng.choice(MOTIFS)}.",
                "Antécédents : " + ", ".join(rng.sample(ANTECEDENTS, rng.randint(2, 4))) + ".",
                rng.choice(EXAMENS).format(**v),
                rng.choice(ECG).format(**v),
            ]
            if rng.random() < 0.6:
                paras.append(rng.choice(ECHO).format(**v))
            paras.append(rng.choice(CONCLUSIONS))
            return subject, paras, "Compte rendu de consultation"
        if kind == "prescription":
            meds = rng.sample(MEDICATIONS, rng.randint(2, 6))
            subject = f"Ordonnance — {who}"
            paras = [
                f"Veuillez trouver ci-dessous l'ordonnance de {who} établie le {when:%d/%m/%Y}.",
                "\n".join(f"- {m}" for m in meds),
                rng.choice(
                    (
                        "Ordonnance à renouveler pendant trois mois.",
                        "Traitement à poursuivre jusqu'à la prochaine consultation.",
                        "Merci de délivrer le générique.",
                    )
                ),
            ]
            return subject, paras, "Ordonnance"
        if kind == "lab":
            analytes = rng.sample(ANALYTES, rng.randint(5, 12))
            rows = []
            for name, unit, low, high, decimals in analytes:
                value = rng.uniform(low, high)
                text = f"{value:.{decimals}f}".replace(".", ",")
                flag = " (H)" if value > high * 0.9 else (" (B)" if value < low * 1.1 else "")
                rows.append(f"{name} : {text} {unit}{flag}".rstrip())
            subject = f"Résultats de biologie — {who} — prélèvement du {when:%d/%m/%Y}"
            paras = [
                f"Résultats du bilan prélevé le {when:%d/%m/%Y} à {when:%H h %M} pour {who}.",
                "\n".join(rows),
                "Résultats validés par le biologiste. Les valeurs signalées (H) ou (B) sont en "
                "dehors des valeurs de référence.",
            ]
            return subject, paras, "Compte rendu de biologie"
        if kind == "nursing":
            subject = f"Transmissions infirmières — {who}"
            paras = [
                f"Suivi infirmier à domicile de {who}.",
                *(n.format(**v) for n in rng.sample(NURSING, rng.randint(2, 4))),
                "Prochain passage prévu demain matin.",
            ]
            return subject, paras, "Transmissions infirmières"
        if kind == "admin":
            topic = rng.choice(ADMIN_SUBJECTS)
            subject = f"{topic} — {who}" if rng.random() < 0.7 else topic
            rdv = when + timedelta(days=rng.randint(5, 60))
            paras = [
                f"Nous revenons vers vous concernant {who}.",
                rng.choice(ADMIN_BODIES).format(rdv=f"{rdv:%d/%m/%Y}", heure=f"{rdv:%H} h 30"),
                rng.choice(ADMIN_BODIES).format(rdv=f"{rdv:%d/%m/%Y}", heure="10 h"),
            ]
            return subject, paras, "Courrier administratif"
        if kind == "imaging":
            exam, result = rng.choice(IMAGING)
            subject = f"{exam} — {who}"
            paras = [
                f"{exam} réalisé(e) le {when:%d/%m/%Y} chez {who}.",
                "Indication : " + rng.choice(MOTIFS) + ".",
                "Résultats : " + result,
                "Conclusion : examen sans anomalie aiguë ; à corréler à la clinique.",
            ]
            return subject, paras, "Compte rendu d'imagerie"
        if kind == "discharge":
            start = when - timedelta(days=rng.randint(3, 15))
            service = rng.choice(("cardiologie", "médecine interne", "pneumologie", "gériatrie"))
            meds = rng.sample(MEDICATIONS, rng.randint(3, 7))
            subject = f"Lettre de liaison — sortie d'hospitalisation — {who}"
            paras = [
                f"{who} a été hospitalisé(e) du {start:%d/%m/%Y} au {when:%d/%m/%Y} dans le "
                f"service de {service} pour {rng.choice(MOTIFS)}.",
                rng.choice(EXAMENS).format(**v),
                rng.choice(ECHO).format(**v),
                "Traitement de sortie :\n" + "\n".join(f"- {m}" for m in meds),
                rng.choice(CONCLUSIONS),
                f"Suivi : consultation de {service} dans un mois.",
            ]
            return subject, paras, "Lettre de liaison"
        # patient
        question = rng.choice(PATIENT_QUESTIONS)
        subject = rng.choice(
            (
                "Question sur mon traitement",
                "Renouvellement d'ordonnance",
                "Mes résultats",
                "Rendez-vous",
                "Demande d'information",
            )
        )
        return subject, [question[0].upper() + question[1:]], "Document"


def _doctor(p: Professional) -> bool:
    return p.title == "Dr" and p.specialty not in ("Radiologue", "Biologiste médical")


#: Who writes each kind of message.
_KIND_AUTHORS = {
    "consultation": _doctor,
    "prescription": lambda p: _doctor(p) or p.specialty == "Pharmacien",
    "lab": lambda p: p.specialty == "Biologiste médical",
    "nursing": lambda p: p.specialty.startswith("Infirmier"),
    "admin": lambda p: p.specialty == "Secrétariat médical",
    "imaging": lambda p: p.specialty == "Radiologue",
    "discharge": lambda p: _doctor(p) and bool(p.organisation),
    "patient": _doctor,
}

_MAILERS = (
    "Mailiz 3.4",
    "Apicrypt 2 (MSSante)",
    "MSSante Webmail",
    "Weda 2024",
    "Lifen Connect",
    "DxCare Messagerie",
    "Mozilla Thunderbird 115.8",
)


def _pdf_header_lines(patient: Patient | None, when: datetime) -> list[str]:
    if patient is None:
        return [f"Date : {when:%d/%m/%Y}"]
    return [
        f"Patient : {patient.civil}",
        f"Né(e) le : {patient.birth:%d/%m/%Y}    INS : {patient.ins_spaced}",
        f"Date : {when:%d/%m/%Y}",
    ]


# -- MIME -----------------------------------------------------------------------------------


def _rfc2822(when: datetime) -> str:
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    offset = when.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return (
        f"{days[when.weekday()]}, {when.day:d} {months[when.month - 1]} {when.year} "
        f"{when:%H:%M:%S} {sign}{minutes // 60:02d}{minutes % 60:02d}"
    )


def _encoded_word(text: str, rng: random.Random | None = None) -> str:
    """RFC 2047 encoded words (UTF-8, B or Q), folded, each at most 75 characters."""
    use_q = rng is not None and rng.random() < 0.5
    words: list[str] = []
    chunk = ""
    for ch in text:
        if len((chunk + ch).encode("utf-8")) > (22 if use_q else 39):
            words.append(chunk)
            chunk = ""
        chunk += ch
    if chunk:
        words.append(chunk)
    encoded = []
    for word in words:
        data = word.encode("utf-8")
        if use_q:
            q = "".join(
                "_" if b == 0x20 else chr(b) if chr(b).isalnum() and b < 128 else f"={b:02X}"
                for b in data
            )
            encoded.append(f"=?UTF-8?Q?{q}?=")
        else:
            encoded.append(f"=?UTF-8?B?{base64.b64encode(data).decode('ascii')}?=")
    return "\n ".join(encoded)


def _address_header(name: str, address: str) -> str:
    if not name:
        return address
    if name.isascii():
        return f'"{name}" <{address}>' if any(c in name for c in ",.;:") else f"{name} <{address}>"
    return f"{_encoded_word(name)} <{address}>"


def _text_part(body: str, rng: random.Random) -> bytes:
    data = body.encode("utf-8")
    if rng.random() < 0.3:
        cte, payload = "8bit", data
    else:
        cte, payload = "quoted-printable", quopri.encodestring(data)
    return (
        b"Content-Type: text/plain; charset=utf-8; format=flowed\n"
        b"Content-Transfer-Encoding: " + cte.encode() + b"\n\n" + payload
    )


def _html(lines: Sequence[str]) -> str:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line:
            current.append(line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
        elif current:
            paragraphs.append("<p>" + "<br>\n".join(current) + "</p>")
            current = []
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><style>body{font-family:Arial,'
        "sans-serif;font-size:10pt}</style></head><body>\n"
        + "\n".join(paragraphs)
        + "\n</body></html>\n"
    )


def _html_part(html: str) -> bytes:
    return (
        b"Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        + quopri.encodestring(html.encode("utf-8"))
    )


def _pdf_part(pdf: bytes, filename: str) -> bytes:
    return (
        f'Content-Type: application/pdf; name="{filename}"\n'
        f'Content-Disposition: attachment; filename="{filename}"\n'
        "Content-Transfer-Encoding: base64\n\n"
    ).encode("ascii") + base64.encodebytes(pdf)


def _multipart(subtype: str, boundary: str, parts: Sequence[bytes]) -> bytes:
    b = boundary.encode("ascii")
    out = [f'Content-Type: multipart/{subtype}; boundary="{boundary}"\n\n'.encode("ascii")]
    if subtype == "mixed":
        out.append(b"This is a multi-part message in MIME format.\n")
    for part in parts:
        out.append(b"--" + b + b"\n" + part + (b"" if part.endswith(b"\n") else b"\n"))
    out.append(b"--" + b + b"--\n")
    return b"".join(out)


# -- PDF ------------------------------------------------------------------------------------


def _pdf_string(text: str) -> bytes:
    data = text.encode("cp1252", errors="replace")
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _wrap(lines: Sequence[str], width: int = 95) -> list[str]:
    out: list[str] = []
    for line in lines:
        for sub in line.split("\n"):
            while len(sub) > width:
                cut = sub.rfind(" ", 0, width)
                cut = cut if cut > 0 else width
                out.append(sub[:cut])
                sub = sub[cut:].lstrip()
            out.append(sub)
    return out


def build_pdf(title: str, lines: Sequence[str], size: int, rng: random.Random) -> bytes:
    """A valid PDF of about `size` bytes: text pages (Helvetica, WinAnsi) and a scanned image.

    The image is raw RGB of random bytes (incompressible, like the scans and photographs that
    make real attachments big), sized so that the whole file is `size` bytes to within 1.5 KB.
    """
    text = _wrap(lines)
    per_page = 56
    pages = [text[i : i + per_page] for i in range(0, max(len(text), 1), per_page)] or [[]]
    contents: list[bytes] = []
    for number, page_lines in enumerate(pages):
        ops = [b"BT /F2 13 Tf 56 800 Td (" + title.encode("cp1252", "replace") + b") Tj ET"]
        ops.append(b"BT /F1 9.5 Tf 12.5 TL 56 772 Td")
        for line in page_lines:
            ops.append(_pdf_string(line) + b" Tj T*")
        ops.append(b"ET")
        ops.append(f"BT /F1 8 Tf 270 30 Td (Page {number + 1}/{len(pages)}) Tj ET".encode())
        if number == len(pages) - 1:
            ops.append(b"q 240 0 0 150 300 60 cm /Im1 Do Q")
        contents.append(b"\n".join(ops))
    n_pages = len(pages)
    # Objects: 1 catalog, 2 pages, 3 F1, 4 F2, 5 info, 6 image, then (page, content) pairs.
    kids = " ".join(f"{7 + 2 * i} 0 R" for i in range(n_pages))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R /Lang (fr-FR) >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title " + _pdf_string(title) + b" /Producer (Pli bench corpus) /Creator "
        b"(DxCare Editique) >>",
        b"",  # the image, sized below
    ]
    for i, content in enumerate(contents):
        page = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {8 + 2 * i} 0 R"
            " /Resources << /Font << /F1 3 0 R /F2 4 0 R >> /XObject << /Im1 6 0 R >> >> >>"
        )
        objects.append(page.encode())
        objects.append(
            f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream"
        )
    overhead = sum(len(o) + 40 for o in objects) + 60 * (len(objects) + 1) + 300
    width = 512
    row = width * 3
    height = max(1, (size - overhead) // row)
    pixels = rng.randbytes(height * row)
    objects[5] = (
        f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace "
        f"/DeviceRGB /BitsPerComponent 8 /Length {len(pixels)} >>\nstream\n".encode()
        + pixels
        + b"\nendstream"
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 5 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


# -- the cache ------------------------------------------------------------------------------


@dataclass
class Corpus:
    """A generated mailbox on disk: concatenated messages plus an index."""

    folder: Path
    mode: str
    count: int
    seed: int
    offsets: array[int]
    lengths: array[int]
    internal_dates: array[int]
    folders: list[str]
    stats: dict[str, object]

    @property
    def data_path(self) -> Path:
        """The file of concatenated messages."""
        return self.folder / "messages.bin"

    @property
    def total_bytes(self) -> int:
        """Size of all messages."""
        return int(sum(self.lengths))

    def iter_raw(self, indices: Sequence[int] | None = None) -> Iterator[bytes]:
        """The messages' bytes (all, or `indices`, in that order)."""
        order = range(self.count) if indices is None else indices
        with self.data_path.open("rb") as fh:
            for i in order:
                fh.seek(self.offsets[i])
                yield fh.read(self.lengths[i])

    def raw(self, index: int) -> bytes:
        """One message."""
        return next(self.iter_raw([index]))

    def indices_by_folder(self) -> dict[str, list[int]]:
        """Message indices grouped by the folder they belong in (oldest first)."""
        grouped: dict[str, list[int]] = {}
        for i, folder in enumerate(self.folders):
            grouped.setdefault(folder, []).append(i)
        return grouped


def corpus_dir(mode: str, count: int, seed: int) -> Path:
    """Where a corpus is cached."""
    return WORK / "corpus" / f"{mode}-{count}-s{seed}-v{CORPUS_VERSION}"


def load_or_generate(
    mode: str, count: int, seed: int = 2025, *, log: bool = True
) -> tuple[Corpus, float | None]:
    """The cached corpus, generating it first if needed; returns (corpus, seconds generating)."""
    folder = corpus_dir(mode, count, seed)
    index = folder / "index.json"
    if index.exists():
        return _load(folder), None
    started = time.perf_counter()
    generate(mode, count, seed, folder, log=log)
    return _load(folder), time.perf_counter() - started


def generate(mode: str, count: int, seed: int, folder: Path, *, log: bool = True) -> None:
    """Write the corpus files (atomically: the index is written last)."""
    if mode not in ("full", "text"):
        raise ValueError(f"unknown corpus mode {mode!r}")
    folder.mkdir(parents=True, exist_ok=True)
    generator = MailboxGenerator(
        count,
        seed,
        pdf_ratio=PDF_RATIO if mode == "full" else 0.0,
        spread_folders=mode == "text",
    )
    stats = _Stats()
    offsets, lengths, dates = array("q"), array("q"), array("q")
    folders: list[str] = []
    surnames = {ascii_fold(s).lower(): s for s in SURNAMES}
    tmp = folder / "messages.bin.tmp"
    position = 0
    started = time.perf_counter()
    with tmp.open("wb") as out:
        for i in range(count):
            m = generator.message(i)
            out.write(m.raw)
            offsets.append(position)
            lengths.append(len(m.raw))
            dates.append(m.internal_date)
            folders.append(m.folder)
            position += len(m.raw)
            stats.messages += 1
            stats.bytes += len(m.raw)
            stats.pdf += m.has_pdf
            stats.pdf_bytes += m.pdf_bytes
            stats.alternative += m.alternative
            stats.rfc2047 += m.rfc2047
            stats.replies += m.reply
            stats.patients_addressed += "@patient.mssante.fr" in m.text
            stats.folders[m.folder] += 1
            folded = ascii_fold(m.text).lower()
            words = set(folded.replace("—", " ").replace(",", " ").replace(".", " ").split())
            for word in words & surnames.keys():
                stats.surnames[surnames[word]] += 1
            for word in COUNTED_WORDS:
                if ascii_fold(word).lower() in folded:
                    stats.words[word] += 1
            if log and (i + 1) % max(1, count // 10) == 0:
                elapsed = time.perf_counter() - started
                print(
                    f"  corpus {mode}: {i + 1}/{count} ({position / 1e6:.0f} MB, {elapsed:.0f} s)"
                )
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(folder / "messages.bin")
    index = {
        "version": CORPUS_VERSION,
        "mode": mode,
        "count": count,
        "seed": seed,
        "offsets": offsets.tolist(),
        "lengths": lengths.tolist(),
        "internal_dates": dates.tolist(),
        "folders": folders,
        "stats": {
            "messages": stats.messages,
            "bytes": stats.bytes,
            "pdf": stats.pdf,
            "pdf_bytes": stats.pdf_bytes,
            "alternative": stats.alternative,
            "rfc2047_subjects": stats.rfc2047,
            "replies": stats.replies,
            "with_patient_address": stats.patients_addressed,
            "folders": dict(stats.folders),
            "surnames": dict(stats.surnames.most_common()),
            "words": dict(stats.words),
            "owner": OWNER_ADDRESS,
        },
    }
    (folder / "index.json.tmp").write_text(json.dumps(index), encoding="utf-8")
    (folder / "index.json.tmp").replace(folder / "index.json")


def _load(folder: Path) -> Corpus:
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    return Corpus(
        folder=folder,
        mode=index["mode"],
        count=index["count"],
        seed=index["seed"],
        offsets=array("q", index["offsets"]),
        lengths=array("q", index["lengths"]),
        internal_dates=array("q", index["internal_dates"]),
        folders=index["folders"],
        stats=index["stats"],
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Build (or load) a corpus and print its statistics."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=["full", "text"], default="full")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--check", type=int, default=0, help="parse N messages and their PDFs")
    args = parser.parse_args(argv)
    corpus, seconds = load_or_generate(args.mode, args.messages, args.seed)
    stats = dict(corpus.stats)
    surnames = stats.pop("surnames")
    assert isinstance(surnames, dict)
    print(json.dumps(stats, ensure_ascii=False, indent=1))
    print("top surnames:", list(surnames.items())[:12])
    print(f"{corpus.total_bytes / 1e9:.2f} GB in {corpus.folder}", end="")
    print(f" (generated in {seconds:.1f} s)" if seconds is not None else " (cached)")
    if args.check:
        _check(corpus, args.check)
    return 0


def _check(corpus: Corpus, n: int) -> None:
    """Parse messages with the stdlib and their PDFs with pypdf (a sanity check)."""
    import email
    import email.policy
    import io

    import pypdf

    step = max(1, corpus.count // n)
    pdfs = 0
    for i in range(0, corpus.count, step):
        msg = email.message_from_bytes(corpus.raw(i), policy=email.policy.default)
        assert msg["Message-ID"]
        assert msg["From"]
        assert msg["Subject"] is not None
        for part in msg.walk():
            if part.get_content_type() == "application/pdf":
                data = part.get_payload(decode=True)
                assert isinstance(data, bytes)
                reader = pypdf.PdfReader(io.BytesIO(data))
                text = reader.pages[0].extract_text()
                assert len(text) > 100, text
                pdfs += 1
    print(f"checked {len(range(0, corpus.count, step))} messages, {pdfs} PDFs opened by pypdf")


if __name__ == "__main__":
    raise SystemExit(main())
