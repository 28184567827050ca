"""Rebuild the demo mailbox's PDF documents (fictional reports).

Run ``python resources/demo/make_pdfs.py`` from the top of the repository.

They are shipped already built; this only documents where they come from (Pli's own
plain-text-to-PDF writer, fixed dates so the files do not change from one build to the next).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from app.documents.textpdf import text_to_pdf

HERE = Path(__file__).resolve().parent
CREATED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

DOCUMENTS = {
    "cr_echocardiographie.pdf": (
        "Compte rendu d'échocardiographie transthoracique",
        "Dr Julien LEFORT - Cardiologue - Clinique du Parc (document fictif de démonstration)",
        """Patient : M. Julien FABRE, né le 03/04/1972
Médecin traitant : Dr Marie MARTIN
Indication : hypertension artérielle traitée, dyspnée d'effort (NYHA II).

Conditions d'examen : échogénicité correcte, rythme sinusal à 68/min. PA 138/86 mmHg.

Ventricule gauche : non dilaté (DTDVG 51 mm). Hypertrophie pariétale modérée et concentrique
(SIV 12 mm, PP 12 mm, masse VG indexée 118 g/m²). Cinétique segmentaire homogène.
FEVG (Simpson biplan) : 62 %. Profil mitral de type I (E/A 0,8), E/e' moyen 9.

Oreillette gauche : non dilatée (volume indexé 30 ml/m²).
Cavités droites : non dilatées, fonction systolique VD normale (TAPSE 22 mm). PAPs estimée
à 28 mmHg. Veine cave inférieure fine et compliante.

Valves : aortique tricuspide, fine, sans sténose ni fuite significative. Mitrale fine, fuite
minime physiologique. Pas de valvulopathie significative.
Péricarde : sec. Aorte ascendante : 34 mm.

Conclusion :
- Hypertrophie ventriculaire gauche concentrique modérée, d'origine hypertensive probable.
- Fonction systolique ventriculaire gauche conservée (FEVG 62 %).
- Pas de valvulopathie significative, pressions de remplissage normales.

Proposition : poursuivre le ramipril, objectif tensionnel < 130/80 mmHg ; mesures
hygiéno-diététiques (sel, activité physique). Échocardiographie de contrôle dans un an.
""",
    ),
    "resultats_biologie.pdf": (
        "Résultats d'analyses de biologie médicale",
        "Laboratoire BioVal - site de Valbonne (document fictif de démonstration)",
        """Patiente : Mme Élodie GARNIER, née le 22/01/1991
Prescripteur : Dr Marie MARTIN
Prélèvement à jeun, résultats validés par le biologiste.

HÉMATOLOGIE - Numération formule sanguine
  Hémoglobine ............ 10,9 g/dL      (12,0 - 16,0)   *
  Hématocrite ............ 34,2 %         (37 - 47)       *
  VGM .................... 74 fL          (80 - 100)      *
  TCMH ................... 23,8 pg        (27 - 32)       *
  Leucocytes ............. 6,8 G/L        (4,0 - 10,0)
  Plaquettes ............. 312 G/L        (150 - 400)

BIOCHIMIE
  Ferritine .............. 8 µg/L         (15 - 150)      *
  Fer sérique ............ 6,1 µmol/L     (9 - 30)        *
  Coefficient de saturation de la transferrine : 9 %  (20 - 40)  *
  TSH .................... 1,82 mUI/L     (0,27 - 4,20)
  CRP .................... < 3 mg/L       (< 5)
  Créatinine ............. 61 µmol/L      (45 - 84), DFG (CKD-EPI) > 90 mL/min/1,73 m²

Commentaire du biologiste : anémie microcytaire hypochrome avec carence martiale.
Les valeurs suivies d'un astérisque sont hors des valeurs de référence.
""",
    ),
    "cr_urgences.pdf": (
        "Compte rendu de passage aux urgences",
        "Urgences adultes - CH de Valbonne (document fictif de démonstration)",
        """Patiente : Mme Camille ROUSSEL, née le 14/06/1985
Médecin traitant : Dr Marie MARTIN
Motif : fièvre et toux depuis trois jours.

Histoire : fièvre à 39 °C depuis 72 h, toux productive, douleur basithoracique droite
à l'inspiration profonde. Pas d'antécédent notable, pas de traitement au long cours.

Examen : T 38,8 °C, FC 98/min, PA 118/72 mmHg, SpO2 96 % en air ambiant, FR 20/min.
Crépitants en base droite. Reste de l'examen sans particularité.

Examens complémentaires : radiographie thoracique : opacité alvéolaire du lobe inférieur
droit. CRP 86 mg/L, leucocytes 13,2 G/L (polynucléose neutrophile). Fonction rénale normale.

Diagnostic : pneumopathie franche lobaire aiguë droite, sans signe de gravité (CRB-65 = 0).

Traitement de sortie : amoxicilline 1 g trois fois par jour pendant 7 jours ; paracétamol
1 g jusqu'à trois fois par jour si fièvre ou douleur.

Suites : retour à domicile. Réévaluation par le médecin traitant à 48-72 heures,
radiographie de contrôle à 6 semaines. Reconsulter en cas d'essoufflement ou de fièvre
persistante.
""",
    ),
}


def main() -> None:
    """Write every PDF beside this script."""
    for name, (title, author, text) in DOCUMENTS.items():
        (HERE / name).write_bytes(text_to_pdf(text, title=title, author=author, created=CREATED))


if __name__ == "__main__":
    main()
