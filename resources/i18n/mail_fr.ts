<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR" sourcelanguage="en">
<context>
    <name>FolderModel</name>
    <message>
        <location filename="../../app/ui/models/folder_model.py" line="+44"/>
        <source>Inbox</source>
        <extracomment>Account types side by side in this order (spec §1).</extracomment>
        <translation>Boîte de réception</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sent</source>
        <translation>Envoyés</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Drafts</source>
        <translation>Brouillons</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Trash</source>
        <translation>Corbeille</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Junk</source>
        <translation>Indésirables</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Archives</source>
        <translation>Archives</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Personal mailbox</source>
        <translation>Boîte personnelle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Practice mailbox</source>
        <translation>Boîte du cabinet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Organisation mailbox</source>
        <translation>Boîte organisationnelle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Application mailbox</source>
        <translation>Boîte applicative</translation>
    </message>
    <message>
        <location line="+231"/>
        <source>Folder</source>
        <translation>Dossier</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unread</source>
        <translation>Non lus</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Demonstration</source>
        <translation>Démonstration</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 (archive)</source>
        <translation>%1 (archive)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>demo mailbox, not a real account</source>
        <translation>boîte de démonstration, pas un vrai compte</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>mailbox removed, archive kept offline</source>
        <translation>boîte retirée, archive gardée hors ligne</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>no longer on the server, kept here</source>
        <translation>n&apos;existe plus sur le serveur, conservé ici</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n unread</source>
        <translation>
            <numerusform>%n non lu</numerusform>
            <numerusform>%n non lus</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>no unread message</source>
        <translation>aucun message non lu</translation>
    </message>
</context>
<context>
    <name>FolderPane</name>
    <message>
        <location filename="../../app/ui/widgets/folder_pane.py" line="+57"/>
        <source>Mailboxes and folders</source>
        <translation>Boîtes aux lettres et dossiers</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Arrow keys choose a folder; its messages are shown beside.</source>
        <translation>Les flèches choisissent un dossier ; ses messages s’affichent à côté.</translation>
    </message>
</context>
<context>
    <name>MailFormatting</name>
    <message>
        <location filename="../../app/ui/models/formatting.py" line="+25"/>
        <source>h:mm AP</source>
        <comment>time format</comment>
        <extracomment>The window speaks French whatever the system locale (STYLE.md §8).</extracomment>
        <translation>H&apos; h &apos;mm</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>yesterday</source>
        <translation>hier</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>today at %1</source>
        <translation>aujourd&apos;hui à %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>yesterday at %1</source>
        <translation>hier à %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>on %1 at %2</source>
        <translation>le %1 à %2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 at %2</source>
        <translation>%1 à %2</translation>
    </message>
</context>
<context>
    <name>MessageActions</name>
    <message>
        <location filename="../../app/ui/widgets/message_actions.py" line="+128"/>
        <source>&amp;Reply</source>
        <translation>&amp;Répondre</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reply to the sender</source>
        <translation>Répondre à l&apos;expéditeur</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Reply to &amp;all</source>
        <translation>Répondre à &amp;tous</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reply to the sender and every recipient</source>
        <translation>Répondre à l&apos;expéditeur et à tous les destinataires</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Forward</source>
        <translation>Trans&amp;férer</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Forward to someone else</source>
        <translation>Transférer à une autre personne</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Mark as r&amp;ead</source>
        <translation>Marquer comme &amp;lu</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mark as read</source>
        <translation>Marquer comme lu</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Mark as &amp;unread</source>
        <translation>Marquer comme &amp;non lu</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mark as unread</source>
        <translation>Marquer comme non lu</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+83"/>
        <source>F&amp;ollow up</source>
        <translation>&amp;Suivre</translation>
    </message>
    <message>
        <location line="-82"/>
        <source>Follow up (flag) or stop following up</source>
        <translation>Suivre (drapeau) ou ne plus suivre</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Move to…</source>
        <translation>&amp;Déplacer vers…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Move to another folder</source>
        <translation>Déplacer vers un autre dossier</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Delete</source>
        <translation>Su&amp;pprimer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete (to the trash; from the trash, for good)</source>
        <translation>Supprimer (vers la corbeille ; depuis la corbeille, définitivement)</translation>
    </message>
    <message>
        <location line="+74"/>
        <source>Stop f&amp;ollowing up</source>
        <translation>Ne plus &amp;suivre</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>Move to…</source>
        <translation>Déplacer vers…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose messages of one mailbox at a time to move them.</source>
        <translation>Pour les déplacer, choisissez les messages d&apos;une seule boîte à la fois.</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>Delete for good?</source>
        <translation>Supprimer définitivement ?</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n message(s) will be deleted for good, from this computer and from the server.</source>
        <translation>
            <numerusform>%n message sera supprimé définitivement, de cet ordinateur et du serveur.</numerusform>
            <numerusform>%n messages seront supprimés définitivement, de cet ordinateur et du serveur.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Delete for good</source>
        <translation>Supprimer définitivement</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
