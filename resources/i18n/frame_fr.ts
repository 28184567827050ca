<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>AccountDialog</name>
    <message>
        <location filename="../../app/ui/dialogs/account_dialog.py" line="+31"/>
        <source>Add my MSSanté mailbox</source>
        <translation>Ajouter ma boîte MSSanté</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Your messaging operator gives these settings (hospital, regional health agency, or your software vendor).</source>
        <translation>Ces réglages vous sont donnés par votre opérateur de messagerie (établissement, GRADeS ou éditeur de votre logiciel).</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Mailbox</source>
        <translation>Boîte aux lettres</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Address:</source>
        <translation>&amp;Adresse :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mailbox address</source>
        <translation>Adresse de la boîte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>firstname.lastname@example.mssante.fr</source>
        <translation>prenom.nom@exemple.mssante.fr</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Short &amp;name:</source>
        <translation>&amp;Nom court :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Short name</source>
        <translation>Nom court</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. practice</source>
        <translation>ex. cabinet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Personal (PER)</source>
        <translation>Personnelle (PER)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Practice (CAB)</source>
        <translation>Cabinet (CAB)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Organisation (ORG)</source>
        <translation>Organisationnelle (ORG)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Type:</source>
        <translation>&amp;Type :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mailbox type</source>
        <translation>Type de boîte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password:</source>
        <translation>Mot de &amp;passe :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Password</source>
        <translation>Mot de passe</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Servers</source>
        <translation>Serveurs</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Incoming (IMAP):</source>
        <translation>Réc&amp;eption (IMAP) :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>IMAP server</source>
        <translation>Serveur IMAP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>imap.example.mssante.fr:993</source>
        <translation>imap.exemple.mssante.fr:993</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Outgoing (SMTP):</source>
        <translation>En&amp;voi (SMTP) :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>SMTP server</source>
        <translation>Serveur SMTP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>smtp.example.mssante.fr:465</source>
        <translation>smtp.exemple.mssante.fr:465</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>TLS from the start (ports 993 and 465)</source>
        <translation>TLS dès la connexion (ports 993 et 465)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>STARTTLS (ports 143 and 587)</source>
        <translation>STARTTLS (ports 143 et 587)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Security:</source>
        <translation>&amp;Sécurité :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Connection security</source>
        <translation>Sécurité de la connexion</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Identity shown to your correspondents</source>
        <translation>Identité montrée à vos correspondants</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>T&amp;itle:</source>
        <translation>T&amp;itre :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Title</source>
        <translation>Titre</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. Dr</source>
        <translation>ex. Dr</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Given name:</source>
        <translation>P&amp;rénom :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Given name</source>
        <translation>Prénom</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Family name:</source>
        <translation>N&amp;om de famille :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Family name</source>
        <translation>Nom de famille</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Practice or service:</source>
        <translation>Ca&amp;binet ou service :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Entity</source>
        <translation>Cabinet ou service</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&amp;Add</source>
        <translation>&amp;Ajouter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add</source>
        <translation>Ajouter</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Cancel</source>
        <translation>A&amp;nnuler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
</context>
<context>
    <name>ConnectionStatus</name>
    <message>
        <location filename="../../app/ui/widgets/status_bar.py" line="+179"/>
        <source>Connections</source>
        <translation>Connexions</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>connected</source>
        <translation>connectée</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>reconnecting</source>
        <translation>reconnexion en cours</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>session ended, log in again</source>
        <translation>session terminée, reconnectez-vous</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>offline</source>
        <translation>hors ligne</translation>
    </message>
</context>
<context>
    <name>DemoBanner</name>
    <message>
        <location filename="../../app/ui/widgets/banners.py" line="+129"/>
        <source>Demonstration mailbox: the patients and messages are fictitious and nothing leaves this computer.</source>
        <translation>Boîte de démonstration : les patients et les messages sont fictifs et rien ne quitte cet ordinateur.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Re&amp;move the demonstration</source>
        <translation>Retirer la &amp;démonstration</translation>
    </message>
