<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>DocumentPreview</name>
    <message>
        <location filename="../../app/ui/documents/preview.py" line="+76" />
        <source>Document preview</source>
        <extracomment>Where the folder root of "Classer" is remembered (a path the user chose; no health data). Characters of a text attachment shown at most.</extracomment>
        <translation>Aperçu du document</translation>
    </message>
    <message>
        <location line="+17" />
        <source>&amp;File</source>
        <translation>&amp;Classer</translation>
    </message>
    <message>
        <location line="+11" />
        <source>&amp;Print…</source>
        <translation>&amp;Imprimer…</translation>
    </message>
    <message>
        <location line="+25" />
        <source>Text of the document</source>
        <translation>Texte du document</translation>
    </message>
    <message>
        <location line="+8" />
        <source>Opening the document…</source>
        <translation>Ouverture du document…</translation>
    </message>
    <message>
        <location line="+221" />
        <source>Nothing to file: no accepted document in this message.</source>
        <translation>Rien à classer : ce message ne contient aucun document accepté.</translation>
    </message>
    <message numerus="yes">
        <location line="+2" />
        <source>%n document(s) filed in %1</source>
        <translation><numerusform>%n document classé dans %1</numerusform><numerusform>%n documents classés dans %1</numerusform></translation>
    </message>
    <message numerus="yes">
        <location line="+5" />
        <source>(%n renamed: a file of that name was already there, nothing was replaced)</source>
        <translation><numerusform>(%n renommé : un fichier du même nom existait déjà, rien n'a été remplacé)</numerusform><numerusform>(%n renommés : des fichiers du même nom existaient déjà, rien n'a été remplacé)</numerusform></translation>
    </message>
    <message>
        <location line="+10" />
        <source>Folder of the patients' documents</source>
        <translation>Dossier des documents des patients</translation>
    </message>
    <message>
        <location line="+20" />
        <source>Save the document</source>
        <translation>Enregistrer le document</translation>
    </message>
    <message>
        <location line="+12" />
        <source>Saved in %1 (not encrypted).</source>
        <translation>Enregistré dans %1 (non chiffré).</translation>
    </message>
    <message>
        <location line="+12" />
        <source>Open with another application</source>
        <translation>Ouvrir avec une autre application</translation>
    </message>
    <message>
        <location line="+1" />
        <source>The document will leave Pli's encryption.</source>
        <translation>Le document va sortir du chiffrement de Pli.</translation>
    </message>
    <message>
        <location line="+3" />
        <source>To open it, Pli writes an unencrypted copy in a private temporary folder of this computer; the other application may keep its own copies. Go on only on a computer reserved for your practice.</source>
        <translation>Pour l'ouvrir, Pli en écrit une copie non chiffrée dans un dossier temporaire privé de cet ordinateur ; l'autre application peut en garder ses propres copies. Ne continuez que sur un ordinateur réservé à votre exercice.</translation>
    </message>
    <message>
        <location line="+5" />
        <source>Open anyway</source>
        <translation>Ouvrir quand même</translation>
    </message>
    <message>
        <location line="-324" />
        <location line="+398" />
        <source>Print the document</source>
        <translation>Imprimer le document</translation>
    </message>
    <message>
        <location line="-407" />
        <source>File the message's documents in the patient's folder (standard names)</source>
        <translation>Classer les documents du message dans le dossier du patient (noms normalisés)</translation>
    </message>
    <message>
        <location line="+3" />
        <source>&amp;Save…</source>
        <translation>&amp;Enregistrer…</translation>
    </message>
    <message>
        <location line="+0" />
        <source>Save as…</source>
        <translation>Enregistrer sous…</translation>
    </message>
    <message>
        <location line="+3" />
        <source>&amp;Open with…</source>
        <translation>&amp;Ouvrir avec…</translation>
    </message>
    <message>
        <location line="+0" />
        <source>Open with the default application</source>
        <translation>Ouvrir avec l'application par défaut</translation>
    </message>
    <message>
        <location line="+6" />
        <source>&amp;Window</source>
        <translation>&amp;Fenêtre</translation>
    </message>
    <message>
        <location line="+0" />
        <source>Open in a window</source>
        <translation>Ouvrir dans une fenêtre</translation>
    </message>
    <message numerus="yes">
        <location line="+401" />
        <source>%n page(s) sent to the printer.</source>
        <translation><numerusform>%n page envoyée à l'imprimante.</numerusform><numerusform>%n pages envoyées à l'imprimante.</numerusform></translation>
    </message>