</context>
<context>
    <name>MessageListModel</name>
    <message>
        <location filename="../../app/ui/models/message_list_model.py" line="+123"/>
        <source>(unknown sender)</source>
        <translation>(expéditeur inconnu)</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>(no subject)</source>
        <extracomment>Rows fetched per page (a screen holds about 15; a page covers a few flicks of the wheel).</extracomment>
        <translation>(sans objet)</translation>
    </message>
    <message numerus="yes">
        <location line="+7"/>
        <source>%1 and %n other(s)</source>
        <translation>
            <numerusform>%1 et %n autre</numerusform>
            <numerusform>%1 et %n autres</numerusform>
        </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>To: %1</source>
        <translation>À : %1</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>patient</source>
        <comment>a woman</comment>
        <translation>patiente</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>patient</source>
        <comment>a man or unknown</comment>
        <translation>patient</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Unread.</source>
        <translation>Non lu.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>To %1, %2, INS %3.</source>
        <translation>À %1, %2, INS %3.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>To %1.</source>
        <translation>À %1.</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>And %n other recipient(s).</source>
        <translation>
            <numerusform>Et %n autre destinataire.</numerusform>
            <numerusform>Et %n autres destinataires.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>From %1, %2, INS %3.</source>
        <translation>De %1, %2, INS %3.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>From %1, about the patient with INS %2.</source>
        <comment>a woman</comment>
        <translation>De %1, au sujet de la patiente INS %2.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>From %1, about the patient with INS %2.</source>
        <comment>a man or unknown</comment>
        <translation>De %1, au sujet du patient INS %2.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>From %1.</source>
        <translation>De %1.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Subject: %1.</source>
        <translation>Objet : %1.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sent %1.</source>
        <translation>Envoyé %1.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Received %1.</source>
        <translation>Reçu %1.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Attachment.</source>
        <translation>Pièce jointe.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Followed up.</source>
        <translation>Suivi.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Answered.</source>
        <translation>Répondu.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Deleted from the server, kept here.</source>
        <translation>Supprimé du serveur, conservé ici.</translation>
    </message>
</context>
<context>
    <name>MessageListPane</name>
    <message>
        <location filename="../../app/ui/widgets/message_list_pane.py" line="+73"/>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Newest first. Arrow keys move between messages.</source>
        <translation>Les plus récents en premier. Les flèches passent d’un message à l’autre.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Shown list</source>
        <translation>Liste affichée</translation>
    </message>
    <message>
        <location line="+20"/>
        <location line="+86"/>
        <source>Choose a folder.</source>
        <translation>Choisissez un dossier.</translation>
    </message>
    <message>
        <location line="-37"/>
        <location line="+191"/>
        <source>No message in this folder.</source>
        <translation>Aucun message dans ce dossier.</translation>
    </message>
    <message>
        <location line="-173"/>
        <source>Search results for “%1”</source>
        <translation>Résultats pour « %1 »</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No result for “%1”</source>
        <translation>Aucun résultat pour « %1 »</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+163"/>
        <source>No message matches. Words inside attached PDFs are searched too.</source>
        <translation>Aucun message ne correspond. Les mots des PDF joints sont aussi cherchés.</translation>
    </message>
