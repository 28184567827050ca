<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>CorrespondentCard</name>
    <message>
        <location filename="../../app/ui/directory/card.py" line="+55" />
        <source>Correspondent: %1</source>
        <extracomment>Messages listed on a card.</extracomment>
        <translation>Correspondant : %1</translation>
    </message>
    <message>
        <location line="+7" />
        <source>Looking in the directory…</source>
        <translation>Recherche dans l'annuaire…</translation>
    </message>
    <message>
        <location line="+5" />
        <location line="+4" />
        <source>Last messages exchanged</source>
        <translation>Derniers messages échangés</translation>
    </message>
    <message>
        <location line="+3" />
        <source>&amp;Write</source>
        <translation>É&amp;crire</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Write</source>
        <translation>Écrire</translation>
    </message>
    <message>
        <location line="+1" />
        <location line="+73" />
        <source>Add to &amp;favourites</source>
        <translation>Ajouter aux &amp;favoris</translation>
    </message>
    <message>
        <location line="-40" />
        <source>(no subject)</source>
        <translation>(sans objet)</translation>
    </message>
    <message>
        <location line="+8" />
        <source>No message exchanged yet.</source>
        <translation>Aucun message échangé pour l'instant.</translation>
    </message>
    <message>
        <location line="+5" />
        <source>%1 is not in the directory imported on this computer.</source>
        <translation>%1 ne figure pas dans l'annuaire importé sur cet ordinateur.</translation>
    </message>
    <message>
        <location line="+14" />
        <source>Mailboxes:</source>
        <translation>Boîtes aux lettres :</translation>
    </message>
    <message>
        <location line="+13" />
        <source>Remove from &amp;favourites</source>
        <translation>Retirer des &amp;favoris</translation>
    </message>