</context>
<context>
    <name>DocumentTexts</name>
    <message>
        <location filename="../../app/ui/documents/texts.py" line="+25" />
        <source>This PDF is protected by a password: Pli cannot show it. Ask the sender for an unprotected copy.</source>
        <translation>Ce PDF est protégé par un mot de passe : Pli ne peut pas l'afficher. Demandez à l'expéditeur une copie non protégée.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This PDF is encrypted in a way Pli cannot read. Ask the sender for an unprotected copy.</source>
        <translation>Ce PDF est chiffré d'une manière que Pli ne sait pas lire. Demandez à l'expéditeur une copie non protégée.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This PDF is damaged and cannot be shown. Ask the sender to send it again.</source>
        <translation>Ce PDF est endommagé et ne peut pas être affiché. Demandez à l'expéditeur de le renvoyer.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This PDF is incomplete (it was cut during sending). Ask the sender to send it again.</source>
        <translation>Ce PDF est incomplet (il a été coupé pendant l'envoi). Demandez à l'expéditeur de le renvoyer.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This PDF contains scripts or actions: Pli shows its pages but never runs them.</source>
        <translation>Ce PDF contient des scripts ou des actions : Pli affiche ses pages mais ne les exécute jamais.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This image is damaged or is not a JPEG, PNG or TIFF image.</source>
        <translation>Cette image est endommagée ou n'est pas une image JPEG, PNG ou TIFF.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This image is far too large to be shown safely (it may be a trap): Pli did not open it.</source>
        <translation>Cette image est beaucoup trop grande pour être affichée sans risque (il peut s'agir d'un piège) : Pli ne l'a pas ouverte.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This image has too many pages to be shown.</source>
        <translation>Cette image a trop de pages pour être affichée.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This RTF document cannot be read.</source>
        <translation>Ce document RTF ne peut pas être lu.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This RTF document is too large to be shown.</source>
        <translation>Ce document RTF est trop volumineux pour être affiché.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This zip file is damaged or is not a zip file.</source>
        <translation>Ce fichier zip est endommagé ou n'est pas un fichier zip.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This zip file holds too many files: Pli refused to open it (it may be a trap).</source>
        <translation>Ce fichier zip contient trop de fichiers : Pli a refusé de l'ouvrir (il peut s'agir d'un piège).</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This zip file would unpack to a huge size: Pli refused to open it (it may be a trap, a "zip bomb").</source>
        <translation>Ce fichier zip prendrait une taille énorme une fois décompressé : Pli a refusé de l'ouvrir (il peut s'agir d'un piège, une « bombe zip »).</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This zip file is compressed abnormally: Pli refused to open it (it may be a trap, a "zip bomb").</source>
        <translation>Ce fichier zip est compressé de façon anormale : Pli a refusé de l'ouvrir (il peut s'agir d'un piège, une « bombe zip »).</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This zip file tries to write outside its folder: Pli refused to open it.</source>
        <translation>Ce fichier zip tente d'écrire hors de son dossier : Pli a refusé de l'ouvrir.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This zip file contains links to other files: Pli refused to open it.</source>
        <translation>Ce fichier zip contient des liens vers d'autres fichiers : Pli a refusé de l'ouvrir.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This zip file is protected by a password: Pli cannot check it.</source>
        <translation>Ce fichier zip est protégé par un mot de passe : Pli ne peut pas le vérifier.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This zip file holds the same name twice: Pli refused to open it.</source>
        <translation>Ce fichier zip contient deux fois le même nom : Pli a refusé de l'ouvrir.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This type of file is not accepted by MSSanté: Pli does not open it.</source>
        <translation>Ce type de fichier n'est pas accepté par MSSanté : Pli ne l'ouvre pas.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Pli cannot show this type of file. You can save it or open it with another application.</source>
        <translation>Pli ne sait pas afficher ce type de fichier. Vous pouvez l'enregistrer ou l'ouvrir avec une autre application.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>This file is empty.</source>
        <translation>Ce fichier est vide.</translation>
    </message>
    <message>
        <location line="+2" />
        <source>The package does not say which patient it is about.</source>
        <translation>Le paquet n'indique pas de quel patient il s'agit.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>The patient is not identified by an INS: check the identity.</source>
        <translation>Le patient n'est pas identifié par un INS : vérifiez son identité.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>The INS %1 is not valid (its key does not check): check the patient's identity.</source>
        <translation>L'INS %1 n'est pas valide (sa clé ne correspond pas) : vérifiez l'identité du patient.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Test identity: this is not a real patient.</source>
        <translation>Identité de test : il ne s'agit pas d'un vrai patient.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Demonstration identity: this is not a real patient.</source>
        <translation>Identité de démonstration : il ne s'agit pas d'un vrai patient.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Document %1 is about another patient than the package.</source>
        <translation>Le document %1 concerne un autre patient que le paquet.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Document %1 names another patient inside than in the package's description.</source>
        <translation>Le document %1 nomme en son sein un autre patient que la description du paquet.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Document %1 does not say which patient it is about.</source>
        <translation>Le document %1 n'indique pas de quel patient il s'agit.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Document %1 has an unknown document type: check what it is before filing it.</source>
        <translation>Le document %1 a un type de document inconnu : vérifiez de quoi il s'agit avant de le classer.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>The package has no description (METADATA.XML): its documents are shown as found.</source>
        <translation>Le paquet n'a pas de description (METADATA.XML) : ses documents sont affichés tels quels.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>The package's description cannot be read: its documents are shown as found.</source>
        <translation>La description du paquet est illisible : ses documents sont affichés tels quels.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>The package lists no document.</source>
        <translation>Le paquet ne contient aucun document.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Document %1 does not have the size announced: it may have been altered.</source>
        <translation>Le document %1 n'a pas la taille annoncée : il a peut-être été modifié.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Document %1 does not match its fingerprint: it may have been altered.</source>
        <translation>Le document %1 ne correspond pas à son empreinte : il a peut-être été modifié.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Document %1 has no fingerprint: its integrity cannot be checked.</source>
        <translation>Le document %1 n'a pas d'empreinte : son intégrité ne peut pas être vérifiée.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Document %1 is announced but missing from the package.</source>
        <translation>Le document %1 est annoncé mais absent du paquet.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Document %1 cannot be read.</source>
        <translation>Le document %1 est illisible.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Document %1 carries a file that is not a PDF.</source>
        <translation>Le document %1 contient un fichier qui n'est pas un PDF.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Document %1 is a copy of an earlier one.</source>
        <translation>Le document %1 est une copie d'un document précédent.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Document %1 conflicts with another version of the same document.</source>
        <translation>Le document %1 est en conflit avec une autre version du même document.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Document %1 points outside the package: ignored.</source>
        <translation>Le document %1 pointe hors du paquet : ignoré.</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Document %1 is not described by the package.</source>
        <translation>Le document %1 n'est pas décrit par le paquet.</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Something is not right with this document (%1).</source>
        <translation>Quelque chose ne va pas avec ce document (%1).</translation>
    </message>
</context>
<context>
    <name>DocumentViewerWindow</name>
    <message>
        <location filename="../../app/ui/documents/viewer_window.py" line="+27" />
        <location line="+11" />
        <source>Document - Pli</source>
        <translation>Document - Pli</translation>
    </message>
    <message>
        <location line="-8" />
        <source>Document viewer</source>
        <translation>Visionneuse de documents</translation>
    </message>
    <message>
        <location line="+8" />
        <source>%1 - Pli</source>
        <translation>%1 - Pli</translation>
    </message>
</context>
<context>
    <name>ImagePreview</name>
    <message>
        <location filename="../../app/ui/documents/image_view.py" line="+66" />
        <source>Image</source>
        <extracomment>Megabytes Qt may allocate for one decoded page (a 600-dpi A4 colour scan is about 140).</extracomment>
        <translation>Image</translation>
    </message>
    <message>
        <location line="+13" />
        <source>Previous page</source>
        <translation>Page précédente</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Next page</source>
        <translation>Page suivante</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Page number</source>
        <translation>Numéro de page</translation>
    </message>
    <message>
        <location line="+4" />
        <source>Zoom out</source>
        <translation>Réduire</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Zoom in</source>
        <translation>Agrandir</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Fit to width</source>
        <translation>Ajuster à la largeur</translation>
    </message>
    <message>
        <location line="+18" />
        <source>Page of the image</source>
        <translation>Page de l'image</translation>
    </message>
    <message>
        <location line="+72" />
        <source>of %1</source>
        <translation>sur %1</translation>
    </message>
    <message>
        <location line="+48" />
        <source>Page %1 of %2</source>
        <translation>Page %1 sur %2</translation>
    </message>
</context>
<context>
    <name>PdfPreview</name>
    <message>
        <location filename="../../app/ui/documents/pdf_view.py" line="+75" />
        <source>PDF document</source>
        <extracomment>Documents up to this many pages scroll continuously; longer ones show one page at a time (QPdfView lays out every page of a continuous view on the Qt thread). Below this width the toolbar drops its labels (zoom, result count, page count). Zoom steps of the + and - buttons (factors of the page's natural size).</extracomment>
        <translation>Document PDF</translation>
    </message>
    <message>
        <location line="+11" />
        <source>Pages of the document</source>
        <translation>Pages du document</translation>
    </message>
    <message>
        <location line="+14" />
        <source>Previous page</source>
        <translation>Page précédente</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Next page</source>
        <translation>Page suivante</translation>
    </message>
    <message>
        <location line="+3" />
        <source>Page number</source>
        <translation>Numéro de page</translation>
    </message>
    <message>
        <location line="+4" />
        <source>Zoom out</source>
        <translation>Réduire</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Zoom in</source>
        <translation>Agrandir</translation>
    </message>
    <message>
        <location line="+255" />
        <source>Width</source>
        <translation>Largeur</translation>
    </message>
    <message>
        <location line="-254" />
        <source>Fit to width</source>
        <translation>Ajuster à la largeur</translation>
    </message>
    <message>
        <location line="+5" />
        <source>Search</source>
        <translation>Rechercher</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Search in the document</source>
        <translation>Rechercher dans le document</translation>
    </message>
    <message>
        <location line="+3" />
        <source>Previous result</source>
        <translation>Résultat précédent</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Next result</source>
        <translation>Résultat suivant</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Text</source>
        <translation>Texte</translation>
    </message>
    <message>
        <location line="+0" />
        <source>Show the page's text</source>
        <translation>Afficher le texte de la page (sélectionnable)</translation>
    </message>
    <message>
        <location line="+32" />
        <source>Text of the page</source>
        <translation>Texte de la page</translation>
    </message>
    <message>
        <location line="+130" />
        <source>of %1</source>
        <translation>sur %1</translation>
    </message>
    <message numerus="yes">
        <location line="+1" />
        <source>%n page(s)</source>
        <translation><numerusform>%n page</numerusform><numerusform>%n pages</numerusform></translation>
    </message>
    <message>
        <location line="+82" />
        <source>Zoom: %1</source>
        <translation>Zoom : %1</translation>
    </message>
    <message>
        <location line="+51" />
        <source>%1 of %2</source>
        <translation>%1 sur %2</translation>
    </message>
    <message>
        <location line="+3" />
        <source>No result</source>
        <translation>Aucun résultat</translation>
    </message>
    <message>
        <location line="+14" />
        <source>(This page has no text: it is an image.)</source>
        <translation>(Cette page n'a pas de texte : c'est une image.)</translation>
    </message>
</context>
<context>
    <name>ReadingPaneDocuments</name>
    <message>
        <location filename="../../app/ui/documents/reading.py" line="+81" />
        <location line="+2" />
        <source>Correspondent's card</source>
        <translation>Fiche du correspondant</translation>
    </message>
    <message>
        <location line="-1" />
        <source>Directory data and last messages (Ctrl+I)</source>
        <translation>Données de l'annuaire et derniers messages (Ctrl+I)</translation>
    </message>
    <message>
        <location line="+151" />
        <source>Folder for &amp;filed documents…</source>
        <translation>Dossier de &amp;classement des documents…</translation>
    </message>
</context>
<context>
    <name>XdmPreview</name>
    <message>
        <location filename="../../app/ui/documents/xdm_view.py" line="+63" />
        <source>IHE XDM package</source>
        <translation>Paquet IHE XDM</translation>
    </message>
    <message>
        <location line="+34" />
        <source>Documents of the package</source>
        <translation>Documents du paquet</translation>
    </message>
    <message>
        <location line="+8" />
        <source>Readable text of the document (CDA)</source>
        <translation>Texte lisible du document (CDA)</translation>
    </message>
    <message>
        <location line="+4" />
        <source>Document</source>
        <translation>Document</translation>
    </message>
    <message>
        <location line="+1" />
        <source>PDF document</source>
        <translation>Document PDF</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Readable text (CDA)</source>
        <translation>Texte lisible (CDA)</translation>
    </message>
    <message>
        <location line="+42" />
        <source>Patient not named</source>
        <translation>Patient non nommé</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Patient: %1</source>
        <translation>Patient : %1</translation>
    </message>
    <message>
        <location line="+6" />
        <source>INS %1</source>
        <translation>INS %1</translation>
    </message>
    <message>
        <location line="+0" />
        <source>INS %1 (not valid)</source>
        <translation>INS %1 (non valide)</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Test identifier %1</source>
        <translation>Identifiant de test %1</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Demonstration identifier %1</source>
        <translation>Identifiant de démonstration %1</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Identifier %1 (not an INS)</source>
        <translation>Identifiant %1 (pas un INS)</translation>
    </message>
    <message>
        <location line="+3" />
        <source>No patient identifier</source>
        <translation>Aucun identifiant de patient</translation>
    </message>
    <message>
        <location line="+2" />
        <source>born on %1</source>
        <translation>né(e) le %1</translation>
    </message>
    <message>
        <location line="+3" />
        <source>To check:</source>
        <translation>À vérifier :</translation>
    </message>
    <message>
        <location line="+3" />
        <source>Problems:</source>
        <translation>Problèmes :</translation>
    </message>
    <message>
        <location line="+14" />
        <source>Document: %1</source>
        <translation>Document : %1</translation>
    </message>
    <message>
        <location line="+6" />
        <source>The package holds no readable document.</source>
        <translation>Le paquet ne contient aucun document lisible.</translation>
    </message>
    <message>
        <location line="+29" />
        <source>Document %1</source>
        <translation>Document %1</translation>
    </message>
    <message>
        <location line="+11" />
        <source>to check</source>
        <translation>à vérifier</translation>
    </message>
    <message>
        <location line="+18" />
        <source>This document is a PDF wrapped in a CDA: see the PDF tab.</source>
        <translation>Ce document est un PDF encapsulé dans un CDA : voir l'onglet Document PDF.</translation>
    </message>
    <message>
        <location line="+3" />
        <source>No readable text in this document.</source>
        <translation>Aucun texte lisible dans ce document.</translation>
    </message>
</context>
</TS>