</context>
<context>
    <name>ErrorPresenter</name>
    <message>
        <location filename="../../app/ui/error_presenter.py" line="+42"/>
        <source>The server cannot be reached</source>
        <extracomment>Exact codes: (title, what to do). English source; French in resources/i18n/frame_fr.ts.</extracomment>
        <translation>Le serveur est injoignable</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the Internet connection. Your archived messages remain available; messages being sent will leave when the network is back.</source>
        <translation>Vérifiez la connexion à Internet. Vos messages archivés restent consultables ; les envois partiront au retour du réseau.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unknown server name</source>
        <translation>Nom de serveur inconnu</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the server name in the account settings, and the Internet connection.</source>
        <translation>Vérifiez le nom du serveur dans les réglages du compte, ainsi que la connexion à Internet.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server refused the connection</source>
        <translation>Le serveur a refusé la connexion</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the port number in the account settings. If it is right, the server may be down: try again later.</source>
        <translation>Vérifiez le numéro de port dans les réglages du compte. S&apos;il est juste, le serveur est peut-être arrêté : réessayez plus tard.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server did not answer in time</source>
        <translation>Le serveur n&apos;a pas répondu à temps</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The network or the server is slow. Pli will try again by itself.</source>
        <translation>Le réseau ou le serveur est lent. Pli réessaiera de lui-même.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The connection was lost</source>
        <translation>La connexion a été perdue</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pli reconnects by itself. Your archived messages remain available.</source>
        <translation>Pli se reconnecte de lui-même. Vos messages archivés restent consultables.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server is busy</source>
        <translation>Le serveur est occupé</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The message waits in the outbox and will be tried again automatically.</source>
        <translation>Le message attend dans la boîte d&apos;envoi et sera réessayé automatiquement.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The message may have been sent</source>
        <translation>Le message est peut-être parti</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The connection was lost just after the message left. Look in the Sent folder before sending it again.</source>
        <translation>La connexion a été perdue juste après l&apos;envoi. Regardez dans le dossier Envoyés avant de le renvoyer.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server&apos;s certificate has expired</source>
        <translation>Le certificat du serveur a expiré</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+15"/>
        <location line="+122"/>
        <source>For your security Pli refused the connection. Contact your messaging operator.</source>
        <translation>Pour votre sécurité, Pli a refusé la connexion. Contactez votre opérateur de messagerie.</translation>
    </message>
    <message>
        <location line="-135"/>
        <source>The server&apos;s certificate is not valid yet</source>
        <translation>Le certificat du serveur n&apos;est pas encore valable</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the date and time of this computer.</source>
        <translation>Vérifiez la date et l&apos;heure de cet ordinateur.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+3"/>
        <location line="+3"/>
        <source>Certificate refused</source>
        <translation>Certificat refusé</translation>
    </message>
    <message>
        <location line="-5"/>
        <location line="+3"/>
        <source>The server presented a certificate that no health authority vouches for. For your security the connection was refused. Contact your messaging operator.</source>
        <translation>Le serveur a présenté un certificat qu&apos;aucune autorité de santé ne garantit. Pour votre sécurité, la connexion a été refusée. Contactez votre opérateur de messagerie.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The certificate belongs to another server. Check the server name in the account settings.</source>
        <translation>Le certificat appartient à un autre serveur. Vérifiez le nom du serveur dans les réglages du compte.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server&apos;s certificate has been revoked</source>
        <translation>Le certificat du serveur a été révoqué</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your certificate was refused</source>
        <translation>Votre certificat a été refusé</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The server did not accept the establishment certificate. Check that it is still valid and that it is the right one for this mailbox.</source>
        <translation>Le serveur n&apos;a pas accepté le certificat d&apos;établissement. Vérifiez qu&apos;il est encore valable et que c&apos;est bien celui de cette boîte.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+3"/>
        <source>No secure connection offered</source>
        <translation>Aucune connexion sécurisée proposée</translation>
    </message>
    <message>
        <location line="-2"/>
        <location line="+3"/>
        <source>The server does not offer encryption on this port: nothing was sent. Check the port and security settings of the account.</source>
        <translation>Le serveur ne propose pas de chiffrement sur ce port : rien n&apos;a été transmis. Vérifiez le port et la sécurité dans les réglages du compte.</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+12"/>
        <source>Login refused</source>
        <translation>Connexion refusée</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>Check the user name and the password of the account, then try again.</source>
        <translation>Vérifiez l&apos;identifiant et le mot de passe du compte, puis réessayez.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your session has ended</source>
        <translation>Votre session est terminée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log in again to receive and send messages. Your archived messages remain available.</source>
        <translation>Reconnectez-vous pour recevoir et envoyer des messages. Vos messages archivés restent consultables.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Login needed</source>
        <translation>Connexion nécessaire</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log in to this mailbox to receive and send messages.</source>
        <translation>Connectez-vous à cette boîte pour recevoir et envoyer des messages.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No password for this mailbox</source>
        <translation>Aucun mot de passe pour cette boîte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the password in the account settings.</source>
        <translation>Saisissez le mot de passe dans les réglages du compte.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The login was refused on your phone, card reader or browser. Try again if this was a mistake.</source>
        <translation>La connexion a été refusée sur votre téléphone, votre lecteur de carte ou votre navigateur. Réessayez s&apos;il s&apos;agit d&apos;une erreur.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The login took too long</source>
        <translation>La connexion a pris trop de temps</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Try again and confirm the login within the time allowed.</source>
        <translation>Réessayez et confirmez la connexion dans le délai imparti.</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+135"/>
        <source>The mailbox is full</source>
        <translation>La boîte est pleine</translation>
    </message>
    <message>
        <location line="-134"/>
        <location line="+135"/>
        <source>Delete messages you no longer need on the server; they stay in Pli&apos;s archive.</source>
        <translation>Supprimez du serveur les messages dont vous n&apos;avez plus besoin ; ils restent dans l&apos;archive de Pli.</translation>
    </message>
    <message>
        <location line="-133"/>
        <location line="+9"/>
        <location line="+120"/>
        <source>The message is too large</source>
        <translation>Le message est trop volumineux</translation>
    </message>
    <message>
        <location line="-128"/>
        <source>Remove or compress attachments, then send it again. Nothing was sent.</source>
        <translation>Retirez ou compressez des pièces jointes, puis renvoyez-le. Rien n&apos;a été envoyé.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Recipients refused</source>
        <translation>Destinataires refusés</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The server refused every recipient. Check the addresses in the health directory. Nothing was sent.</source>
        <translation>Le serveur a refusé tous les destinataires. Vérifiez les adresses dans l&apos;annuaire santé. Rien n&apos;a été envoyé.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server cannot take the message now</source>
        <translation>Le serveur ne peut pas prendre le message maintenant</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing was sent. The message waits in the outbox and will be tried again.</source>
        <translation>Rien n&apos;a été envoyé. Le message attend dans la boîte d&apos;envoi et sera réessayé.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Messages are limited to 25 MB towards patients and to the operator&apos;s limit otherwise. Remove or compress attachments.</source>
        <translation>Les messages sont limités à 25 Mo vers les patients, et à la limite de l&apos;opérateur sinon. Retirez ou compressez des pièces jointes.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+108"/>
        <source>Invalid address</source>
        <translation>Adresse invalide</translation>
    </message>
    <message>
        <location line="-107"/>
        <source>Check the address: it must look like name@domain.mssante.fr.</source>
        <translation>Vérifiez l&apos;adresse : elle doit ressembler à nom@domaine.mssante.fr.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wrong passphrase</source>
        <translation>Phrase secrète incorrecte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type the passphrase again, paying attention to capital letters.</source>
        <translation>Saisissez à nouveau la phrase secrète, en faisant attention aux majuscules.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The two passphrases differ</source>
        <translation>Les deux phrases secrètes diffèrent</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type the same passphrase twice.</source>
        <translation>Saisissez deux fois la même phrase secrète.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Passphrase too short</source>
        <translation>Phrase secrète trop courte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose a longer passphrase: several words are easier to remember.</source>
        <translation>Choisissez une phrase secrète plus longue : plusieurs mots se retiennent plus facilement.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The archive is locked</source>
        <translation>L&apos;archive est verrouillée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pli needs the archive&apos;s passphrase to open your messages.</source>
        <translation>Pli a besoin de la phrase secrète de l&apos;archive pour ouvrir vos messages.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No passphrase chosen</source>
        <translation>Aucune phrase secrète choisie</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This computer has no system keyring: choose a passphrase to protect the archive.</source>
        <translation>Cet ordinateur n&apos;a pas de trousseau système : choisissez une phrase secrète pour protéger l&apos;archive.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The archive is in use</source>
        <translation>L&apos;archive est utilisée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Another Pli window or command is using this profile. Close it, then try again.</source>
        <translation>Une autre fenêtre ou commande Pli utilise ce profil. Fermez-la, puis réessayez.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pli is already open</source>
        <translation>Pli est déjà ouvert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Another Pli is using this profile. Close it, then start Pli again.</source>
        <translation>Un autre Pli utilise ce profil. Fermez-le, puis relancez Pli.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The disk is full</source>
        <translation>Le disque est plein</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing was lost. Free some space on the disk, then try again.</source>
        <translation>Rien n&apos;est perdu. Libérez de la place sur le disque, puis réessayez.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This archive comes from a newer Pli</source>
        <translation>Cette archive vient d&apos;une version plus récente de Pli</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Install the latest version of Pli to open it.</source>
        <translation>Installez la dernière version de Pli pour l&apos;ouvrir.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The archive cannot be decrypted</source>
        <translation>L&apos;archive ne peut pas être déchiffrée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The key is wrong or the file is damaged. Restore a backup, or contact your support.</source>
        <translation>La clé est incorrecte ou le fichier est endommagé. Restaurez une sauvegarde ou contactez votre support.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The system keyring failed</source>
        <translation>Le trousseau système a échoué</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unlock your session&apos;s keyring, then start Pli again.</source>
        <translation>Déverrouillez le trousseau de votre session, puis relancez Pli.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The archive key is missing</source>
        <translation>La clé de l&apos;archive est introuvable</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The system keyring no longer holds Pli&apos;s key. Restore it, or contact your support.</source>
        <translation>Le trousseau système ne contient plus la clé de Pli. Restaurez-la ou contactez votre support.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This mailbox already exists</source>
        <translation>Cette boîte existe déjà</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose another name for the account.</source>
        <translation>Choisissez un autre nom pour le compte.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Password needed</source>
        <translation>Mot de passe nécessaire</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the mailbox&apos;s password.</source>
        <translation>Saisissez le mot de passe de la boîte.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This mailbox is an archive</source>
        <translation>Cette boîte est une archive</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The mailbox was removed and its archive kept: its messages can be read and searched, but not changed, and nothing is sent from it.</source>
        <translation>La boîte a été retirée et son archive gardée : ses messages se lisent et se recherchent, mais ne se modifient pas, et rien n&apos;est envoyé depuis elle.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Invalid server</source>
        <translation>Serveur invalide</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Write the server as name:port, for example imap.example.mssante.fr:993.</source>
        <translation>Écrivez le serveur sous la forme nom:port, par exemple imap.exemple.mssante.fr:993.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+3"/>
        <location line="+3"/>
        <location line="+3"/>
        <source>Not delivered to the patient</source>
        <translation>Non distribué au patient</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>The patient&apos;s Mon espace santé messaging is closed. Reach the patient another way.</source>
        <translation>La messagerie Mon espace santé du patient est fermée. Joignez le patient par un autre moyen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No patient has this address in Mon espace santé. Check the patient&apos;s INS.</source>
        <translation>Aucun patient n&apos;a cette adresse dans Mon espace santé. Vérifiez l&apos;INS du patient.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The patient&apos;s address is not valid. Check the patient&apos;s INS.</source>
        <translation>L&apos;adresse du patient n&apos;est pas valide. Vérifiez l&apos;INS du patient.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Mon espace santé accepts 25 MB at most. Send smaller or fewer attachments.</source>
        <translation>Mon espace santé accepte 25 Mo au plus. Envoyez des pièces jointes plus légères ou moins nombreuses.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This message is still being downloaded</source>
        <translation>Ce message est encore en cours de téléchargement</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Its content will be available in a moment.</source>
        <translation>Son contenu sera disponible dans un instant.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Network problem</source>
        <extracomment>Families (the code&apos;s first part, or the error class&apos;s ``family``): (title, what to do).</extracomment>
        <translation>Problème de réseau</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the Internet connection. Your archived messages remain available and Pli will try again.</source>
        <translation>Vérifiez la connexion à Internet. Vos messages archivés restent consultables et Pli réessaiera.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Secure connection refused</source>
        <translation>Connexion sécurisée refusée</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+3"/>
        <source>Login problem</source>
        <translation>Problème de connexion</translation>
    </message>
    <message>
        <location line="-2"/>
        <location line="+3"/>
        <source>Check the account&apos;s login details, then try again.</source>
        <translation>Vérifiez les identifiants du compte, puis réessayez.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Certificate problem</source>
        <translation>Problème de certificat</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the establishment certificate file and its password.</source>
        <translation>Vérifiez le fichier du certificat d&apos;établissement et son mot de passe.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+3"/>
        <source>The server refused</source>
        <translation>Le serveur a refusé</translation>
    </message>
    <message>
        <location line="-2"/>
        <location line="+3"/>
        <source>Try again later. If it goes on, contact your messaging operator.</source>
        <translation>Réessayez plus tard. Si cela continue, contactez votre opérateur de messagerie.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Archive problem</source>
        <translation>Problème d&apos;archive</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+3"/>
        <source>Close Pli and start it again. If it goes on, contact your support.</source>
        <translation>Fermez Pli et relancez-le. Si cela continue, contactez votre support.</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Profile problem</source>
        <translation>Problème de profil</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Synchronisation problem</source>
        <translation>Problème de synchronisation</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pli will try again by itself. Your archived messages remain available.</source>
        <translation>Pli réessaiera de lui-même. Vos messages archivés restent consultables.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+3"/>
        <source>Account problem</source>
        <translation>Problème de compte</translation>
    </message>
    <message>
        <location line="-2"/>
        <location line="+3"/>
        <source>Check the account&apos;s settings.</source>
        <translation>Vérifiez les réglages du compte.</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+3"/>
        <source>Check the address in the health directory.</source>
        <translation>Vérifiez l&apos;adresse dans l&apos;annuaire santé.</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Recipient refused</source>
        <translation>Destinataire refusé</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Recipient not checked</source>
        <translation>Destinataire non vérifié</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import the MSSanté list of domains from the directory screen.</source>
        <translation>Importez la liste des domaines MSSanté depuis l&apos;écran de l&apos;annuaire.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Remove or compress attachments.</source>
        <translation>Retirez ou compressez des pièces jointes.</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+54"/>
        <source>The message was not sent</source>
        <translation>Le message n&apos;a pas été envoyé</translation>
    </message>
    <message>
        <location line="-53"/>
        <location line="+54"/>
        <source>Check the recipients and the attachments, then try again.</source>
        <translation>Vérifiez les destinataires et les pièces jointes, puis réessayez.</translation>
    </message>
    <message>
        <location line="-52"/>
        <source>The message is incomplete</source>
        <translation>Le message est incomplet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the recipients, the subject and the attachments.</source>
        <translation>Vérifiez les destinataires, l&apos;objet et les pièces jointes.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Outbox problem</source>
        <translation>Problème de boîte d&apos;envoi</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The message was not found in the outbox. Refresh the view.</source>
        <translation>Le message est introuvable dans la boîte d&apos;envoi. Actualisez l&apos;affichage.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Attachment refused</source>
        <translation>Pièce jointe refusée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only PDF, JPEG, PNG, TIFF, RTF documents and IHE XDM packages are accepted.</source>
        <translation>Seuls les documents PDF, JPEG, PNG, TIFF, RTF et les paquets IHE XDM sont acceptés.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+3"/>
        <source>Document problem</source>
        <translation>Problème de document</translation>
    </message>
    <message>
        <location line="-2"/>
        <location line="+3"/>
        <source>The file cannot be read or written. Check it, then try again.</source>
        <translation>Le fichier ne peut être ni lu ni écrit. Vérifiez-le, puis réessayez.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unreadable PDF</source>
        <translation>PDF illisible</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The PDF is damaged or protected. Ask the sender for another copy.</source>
        <translation>Le PDF est endommagé ou protégé. Demandez-en une autre copie à l&apos;expéditeur.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Package refused</source>
        <translation>Archive compressée refusée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The compressed file is damaged or unsafe. Ask the sender for another copy.</source>
        <translation>Le fichier compressé est endommagé ou dangereux. Demandez-en une autre copie à l&apos;expéditeur.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+3"/>
        <source>IHE XDM package problem</source>
        <translation>Problème de paquet IHE XDM</translation>
    </message>
    <message>
        <location line="-2"/>
        <location line="+3"/>
        <source>The package is incomplete or inconsistent. Ask the sender for another copy.</source>
        <translation>Le paquet est incomplet ou incohérent. Demandez-en une autre copie à l&apos;expéditeur.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unreadable image</source>
        <translation>Image illisible</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The image is damaged or too large.</source>
        <translation>L&apos;image est endommagée ou trop grande.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unreadable document</source>
        <translation>Document illisible</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The RTF document cannot be read.</source>
        <translation>Le document RTF ne peut pas être lu.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Patient problem</source>
        <translation>Problème de patient</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the patient&apos;s identity (name, given name, INS).</source>
        <translation>Vérifiez l&apos;identité du patient (nom, prénom, INS).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Invalid INS</source>
        <translation>INS invalide</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An INS has 15 characters: 13 digits (or 2A/2B for Corsica) and a 2-digit key.</source>
        <translation>Un INS compte 15 caractères : 13 chiffres (ou 2A/2B pour la Corse) et une clé de 2 chiffres.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Health directory problem</source>
        <translation>Problème d&apos;annuaire santé</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The directory could not be used. The offline directory still answers; try again later.</source>
        <translation>L&apos;annuaire n&apos;a pas pu être utilisé. L&apos;annuaire hors ligne répond toujours ; réessayez plus tard.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Template problem</source>
        <translation>Problème de modèle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The message template is incomplete. Check it in the settings.</source>
        <translation>Le modèle de message est incomplet. Vérifiez-le dans les réglages.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+3"/>
        <source>Read receipt not sent</source>
        <translation>Accusé de lecture non envoyé</translation>
    </message>
    <message>
        <location line="-2"/>
        <location line="+3"/>
        <source>Check the message, then try again.</source>
        <translation>Vérifiez le message, puis réessayez.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Message not available</source>
        <translation>Message indisponible</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The message may have been moved or deleted. Refresh the view.</source>
        <translation>Le message a peut-être été déplacé ou supprimé. Actualisez l&apos;affichage.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Folder not available</source>
        <translation>Dossier indisponible</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The folder may have been renamed or deleted on the server. Refresh the view.</source>
        <translation>Le dossier a peut-être été renommé ou supprimé sur le serveur. Actualisez l&apos;affichage.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The demonstration mailbox did not start</source>
        <translation>La boîte de démonstration n&apos;a pas démarré</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Try again. If it goes on, restart Pli.</source>
        <translation>Réessayez. Si cela continue, relancez Pli.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not delivered</source>
        <translation>Non distribué</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The message did not reach its recipient. Check the address, then send it again.</source>
        <translation>Le message n&apos;est pas parvenu à son destinataire. Vérifiez l&apos;adresse, puis renvoyez-le.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Confirmation needed</source>
        <translation>Confirmation nécessaire</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Confirm the action to go on.</source>
        <translation>Confirmez l&apos;action pour continuer.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A patient&apos;s address</source>
        <translation>L&apos;adresse d&apos;un patient</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Patients are followed in the patients view, not as contacts.</source>
        <translation>Les patients se suivent dans la vue Patients, pas comme des contacts.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Invalid date</source>
        <translation>Date invalide</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the date, then try again.</source>
        <translation>Vérifiez la date, puis réessayez.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not an exchange with a patient</source>
        <translation>Ce n&apos;est pas un échange avec un patient</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only an exchange with a patient can be ended.</source>
        <translation>Seul un échange avec un patient peut être clos.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The documents were not saved</source>
        <translation>Les documents n&apos;ont pas été enregistrés</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the folder chosen and the free space on the disk, then try again.</source>
        <translation>Vérifiez le dossier choisi et la place libre sur le disque, puis réessayez.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nothing to change</source>
        <translation>Rien à modifier</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose which mark to set or remove.</source>
        <translation>Choisissez la marque à poser ou à retirer.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Invalid message reference</source>
        <translation>Référence de message invalide</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The message is referred to in a way Pli cannot read.</source>
        <translation>Le message est désigné d&apos;une façon que Pli ne sait pas lire.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A change cannot be sent to the server</source>
        <translation>Une modification ne peut pas être transmise au serveur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>It was recorded by a newer version of Pli. Install the latest version.</source>
        <translation>Elle a été enregistrée par une version plus récente de Pli. Installez la dernière version.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nothing to search for</source>
        <translation>Rien à rechercher</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type a word, or choose a filter.</source>
        <translation>Saisissez un mot ou choisissez un filtre.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The servers were not found automatically</source>
        <translation>Les serveurs n&apos;ont pas été trouvés automatiquement</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type the servers&apos; names as your messaging operator gave them.</source>
        <translation>Saisissez le nom des serveurs tels que votre opérateur de messagerie vous les a donnés.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Invalid value</source>
        <translation>Valeur invalide</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check what you typed, then try again.</source>
        <translation>Vérifiez votre saisie, puis réessayez.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not found</source>
        <translation>Introuvable</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>It may have been moved or deleted. Refresh the view.</source>
        <translation>L&apos;élément a peut-être été déplacé ou supprimé. Actualisez l&apos;affichage.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The operation failed</source>
        <translation>L&apos;opération a échoué</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Try again. If it goes on, contact your support.</source>
        <translation>Réessayez. Si cela continue, contactez votre support.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Pli met an unexpected problem</source>
        <translation>Pli a rencontré un problème inattendu</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A report without any health data was saved on this computer. You can keep working; if it happens again, restart Pli and give the report to your support.</source>
        <translation>Un rapport sans aucune donnée de santé a été enregistré sur cet ordinateur. Vous pouvez continuer à travailler ; si cela se reproduit, relancez Pli et transmettez le rapport à votre support.</translation>
    </message>
    <message>
        <location line="+95"/>
        <source>Pli</source>
        <translation>Pli</translation>
    </message>