</context>
<context>
    <name>DirectoryPanel</name>
    <message>
        <location filename="../../app/ui/directory/panel.py" line="+81" />
        <source>Health directory</source>
        <extracomment>Milliseconds after the last key press before searching. Columns of the filters' grid. Results shown at most.</extracomment>
        <translation>Annuaire santé</translation>
    </message>
    <message>
        <location line="+12" />
        <source>&amp;Update</source>
        <translation>&amp;Mettre à jour</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Update the directory</source>
        <translation>Mettre à jour l'annuaire</translation>
    </message>
    <message>
        <location line="+3" />
        <source>Import an extraction file…</source>
        <translation>Importer un fichier d'extraction…</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Download from the configured address</source>
        <translation>Télécharger depuis l'adresse configurée</translation>
    </message>
    <message>
        <location line="+3" />
        <source>Directory update</source>
        <translation>Mise à jour de l'annuaire</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Cancel the update</source>
        <translation>Annuler la mise à jour</translation>
    </message>
    <message>
        <location line="+6" />
        <source>Name, structure, town, profession, RPPS… (e.g. CHU Pointe-à-Pitre)</source>
        <translation>Nom, structure, ville, profession, RPPS… (ex. CHU Pointe-à-Pitre)</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Search the directory</source>
        <translation>Rechercher dans l'annuaire</translation>
    </message>
    <message>
        <location line="+3" />
        <source>&amp;Filters</source>
        <translation>&amp;Filtres</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Show the filters</source>
        <translation>Afficher les filtres</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Also search &amp;online (Annuaire Santé)</source>
        <translation>Chercher aussi en &amp;ligne (Annuaire Santé)</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Also search online</source>
        <translation>Chercher aussi en ligne</translation>
    </message>
    <message>
        <location line="+10" />
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Given name</source>
        <translation>Prénom</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Profession</source>
        <translation>Profession</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Speciality</source>
        <translation>Spécialité</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Structure</source>
        <translation>Structure</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Town</source>
        <translation>Ville</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Postcode</source>
        <translation>Code postal</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Department</source>
        <translation>Département</translation>
    </message>
    <message>
        <location line="+1" />
        <source>RPPS or ADELI</source>
        <translation>RPPS ou ADELI</translation>
    </message>
    <message>
        <location line="+13" />
        <location line="+10" />
        <source>Mailbox type</source>
        <translation>Type de boîte</translation>
    </message>
    <message>
        <location line="-9" />
        <source>All types</source>
        <translation>Tous les types</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Personal (PER)</source>
        <translation>Personnelle (PER)</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Organisation (ORG)</source>
        <translation>Organisationnelle (ORG)</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Practice (CAB)</source>
        <translation>Cabinet (CAB)</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Software (APP)</source>
        <translation>Applicative (APP)</translation>
    </message>
    <message>
        <location line="+18" />
        <source>Directory results</source>
        <translation>Résultats de l'annuaire</translation>
    </message>
    <message>
        <location line="+5" />
        <source>&amp;Write</source>
        <translation>É&amp;crire</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Write to this mailbox</source>
        <translation>Écrire à cette boîte</translation>
    </message>
    <message>
        <location line="+1" />
        <location line="+224" />
        <source>Add to &amp;favourites</source>
        <translation>Ajouter aux &amp;favoris</translation>
    </message>
    <message>
        <location line="-223" />
        <source>&amp;Copy the address</source>
        <translation>Co&amp;pier l'adresse</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Copy the address</source>
        <translation>Copier l'adresse</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Correspondent's c&amp;ard</source>
        <translation>Fic&amp;he du correspondant</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Correspondent's card</source>
        <translation>Fiche du correspondant</translation>
    </message>
    <message>
        <location line="+63" />
        <source>National directory of %1: %2 mailboxes.</source>
        <translation>Annuaire national du %1 : %2 boîtes aux lettres.</translation>
    </message>
    <message>
        <location line="+3" />
        <source>It is old: update it.</source>
        <translation>Il est ancien : mettez-le à jour.</translation>
    </message>
    <message>
        <location line="+2" />
        <source>The national directory is not imported yet: use Update.</source>
        <translation>L'annuaire national n'est pas encore importé : utilisez Mettre à jour.</translation>
    </message>
    <message>
        <location line="+6" />
        <source>Online search needs an Annuaire Santé API key.</source>
        <translation>La recherche en ligne demande une clé d'API de l'Annuaire Santé.</translation>
    </message>
    <message>
        <location line="+54" />
        <source>Favourite</source>
        <translation>Favori</translation>
    </message>
    <message>
        <location line="+0" />
        <source>Recent</source>
        <translation>Récent</translation>
    </message>
    <message>
        <location line="+7" />
        <source>Favourites and recent correspondents</source>
        <translation>Favoris et correspondants récents</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Type a name, a structure or a town to search the directory.</source>
        <translation>Tapez un nom, une structure ou une ville pour chercher dans l'annuaire.</translation>
    </message>
    <message numerus="yes">
        <location line="+21" />
        <source>%n result(s)</source>
        <translation><numerusform>%n résultat</numerusform><numerusform>%n résultats</numerusform></translation>
    </message>
    <message numerus="yes">
        <location line="+2" />
        <source>%n first result(s): refine the search</source>
        <translation><numerusform>%n premier résultat : précisez la recherche</numerusform><numerusform>%n premiers résultats : précisez la recherche</numerusform></translation>
    </message>
    <message>
        <location line="+2" />
        <source>from the online directory (Annuaire Santé)</source>
        <translation>de l'annuaire en ligne (Annuaire Santé)</translation>
    </message>
    <message>
        <location line="+2" />
        <source>offline directory and online directory</source>
        <translation>annuaire local et annuaire en ligne</translation>
    </message>
    <message>
        <location line="+33" />
        <source>(online directory)</source>
        <translation>(annuaire en ligne)</translation>
    </message>
    <message>
        <location line="+23" />
        <source>Remove from &amp;favourites</source>
        <translation>Retirer des &amp;favoris</translation>
    </message>
    <message>
        <location line="+15" />
        <source>Address copied: %1</source>
        <translation>Adresse copiée : %1</translation>
    </message>
    <message>
        <location line="+52" />
        <source>Updating the directory…</source>
        <translation>Mise à jour de l'annuaire…</translation>
    </message>
    <message>
        <location line="+7" />
        <source>Update cancelled: the directory is unchanged.</source>
        <translation>Mise à jour annulée : l'annuaire est inchangé.</translation>
    </message>
    <message>
        <location line="+16" />
        <source>Directory updated: %1 mailboxes, %2 professionals.</source>
        <translation>Annuaire mis à jour : %1 boîtes aux lettres, %2 professionnels.</translation>
    </message>
    <message numerus="yes">
        <location line="+4" />
        <source>%n line(s) ignored (malformed).</source>
        <translation><numerusform>%n ligne ignorée (mal formée).</numerusform><numerusform>%n lignes ignorées (mal formées).</numerusform></translation>
    </message>
    <message>
        <location line="+20" />
        <source>%1 lines read</source>
        <translation>%1 lignes lues</translation>
    </message>
    <message>
        <location line="+3" />
        <source>National directory extraction</source>
        <translation>Extraction de l'annuaire national</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Directory extraction (*.txt *.zip)</source>
        <translation>Extraction de l'annuaire (*.txt *.zip)</translation>
    </message>
    <message>
        <location line="+40" />
        <source>Directory</source>
        <translation>Annuaire</translation>
    </message>
</context>
</TS>