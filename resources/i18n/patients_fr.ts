<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>Conversation</name>
    <message>
        <location filename="../../app/ui/patients/conversation_model.py" line="+56"/>
        <source>Not delivered: this patient&apos;s Mon espace santé messaging is closed (turned off, objected to, or not activated yet). Contact them another way.</source>
        <extracomment>Kinds of rows.</extracomment>
        <translation>Non distribué&#xa0;: la messagerie Mon espace santé de ce patient est fermée (désactivée, refusée ou pas encore activée). Contactez-le par un autre moyen.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Not delivered: no patient has this address in Mon espace santé. Check the patient&apos;s INS (qualified identity) before writing again.</source>
        <translation>Non distribué&#xa0;: aucun patient n&apos;a cette adresse dans Mon espace santé. Vérifiez l&apos;INS du patient (identité qualifiée) avant de lui écrire de nouveau.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Not delivered: the patient&apos;s address is not valid. A patient&apos;s address is &lt;INS&gt;@patient.mssante.fr, from their qualified INS.</source>
        <translation>Non distribué&#xa0;: l&apos;adresse du patient n&apos;est pas valide. L&apos;adresse d&apos;un patient s&apos;écrit &lt;INS&gt;@patient.mssante.fr, à partir de son INS qualifié.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Not delivered: too large for Mon espace santé (25 MB in all, attachments included). Send the documents in several messages or make them smaller.</source>
        <translation>Non distribué&#xa0;: trop volumineux pour Mon espace santé (25 Mo au total, pièces jointes comprises). Envoyez les documents en plusieurs messages ou réduisez leur taille.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Not delivered: Mon espace santé returned the message.</source>
        <translation>Non distribué&#xa0;: Mon espace santé a renvoyé le message.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Not delivered</source>
        <translation>Non distribué</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Failed</source>
        <translation>Échec</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Read</source>
        <translation>Lu</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Delivered</source>
        <translation>Distribué</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sent</source>
        <translation>Envoyé</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The server refused the message for this patient (%1).</source>
        <translation>Le serveur a refusé le message pour ce patient (%1).</translation>
    </message>
    <message>
        <location line="+19"/>
        <location line="+8"/>
        <source>IHE XDM package</source>
        <translation>Paquet IHE XDM</translation>
    </message>
    <message>
        <location line="-17"/>
        <location line="+1"/>
        <location line="+1"/>
        <location line="+17"/>
        <source>Image %1</source>
        <translation>Image %1</translation>
    </message>
    <message>
        <location line="-53"/>
        <source>Waiting to leave (outbox)</source>
        <translation>En attente d&apos;envoi (boîte d&apos;envoi)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refused by the server</source>
        <translation>Refusé par le serveur</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>See the outbox to retry it.</source>
        <translation>Voir la boîte d&apos;envoi pour réessayer.</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>%1 (not accepted by MSSanté)</source>
        <translation>%1 (refusé par MSSanté)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>File</source>
        <translation>Fichier</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>(unnamed)</source>
        <translation>(sans nom)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Today</source>
        <translation>Aujourd&apos;hui</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Yesterday</source>
        <translation>Hier</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Exchange ended %1</source>
        <translation>Échange clos %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Conversation reopened %1</source>
        <translation>Conversation rouverte %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The patient objects to messaging</source>
        <translation>Le patient s&apos;oppose à la messagerie</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>From %1</source>
        <translation>De %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Notice from Mon espace santé</source>
        <translation>Avis de Mon espace santé</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sent by you</source>
        <translation>Envoyé par vous</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n document(s)</source>
        <translation>
            <numerusform>%n document</numerusform>
            <numerusform>%n documents</numerusform>
        </translation>
    </message>
    <message>
        <location line="+8"/>
        <source>end of the exchange</source>
        <translation>fin de l&apos;échange</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>received after the end of the exchange</source>
        <translation>reçu après la fin de l&apos;échange</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>unread</source>
        <translation>non lu</translation>
    </message>
    <message numerus="yes">
        <location line="+101"/>
        <source>Show %n earlier message(s)</source>
        <translation>
            <numerusform>Afficher %n message précédent</numerusform>
            <numerusform>Afficher les %n messages précédents</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConversationDelegate</name>
    <message>
        <location filename="../../app/ui/patients/conversation_delegate.py" line="+158"/>
        <source>End of the exchange</source>
        <translation>Fin de l&apos;échange</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Received after the end of the exchange</source>
        <translation>Reçu après la fin de l&apos;échange</translation>
    </message>