</context>
<context>
    <name>LoadingPage</name>
    <message>
        <location filename="../../app/ui/welcome.py" line="+29"/>
        <source>Opening your archive…</source>
        <translation>Ouverture de votre archive…</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <location filename="../../app/ui/lock.py" line="+128"/>
        <location line="+7"/>
        <source>Pli is locked</source>
        <extracomment>Never longer than this (spec §6), whatever the settings say.</extracomment>
        <translation>Pli est verrouillé</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+1"/>
        <source>Passphrase</source>
        <translation>Phrase secrète</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Unlock</source>
        <translation>&amp;Déverrouiller</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unlock</source>
        <translation>Déverrouiller</translation>
    </message>
    <message numerus="yes">
        <location line="+23"/>
        <source>The window was hidden after %n minute(s) without use. Type the archive&apos;s passphrase to show it again.</source>
        <translation>
            <numerusform>La fenêtre a été masquée après %n minute sans utilisation. Saisissez la phrase secrète de l&apos;archive pour l&apos;afficher à nouveau.</numerusform>
            <numerusform>La fenêtre a été masquée après %n minutes sans utilisation. Saisissez la phrase secrète de l&apos;archive pour l&apos;afficher à nouveau.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+7"/>
        <source>The window was hidden after %n minute(s) without use. Press Enter or click Unlock to show it again.</source>
        <translation>
            <numerusform>La fenêtre a été masquée après %n minute sans utilisation. Appuyez sur Entrée ou cliquez sur Déverrouiller pour l&apos;afficher à nouveau.</numerusform>
            <numerusform>La fenêtre a été masquée après %n minutes sans utilisation. Appuyez sur Entrée ou cliquez sur Déverrouiller pour l&apos;afficher à nouveau.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Wrong passphrase. Try again.</source>
        <translation>Phrase secrète incorrecte. Réessayez.</translation>
    </message>