</context>
<context>
    <name>MessageRowDelegate</name>
    <message>
        <location filename="../../app/ui/widgets/mail_list_delegate.py" line="+44"/>
        <source>Patient</source>
        <translation>Patient</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deleted from the server</source>
        <translation>Supprimé du serveur</translation>
    </message>
</context>
<context>
    <name>MoveDialog</name>
    <message>
        <location filename="../../app/ui/widgets/message_actions.py" line="-297"/>
        <source>Move to…</source>
        <translation>Déplacer vers…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Move to a folder</source>
        <translation>Déplacer vers un dossier</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Destination folder</source>
        <translation>Dossier de destination</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Move the selected messages to:</source>
        <translation>Déplacer les messages choisis vers :</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+1"/>
        <source>Move</source>
        <translation>Déplacer</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
</context>
<context>
    <name>ReadingPane</name>
    <message>
        <location filename="../../app/ui/widgets/reading_pane.py" line="+185"/>
        <source>Subject</source>
        <extracomment>Characters of HTML laid out at most; beyond, the text version is shown instead.</extracomment>
        <translation>Objet</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>From</source>
        <translation>De</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sender&apos;s identity</source>
        <translation>Identité de l&apos;expéditeur</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+274"/>
        <source>Patient</source>
        <translation>Patient</translation>
    </message>
    <message>
        <location line="-269"/>
        <source>To</source>
        <translation>À</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy</source>
        <translation>Copie</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Notice</source>
        <translation>Avertissement</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Message text</source>
        <translation>Texte du message</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Attachments</source>
        <translation>Pièces jointes</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>To:</source>
        <translation>À :</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cc:</source>
        <translation>Cc :</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Choose a message to read it.</source>
        <extracomment>Where other screens put a widget under the header (issue 11: the read-receipt offer, app/ui/receipts.py); empty by default.</extracomment>
        <translation>Choisissez un message pour le lire.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Reading pane</source>
        <translation>Volet de lecture</translation>
    </message>
    <message>
        <location line="+162"/>
        <source>Subject: %1</source>
        <translation>Objet : %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>From: %1</source>
        <translation>De : %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Patient · INS %1</source>
        <translation>Patient · INS %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Date: %1</source>
        <translation>Date : %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>To: %1</source>
        <translation>À : %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cc: %1</source>
        <translation>Cc : %1</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>[Text shortened for display.]</source>
        <translation>[Texte raccourci pour l’affichage.]</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>(unnamed)</source>
        <translation>(sans nom)</translation>
    </message>
    <message numerus="yes">
        <location line="+21"/>
        <source>IHE XDM package, %n document(s)</source>
        <translation>
            <numerusform>paquet IHE XDM, %n document</numerusform>
            <numerusform>paquet IHE XDM, %n documents</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1, not accepted by MSSanté</source>
        <translation>%1, refusé par MSSanté</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Directory: %1</source>
        <translation>Annuaire : %1</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Deleted from the server, kept here: this copy stays in your archive.</source>
        <translation>Supprimé du serveur, conservé ici : cette copie reste dans votre archive.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This message ends the exchange with the patient.</source>
        <translation>Ce message clôt l&apos;échange avec le patient.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The exchange with this patient was closed on %1.</source>
        <translation>L&apos;échange avec ce patient a été clos le %1.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Delivery or read report about a message you sent.</source>
        <translation>Accusé de réception ou de lecture d&apos;un message que vous avez envoyé.</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%n remote image(s) not loaded: Pli never fetches content from the Internet.</source>
        <translation>
            <numerusform>%n image distante non chargée : Pli ne télécharge jamais rien depuis Internet.</numerusform>
            <numerusform>%n images distantes non chargées : Pli ne télécharge jamais rien depuis Internet.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The body is not archived yet; it will appear after the sync.</source>
        <translation>Le contenu n&apos;est pas encore archivé ; il apparaîtra après la synchronisation.</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Open the link?</source>
        <translation>Ouvrir le lien ?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open this address in your browser?

%1</source>
        <translation>Ouvrir cette adresse dans votre navigateur ?