</context>
<context>
    <name>DirectoryCardDialog</name>
    <message>
        <location filename="../../app/ui/patients/thread_dialog.py" line="+77"/>
        <source>Directory card</source>
        <translation>Fiche annuaire</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Directory card of %1</source>
        <translation>Fiche annuaire de %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Looking up %1 in the directory…</source>
        <translation>Recherche de %1 dans l&apos;annuaire…</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>%1 is not in the offline directory (import it from the Directory page).</source>
        <translation>%1 n&apos;est pas dans l&apos;annuaire hors ligne (importez-le depuis la page Annuaire).</translation>
    </message>
</context>
<context>
    <name>MessageExtras</name>
    <message>
        <location filename="../../app/ui/receipts.py" line="+169"/>
        <source>See the &amp;thread</source>
        <translation>Voir le fi&amp;l</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>See the message&apos;s thread</source>
        <translation>Voir le fil du message</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Directory &amp;card</source>
        <translation>Fic&amp;he annuaire</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The sender&apos;s directory card</source>
        <translation>La fiche annuaire de l&apos;expéditeur</translation>
    </message>
</context>
<context>
    <name>Outbox</name>
    <message>
        <location filename="../../app/ui/outbox/outbox_model.py" line="+42"/>
        <source>Waiting to leave</source>
        <extracomment>Columns of the table.</extracomment>
        <translation>En attente d&apos;envoi</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Being sent</source>
        <translation>Envoi en cours</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Being checked</source>
        <translation>Vérification en cours</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Failed</source>
        <translation>Échec</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sent, waiting for some recipients</source>
        <translation>Envoyé, en attente pour certains destinataires</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sent, not delivered to everyone</source>
        <translation>Envoyé, non distribué à tous</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Read</source>
        <translation>Lu</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Delivered</source>
        <translation>Distribué</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sent</source>
        <translation>Envoyé</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>End of the exchange</source>
        <translation>Fin de l&apos;échange</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Read receipt</source>
        <translation>Accusé de lecture</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Waits: %1. It leaves by itself when the server is back.</source>
        <translation>En attente&#xa0;: %1. Il partira de lui-même quand le serveur sera de retour.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>It leaves at the next connection to the server.</source>
        <translation>Il part à la prochaine connexion au serveur.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server&apos;s answer was lost: Pli looks for the message on the server before sending it again, so that it never leaves twice.</source>
        <translation>La réponse du serveur a été perdue&#xa0;: Pli cherche le message sur le serveur avant de le renvoyer, pour qu&apos;il ne parte jamais deux fois.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Refused by the server: %1</source>
        <translation>Refusé par le serveur&#xa0;: %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>sent</source>
        <translation>envoyé</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>delivered</source>
        <translation>distribué</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>read</source>
        <translation>lu</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not delivered</source>
        <translation>non distribué</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>waiting (the server answered: %1)</source>
        <translation>en attente (le serveur a répondu&#xa0;: %1)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>copy in Sent still to be made</source>
        <translation>copie dans Envoyés encore à faire</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>State</source>
        <extracomment>Entry id → code of its last attempt&apos;s outcome (from `OutboxChanged`).</extracomment>
        <translation>État</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Subject</source>
        <translation>Objet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>To</source>
        <translation>Destinataires</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Written</source>
        <translation>Écrit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
</context>
<context>
    <name>OutboxPage</name>
    <message>
        <location filename="../../app/ui/outbox/outbox_page.py" line="+58"/>
        <location line="+7"/>
        <source>Outbox</source>
        <extracomment>Events are gathered this long before the page reads the outbox again.</extracomment>
        <translation>Boîte d&apos;envoi</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>What you write is kept encrypted here until the server accepts it. A message waiting for the server leaves by itself as soon as it can be reached; Pli checks on the server before sending again, so a message never leaves twice.</source>
        <translation>Ce que vous écrivez est gardé ici, chiffré, jusqu&apos;à ce que le serveur l&apos;accepte. Un message en attente part de lui-même dès que le serveur est joignable&#x202f;; Pli vérifie sur le serveur avant tout nouvel envoi&#xa0;: un message ne part jamais deux fois.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Messages of the outbox</source>
        <translation>Messages de la boîte d&apos;envoi</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>&amp;Retry</source>
        <translation>&amp;Réessayer</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Retry sending the chosen message</source>
        <translation>Réessayer l&apos;envoi du message choisi</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Cancel the sending…</source>
        <translation>A&amp;nnuler l&apos;envoi…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel the chosen message before it leaves</source>
        <translation>Annuler le message choisi avant son départ</translation>
    </message>
    <message numerus="yes">
        <location line="+62"/>
        <source>%n message(s) waiting to leave</source>
        <translation>
            <numerusform>%n message en attente d&apos;envoi</numerusform>
            <numerusform>%n messages en attente d&apos;envoi</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n failed</source>
        <translation>
            <numerusform>%n en échec</numerusform>
            <numerusform>%n en échec</numerusform>
        </translation>
    </message>
    <message>
        <location line="+79"/>
        <source>The server cannot be reached: %1. The message waits.</source>
        <translation>Le serveur est injoignable&#xa0;: %1. Le message attend.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The server refused the message again.</source>
        <translation>Le serveur a de nouveau refusé le message.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server still refuses some recipients for now. Pli tries again later.</source>
        <translation>Le serveur refuse encore certains destinataires pour le moment. Pli réessaiera plus tard de lui-même.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sent.</source>
        <translation>Envoyé.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Cancel the sending</source>
        <translation>Annuler l&apos;envoi</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This message has not left yet. Cancel it? It is taken out of the outbox and will not be sent.</source>
        <translation>Ce message n&apos;est pas encore parti. L&apos;annuler&#x202f;? Il est retiré de la boîte d&apos;envoi et ne sera pas envoyé.</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>The message will not be sent.</source>
        <translation>Le message ne sera pas envoyé.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Too late: the message is already leaving.</source>
        <translation>Trop tard&#xa0;: le message est déjà en cours d&apos;envoi.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This message has already been sent.</source>
        <translation>Ce message est déjà parti.</translation>
    </message>
</context>
<context>
    <name>PatientList</name>
    <message>
        <location filename="../../app/ui/patients/patient_list_model.py" line="+44"/>
        <source>INS %1</source>
        <translation>INS %1</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n unread message(s)</source>
        <translation>
            <numerusform>%n message non lu</numerusform>
            <numerusform>%n messages non lus</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>waiting for your answer</source>
        <translation>en attente de votre réponse</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>your last message was not delivered</source>
        <translation>votre dernier message n&apos;a pas été distribué</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>exchange ended</source>
        <translation>échange clos</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>last message %1</source>
        <translation>dernier message %1</translation>
    </message>
</context>
<context>
    <name>PatientRowDelegate</name>
    <message numerus="yes">
        <location filename="../../app/ui/patients/patient_list_delegate.py" line="+35"/>
        <source>%n unread</source>
        <translation>
            <numerusform>%n non lu</numerusform>
            <numerusform>%n non lus</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Waiting for your answer</source>
        <translation>En attente de votre réponse</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not delivered</source>
        <translation>Non distribué</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Exchange ended</source>
        <translation>Échange clos</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Objects to messaging</source>
        <translation>S&apos;oppose à la messagerie</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>INS %1</source>
        <translation>INS %1</translation>
    </message>
</context>
<context>
    <name>PatientScreens</name>
    <message>
        <location filename="../../app/ui/patients/__init__.py" line="+35"/>
        <source>Sending</source>
        <translation>Envoi</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Outbox</source>
        <translation>Boîte d&apos;envoi</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n message(s) waiting to leave</source>
        <translation>
            <numerusform>%n message en attente d&apos;envoi</numerusform>
            <numerusform>%n messages en attente d&apos;envoi</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n failed</source>
        <translation>
            <numerusform>%n en échec</numerusform>
            <numerusform>%n en échec</numerusform>
        </translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Patients</source>
        <translation>Patients</translation>
    </message>
</context>
<context>
    <name>PatientsPage</name>
    <message>
        <location filename="../../app/ui/patients/patients_page.py" line="+114"/>
        <location line="+19"/>
        <source>Patients</source>
        <extracomment>Earlier messages read at a time when &quot;Afficher les messages précédents&quot; is chosen. Events are gathered this long before the page reads again (a sync publishes many).</extracomment>
        <translation>Patients</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>Search by name or INS</source>
        <translation>Rechercher par nom ou INS</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search a patient by name or INS</source>
        <translation>Rechercher un patient par nom ou INS</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>No patient yet: patients appear here with their first message.</source>
        <translation>Aucun patient pour l&apos;instant&#xa0;: les patients apparaissent ici avec leur premier message.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>&amp;Reply</source>
        <translation>&amp;Répondre</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reply to the patient</source>
        <translation>Répondre au patient</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Write to the patient in this conversation (reopens an ended exchange)</source>
        <translation>Écrire au patient dans cette conversation (rouvre un échange clos)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;End the exchange…</source>
        <translation>&amp;Clore l&apos;échange…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>End the exchange with the patient</source>
        <translation>Clore l&apos;échange avec le patient</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Conversation with the patient</source>
        <translation>Conversation avec le patient</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Open</source>
        <translation>&amp;Ouvrir</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open the chosen message</source>
        <translation>Ouvrir le message choisi</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;File the documents…</source>
        <translation>Cla&amp;sser les documents…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>File the chosen message&apos;s documents in the patient&apos;s folder</source>
        <translation>Classer les documents du message choisi dans le dossier du patient</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>See the &amp;thread</source>
        <translation>Voir le fi&amp;l</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>See the chosen message&apos;s thread</source>
        <translation>Voir le fil du message choisi</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Choose a patient to read the conversation.</source>
        <translation>Choisissez un patient pour lire la conversation.</translation>
    </message>
    <message>
        <location line="+150"/>
        <source>Patient: %1</source>
        <translation>Patient&#xa0;: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>INS %1</source>
        <translation>INS %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>born on %1</source>
        <translation>né(e) le %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Exchange ended %1. The patient sees a banner in Mon espace santé and can no longer answer your earlier messages. Writing to them again reopens the conversation.</source>
        <translation>Échange clos %1. Le patient voit un bandeau dans Mon espace santé et ne peut plus répondre à vos messages précédents. Lui écrire de nouveau rouvre la conversation.</translation>
    </message>
    <message>
        <location line="+99"/>
        <source>Where to file the patients&apos; documents</source>
        <translation>Où classer les documents des patients</translation>
    </message>
    <message numerus="yes">
        <location line="+13"/>
        <source>%n document(s) filed in the patient&apos;s folder.</source>
        <translation>
            <numerusform>%n document classé dans le dossier du patient.</numerusform>
            <numerusform>%n documents classés dans le dossier du patient.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+30"/>
        <location line="+9"/>
        <source>End the exchange</source>
        <translation>Clore l&apos;échange</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>End the exchange with %1?</source>
        <translation>Clore l&apos;échange avec %1&#x202f;?</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Pli sends them a message marked [FIN]. In Mon espace santé the patient then sees a banner saying that you ended the exchange, and can no longer answer your earlier messages. A new message from you reopens the conversation.</source>
        <translation>Pli lui envoie un message marqué [FIN]. Dans Mon espace santé, le patient voit alors un bandeau indiquant que vous avez mis fin à l&apos;échange, et ne peut plus répondre à vos messages précédents. Un nouveau message de votre part rouvre la conversation.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>The exchange is ended.</source>
        <translation>L&apos;échange est clos.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server refused the end of the exchange: see the outbox.</source>
        <translation>Le serveur a refusé la fin de l&apos;échange&#xa0;: voir la boîte d&apos;envoi.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The end of the exchange waits in the outbox: it leaves as soon as the server can be reached.</source>
        <translation>La fin de l&apos;échange attend dans la boîte d&apos;envoi&#xa0;: elle part dès que le serveur est joignable.</translation>
    </message>
</context>
<context>
    <name>ReceiptOffer</name>
    <message>
        <location filename="../../app/ui/receipts.py" line="-122"/>
        <source>Read receipt requested</source>
        <translation>Accusé de lecture demandé</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+42"/>
        <source>The sender asks for a read receipt.</source>
        <translation>L&apos;expéditeur demande un accusé de lecture.</translation>
    </message>
    <message>
        <location line="-40"/>
        <source>&amp;Send</source>
        <translation>&amp;Envoyer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send the read receipt</source>
        <translation>Envoyer l&apos;accusé de lecture</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Ignore</source>
        <translation>&amp;Ignorer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ignore the read receipt request</source>
        <translation>Ignorer la demande d&apos;accusé de lecture</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Always for this sender</source>
        <translation>&amp;Toujours pour cet expéditeur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Always send read receipts to this sender</source>
        <translation>Toujours envoyer les accusés de lecture à cet expéditeur</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>The sender asks for a read receipt, to be sent to another address: %1.</source>
        <translation>L&apos;expéditeur demande un accusé de lecture, à envoyer à une autre adresse&#xa0;: %1.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Read receipt</source>
        <translation>Accusé de lecture</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The receipt would go to %1, which is not the sender&apos;s address (%2). Send it all the same?</source>
        <translation>L&apos;accusé partirait vers %1, qui n&apos;est pas l&apos;adresse de l&apos;expéditeur (%2). L&apos;envoyer quand même&#x202f;?</translation>
    </message>
</context>
<context>
    <name>ThreadDialog</name>
    <message>
        <location filename="../../app/ui/patients/thread_dialog.py" line="+15"/>
        <source>Thread</source>
        <translation>Fil de discussion</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Thread of the message</source>
        <translation>Fil du message</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Messages of the thread</source>
        <translation>Messages du fil</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Directory card</source>
        <translation>Fic&amp;he annuaire</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Directory card of the correspondent</source>
        <translation>Fiche annuaire du correspondant</translation>
    </message>
</context>
<context>
    <name>dialog</name>
    <message>
        <location line="-91"/>
        <location line="+1"/>
        <source>Message</source>
        <translation>Message</translation>
    </message>
</context>
</TS>