</context>
<context>
    <name>MailPage</name>
    <message>
        <location filename="../../app/ui/mail_page.py" line="+34"/>
        <source>Mail</source>
        <translation>Courrier</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="+75"/>
        <source>Pli</source>
        <extracomment>Pages shown in the left navigation, in this order (later issues add theirs).</extracomment>
        <translation>Pli</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Pli - secure health messaging</source>
        <translation>Pli - messagerie sécurisée de santé</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Sections</source>
        <translation>Rubriques</translation>
    </message>
    <message>
        <location line="+40"/>
        <location line="+2"/>
        <source>Message actions</source>
        <translation>Actions sur les messages</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>&amp;Add a mailbox…</source>
        <translation>&amp;Ajouter une boîte…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Remove the demonstration mailbox</source>
        <translation>Retirer la boîte de &amp;démonstration</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Check for new mail</source>
        <translation>&amp;Relever le courrier</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Lock Pli</source>
        <translation>&amp;Verrouiller Pli</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Find…</source>
        <translation>&amp;Rechercher…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Show the &amp;toolbar</source>
        <translation>Afficher la barre d&apos;&amp;outils</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Full screen</source>
        <translation>&amp;Plein écran</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Raccourcis clavier</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;About Pli</source>
        <translation>À &amp;propos de Pli</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Menu bar</source>
        <translation>Barre de menus</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Edit</source>
        <translation>É&amp;dition</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Message</source>
        <translation>&amp;Message</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Help</source>
        <translation>Ai&amp;de</translation>
    </message>
    <message>
        <location line="+155"/>
        <location line="+6"/>
        <source>Keyboard shortcuts</source>
        <translation>Raccourcis clavier</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Keys</source>
        <translation>Touches</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>About Pli</source>
        <translation>À propos de Pli</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&lt;p&gt;&lt;b&gt;Pli&lt;/b&gt;: secure health messaging (MSSanté) for health and social care professionals.&lt;/p&gt;&lt;p&gt;Your messages are archived encrypted on this computer.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Pli&lt;/b&gt; : la messagerie sécurisée de santé (MSSanté) des professionnels de santé et du médico-social.&lt;/p&gt;&lt;p&gt;Vos messages sont archivés chiffrés sur cet ordinateur.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>OfflineBanner</name>
    <message>
        <location filename="../../app/ui/widgets/banners.py" line="-31"/>
        <source>Your session has ended: log in again to receive and send messages. Your archived messages remain available.</source>
        <translation>Votre session est terminée : reconnectez-vous pour recevoir et envoyer des messages. Vos messages archivés restent consultables.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Log in again</source>
        <translation>Se &amp;reconnecter</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Offline: your archived messages remain available; messages to send wait for the network to come back.</source>
        <translation>Hors ligne : vos messages archivés restent consultables ; les envois attendent le retour du réseau.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Retry now</source>
        <translation>&amp;Réessayer maintenant</translation>
    </message>