%1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Open</source>
        <translation>Ouvrir</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>PDF document</source>
        <translation>document PDF</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>JPEG image</source>
        <translation>image JPEG</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PNG image</source>
        <translation>image PNG</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>TIFF image</source>
        <translation>image TIFF</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RTF document</source>
        <translation>document RTF</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ZIP archive</source>
        <translation>archive ZIP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>XML document</source>
        <translation>document XML</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GIF image</source>
        <translation>image GIF</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>BMP image</source>
        <translation>image BMP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>WebP image</source>
        <translation>image WebP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>old Office document</source>
        <translation>ancien document Office</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Office document</source>
        <translation>document Office</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>program (dangerous)</source>
        <translation>programme (dangereux)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>web page</source>
        <translation>page web</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>text</source>
        <translation>texte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>empty file</source>
        <translation>fichier vide</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unknown type</source>
        <translation>type inconnu</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Not delivered: this patient&apos;s Mon espace santé messaging is closed. Reach them another way.</source>
        <translation>Non distribué : la messagerie Mon espace santé de ce patient est fermée. Contactez-le par un autre moyen.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Not delivered: Mon espace santé does not know this patient. Check the INS.</source>
        <translation>Non distribué : Mon espace santé ne connaît pas ce patient. Vérifiez l&apos;INS.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Not delivered: the patient&apos;s address is not valid. Check the INS.</source>
        <translation>Non distribué : l&apos;adresse du patient n&apos;est pas valide. Vérifiez l&apos;INS.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not delivered: the message was too large for Mon espace santé.</source>
        <translation>Non distribué : le message était trop volumineux pour Mon espace santé.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not delivered to the patient (Mon espace santé refused it).</source>
        <translation>Non distribué au patient (refusé par Mon espace santé).</translation>
    </message>
</context>
<context>
    <name>SearchBar</name>
    <message>
        <location filename="../../app/ui/widgets/search_bar.py" line="+81"/>
        <source>Search the archive (Ctrl+F)</source>
        <extracomment>Pause after the last keystroke before searching (ms).</extracomment>
        <translation>Rechercher dans l&apos;archive (Ctrl+F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search</source>
        <translation>Rechercher</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Words of the subject, people, text and attached PDFs. Escape clears the search.</source>
        <translation>Mots de l&apos;objet, des personnes, du texte et des PDF joints. Échap efface la recherche.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Filters</source>
        <translation>Filtres</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+315"/>
        <source>Show the search filters</source>
        <translation>Afficher les filtres de recherche</translation>
    </message>
    <message>
        <location line="-271"/>
        <source>Mailbox</source>
        <translation>Boîte aux lettres</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Folder</source>
        <translation>Dossier</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Correspondent&apos;s address</source>
        <translation>Adresse du correspondant</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Correspondent</source>
        <translation>Correspondant</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Patient&apos;s INS</source>
        <translation>INS du patient</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Patient (INS)</source>
        <translation>Patient (INS)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>With attachment</source>
        <translation>Avec pièce jointe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only messages with an attachment</source>
        <translation>Seulement les messages avec pièce jointe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>From</source>
        <translation>Du</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Limit from a date</source>
        <translation>À partir d&apos;une date</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start date</source>
        <translation>Date de début</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>to</source>
        <translation>au</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Limit to a date</source>
        <translation>Jusqu&apos;à une date</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>End date</source>
        <translation>Date de fin</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reset</source>
        <translation>Réinitialiser</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reset the filters</source>
        <translation>Réinitialiser les filtres</translation>
    </message>
    <message>
        <location line="+25"/>
        <location line="+249"/>
        <source>All mailboxes</source>
        <translation>Toutes les boîtes</translation>
    </message>
    <message>
        <location line="-248"/>
        <location line="+261"/>
        <source>All folders</source>
        <translation>Tous les dossiers</translation>
    </message>
    <message>
        <location line="-128"/>
        <source>This INS is not valid (15 characters, key checked).</source>
        <translation>Cet INS n&apos;est pas valide (15 caractères, clé vérifiée).</translation>
    </message>
    <message>
        <location line="+92"/>
        <source>Hide the search filters</source>
        <translation>Masquer les filtres de recherche</translation>
    </message>
</context>
</TS>