</context>
<context>
    <name>OutboxStatus</name>
    <message>
        <location filename="../../app/ui/widgets/status_bar.py" line="-118"/>
        <source>Outbox</source>
        <translation>Boîte d&apos;envoi</translation>
    </message>
    <message numerus="yes">
        <location line="+12"/>
        <source>%n message(s) waiting to be sent</source>
        <translation>
            <numerusform>%n message en attente d&apos;envoi</numerusform>
            <numerusform>%n messages en attente d&apos;envoi</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n not sent</source>
        <translation>
            <numerusform>%n non envoyé</numerusform>
            <numerusform>%n non envoyés</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PassphraseDialog</name>
    <message>
        <location filename="../../app/ui/dialogs/passphrase_dialog.py" line="+29"/>
        <source>Pli - archive passphrase</source>
        <extracomment>The credentials layer refuses shorter ones (store.passphrase_too_short).</extracomment>
        <translation>Pli - phrase secrète de l&apos;archive</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>This computer has no system keyring. Choose a passphrase to protect your archive: Pli will ask for it at each start. Keep it safe: without it the archive cannot be opened.</source>
        <translation>Cet ordinateur n&apos;a pas de trousseau système. Choisissez une phrase secrète pour protéger votre archive : Pli la demandera à chaque démarrage. Conservez-la bien : sans elle, l&apos;archive ne peut pas être ouverte.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Type the passphrase that protects your archive.</source>
        <translation>Saisissez la phrase secrète qui protège votre archive.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Passphrase</source>
        <translation>Phrase secrète</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Passphrase:</source>
        <translation>&amp;Phrase secrète :</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Passphrase again</source>
        <translation>Phrase secrète, à nouveau</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Again:</source>
        <translation>À &amp;nouveau :</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>&amp;Open</source>
        <translation>&amp;Ouvrir</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Create the archive</source>
        <translation>&amp;Créer l&apos;archive</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Quit Pli</source>
        <translation>&amp;Quitter Pli</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Type the passphrase.</source>
        <translation>Saisissez la phrase secrète.</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>The passphrase needs at least %n character(s).</source>
        <translation>
            <numerusform>La phrase secrète doit compter au moins %n caractère.</numerusform>
            <numerusform>La phrase secrète doit compter au moins %n caractères.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The two passphrases differ.</source>
        <translation>Les deux phrases secrètes diffèrent.</translation>
    </message>
</context>
<context>
    <name>PliApplication</name>
    <message>
        <location filename="../../app/ui/application.py" line="+161"/>
        <source>Opening your archive…</source>
        <extracomment>Same variable as the command line&apos;s (app/bootstrap.py): automation and screenshots. Loop debug mode (slow callbacks logged) outside the tests. Time limits of the shutdown (seconds). At most this long the other screens wait for the mail page&apos;s first page (`_open_mail`). Imported on a worker thread while the window already shows (importing them on the loop would freeze it for a few hundred milliseconds). Module code only: nothing here creates a QObject at import time. The other screens&apos; modules, imported on a worker thread once the mail page shows its first page (before, they would only delay it: `_open_mail`).</extracomment>
        <translation>Ouverture de votre archive…</translation>
    </message>
    <message>
        <location line="+121"/>
        <source>Mail</source>
        <translation>Courrier</translation>
    </message>
    <message>
        <location line="+101"/>
        <source>Preparing the demonstration mailbox…</source>
        <translation>Préparation de la boîte de démonstration…</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Pli</source>
        <translation>Pli</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove the demonstration mailbox?</source>
        <translation>Retirer la boîte de démonstration ?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Its fictitious messages are deleted from this computer.</source>
        <translation>Ses messages fictifs sont effacés de cet ordinateur.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Remove</source>
        <translation>&amp;Retirer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>Retirer</translation>
    </message>
</context>
<context>
    <name>PliStatusBar</name>
    <message>
        <location filename="../../app/ui/widgets/status_bar.py" line="+129"/>
        <source>Status bar</source>
        <translation>Barre d&apos;état</translation>
    </message>
</context>
<context>
    <name>PliTray</name>
    <message>
        <location filename="../../app/ui/tray.py" line="+39"/>
        <source>Pli - secure health messaging</source>
        <translation>Pli - messagerie sécurisée de santé</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Pli menu</source>
        <translation>Menu de Pli</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Show Pli</source>
        <translation>&amp;Afficher Pli</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Check for new mail</source>
        <translation>&amp;Relever le courrier</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Lock</source>
        <translation>&amp;Verrouiller</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>%1 and %2</source>
        <translation>%1 et %2</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <location line="+4"/>
        <source>%n new message(s) from patients</source>
        <translation>
            <numerusform>%n nouveau message d&apos;un patient</numerusform>
            <numerusform>%n nouveaux messages de patients</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="-3"/>
        <source>%n from professionals</source>
        <translation>
            <numerusform>%n d&apos;un professionnel</numerusform>
            <numerusform>%n de professionnels</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%n new message(s) from professionals</source>
        <translation>
            <numerusform>%n nouveau message d&apos;un professionnel</numerusform>
            <numerusform>%n nouveaux messages de professionnels</numerusform>
        </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Pli</source>
        <translation>Pli</translation>
    </message>
</context>
<context>
    <name>QuotaGauge</name>
    <message>
        <location filename="../../app/ui/widgets/status_bar.py" line="-114"/>
        <source>Mailbox space used</source>
        <translation>Espace utilisé de la boîte</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Space %p%</source>
        <translation>Espace %p %</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: %2 used of %3</source>
        <translation>%1 : %2 utilisés sur %3</translation>
    </message>
</context>
<context>
    <name>SyncStatus</name>
    <message>
        <location line="-117"/>
        <source>Synchronisation progress</source>
        <translation>Avancement de la synchronisation</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Synchronisation</source>
        <translation>Synchronisation</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Synchronising…</source>
        <translation>Synchronisation…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Downloading message list: %1 of %2</source>
        <translation>Liste des messages : %1 sur %2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Message list complete; archiving the contents…</source>
        <translation>Liste des messages complète ; archivage des contenus…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Archiving messages: %1 of %2 (%3)</source>
        <translation>Archivage des messages : %1 sur %2 (%3)</translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>Indexing attachments: %n left</source>
        <translation>
            <numerusform>Indexation des pièces jointes : %n restante</numerusform>
            <numerusform>Indexation des pièces jointes : %n restantes</numerusform>
        </translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Up to date (%1)</source>
        <translation>À jour (%1)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Synchronisation interrupted; Pli will try again</source>
        <translation>Synchronisation interrompue ; Pli réessaiera</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Offline</source>
        <translation>Hors ligne</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Offline; last synchronised at %1</source>
        <translation>Hors ligne ; dernière synchronisation à %1</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <location filename="../../app/ui/welcome.py" line="+55"/>
        <source>Welcome</source>
        <translation>Bienvenue</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Welcome to Pli</source>
        <translation>Bienvenue dans Pli</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Secure health messaging (MSSanté) for your practice: your messages are archived encrypted on this computer and stay readable without a network.</source>
        <translation>La messagerie sécurisée de santé (MSSanté) de votre exercice : vos messages sont archivés chiffrés sur cet ordinateur et restent lisibles sans réseau.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&amp;Try with a demonstration mailbox</source>
        <translation>&amp;Essayer avec une boîte de démonstration</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A general practitioner&apos;s mailbox with fictitious patients and colleagues, running on this computer. Nothing is sent outside.</source>
        <translation>La boîte d&apos;un médecin généraliste, avec des patients et des confrères fictifs, qui fonctionne sur cet ordinateur. Rien n&apos;est envoyé à l&apos;extérieur.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Add my MSSanté mailbox</source>
        <translation>Ajouter ma boîte &amp;MSSanté</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Connect the mailbox your operator gave you (personal, practice or organisation) with its address and password.</source>
        <translation>Connectez la boîte que votre opérateur vous a attribuée (personnelle, de cabinet ou organisationnelle) avec son adresse et son mot de passe.</translation>
    </message>
</context>
</TS>
