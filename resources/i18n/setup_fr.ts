<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>AccountWizard</name>
    <message>
        <location filename="../../app/ui/wizard/account_wizard.py" line="+115"/>
        <source>Add an MSSanté mailbox</source>
        <translation>Ajouter une boîte MSSanté</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>&amp;Back</source>
        <translation>&amp;Précédent</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Next</source>
        <translation>&amp;Suivant</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Finish</source>
        <translation>&amp;Terminer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Enter the address of your MSSanté mailbox. Pli recognises your messaging operator from it and fills in the servers.</source>
        <translation>Saisissez l&apos;adresse de votre boîte MSSanté. Pli y reconnaît votre opérateur de messagerie et remplit les serveurs.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>firstname.lastname@example.mssante.fr</source>
        <translation>prenom.nom@exemple.mssante.fr</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Mailbox address:</source>
        <translation>&amp;Adresse de la boîte :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Only the part after the @ is used to find the servers: it is looked up in Pli&apos;s list of operators, then in your domain&apos;s public DNS records.</source>
        <translation>Seule la partie après le @ sert à trouver les serveurs : Pli la cherche dans sa liste d&apos;opérateurs, puis dans les enregistrements DNS publics de votre domaine.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Servers</source>
        <translation>Serveurs</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>imap.example.mssante.fr:143</source>
        <translation>imap.exemple.mssante.fr:143</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Incoming (IMAP):</source>
        <translation>&amp;Réception (IMAP) :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>IMAP server</source>
        <translation>Serveur IMAP</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>smtp.example.mssante.fr:587</source>
        <translation>smtp.exemple.mssante.fr:587</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Outgoing (SMTP):</source>
        <translation>&amp;Envoi (SMTP) :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>SMTP server</source>
        <translation>Serveur SMTP</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>STARTTLS (ports 143 and 587)</source>
        <translation>STARTTLS (ports 143 et 587)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>TLS from the start (ports 993 and 465)</source>
        <translation>TLS dès l&apos;ouverture (ports 993 et 465)</translation>
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
        <location line="+2"/>
        <source>the address, unless your operator says so</source>
        <translation>l&apos;adresse, sauf indication de votre opérateur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;User name:</source>
        <translation>&amp;Nom d&apos;utilisateur :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>User name</source>
        <translation>Nom d&apos;utilisateur</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>IGC-Santé certificates shipped with Pli</source>
        <translation>certificats IGC-Santé fournis avec Pli</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Trust store (PEM):</source>
        <translation>&amp;Magasin de confiance (PEM) :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Trust store file</source>
        <translation>Fichier du magasin de confiance</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Confirm the servers</source>
        <translation>Confirmer les serveurs</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>These servers are outside your mailbox&apos;s domain. Pli never sends a Pro Santé Connect login to them unless you confirm that they are your operator&apos;s.</source>
        <translation>Ces serveurs sont hors du domaine de votre boîte. Pli ne leur transmet jamais de connexion Pro Santé Connect sans votre confirmation qu&apos;ils sont ceux de votre opérateur.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>These are indeed my messaging operator&apos;s servers</source>
        <translation>Ce sont bien les serveurs de mon opérateur de messagerie</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Personal (PER): your own nominative box</source>
        <translation>Personnelle (PER) : votre boîte nominative</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Practice (CAB): a practice&apos;s shared box</source>
        <translation>Cabinet (CAB) : la boîte partagée d&apos;un cabinet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Organisation (ORG): a service or department</source>
        <translation>Organisationnelle (ORG) : un service ou une structure</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Application (APP): software sending alone</source>
        <translation>Applicative (APP) : un logiciel qui envoie seul</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Box &amp;type:</source>
        <translation>&amp;Type de boîte :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Box type</source>
        <translation>Type de boîte</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>e.g. Dr</source>
        <translation>ex. Dr</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>T&amp;itle:</source>
        <translation>T&amp;itre :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Title</source>
        <translation>Titre</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Given name:</source>
        <translation>&amp;Prénom :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Given name</source>
        <translation>Prénom</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Family name:</source>
        <translation>&amp;Nom :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Family name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>e.g. Cabinet médical des Tilleuls</source>
        <translation>ex. Cabinet médical des Tilleuls</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Practice or service:</source>
        <translation>&amp;Cabinet ou service :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Practice or service</source>
        <translation>Cabinet ou service</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>optional: e.g. the practice&apos;s box</source>
        <translation>facultatif : ex. la boîte du cabinet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Return box:</source>
        <translation>Boîte de re&amp;tour :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Return box</source>
        <translation>Boîte de retour</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>What your correspondents see</source>
        <translation>Ce que voient vos correspondants</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Pro Santé Connect in my browser (e-CPS or CPS card)</source>
        <translation>Pro Santé Connect dans mon navigateur (e-CPS ou carte CPS)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Pro Santé Connect with my e-CPS app or card reader (no browser)</source>
        <translation>Pro Santé Connect avec mon application e-CPS ou mon lecteur de carte (sans navigateur)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A password given by my operator</source>
        <translation>Un mot de passe fourni par mon opérateur</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The establishment&apos;s certificate (application boxes)</source>
        <translation>Le certificat de l&apos;établissement (boîtes applicatives)</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+4"/>
        <source>Password</source>
        <translation>Mot de passe</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Password:</source>
        <translation>&amp;Mot de passe :</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pro Santé Connect</source>
        <translation>Pro Santé Connect</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>11 digits, on your CPS card</source>
        <translation>11 chiffres, sur votre carte CPS</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;RPPS number:</source>
        <translation>Numéro &amp;RPPS :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>RPPS number</source>
        <translation>Numéro RPPS</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pro&amp;vider:</source>
        <translation>Fournisseur d&apos;&amp;identité :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Provider address</source>
        <translation>Adresse du fournisseur d&apos;identité</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Client id:</source>
        <translation>Identifiant &amp;client :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Client id</source>
        <translation>Identifiant client</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the system&apos;s certificate authorities</source>
        <translation>les autorités de certification du système</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Provider&apos;s &amp;trust store:</source>
        <translation>Magasin de confiance du f&amp;ournisseur :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Provider trust</source>
        <translation>Magasin de confiance du fournisseur</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Certificate</source>
        <translation>Certificat</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>PEM or PKCS#12 (.p12, .pfx) file</source>
        <translation>fichier PEM ou PKCS#12 (.p12, .pfx)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose…</source>
        <translation>Choisir…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose the certificate file</source>
        <translation>Choisir le fichier du certificat</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Certificate file</source>
        <translation>Fichier du certificat</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Certificate &amp;file:</source>
        <translation>&amp;Fichier du certificat :</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Certificate pass&amp;word:</source>
        <translation>Mot de passe du c&amp;ertificat :</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Certificate password</source>
        <translation>Mot de passe du certificat</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Pli now logs in to your servers once, to check everything before the first synchronisation. Nothing is sent.</source>
        <translation>Pli se connecte maintenant une fois à vos serveurs pour tout vérifier avant la première synchronisation. Rien n&apos;est envoyé.</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+63"/>
        <source>&amp;Log in with Pro Santé Connect</source>
        <translation>Se &amp;connecter avec Pro Santé Connect</translation>
    </message>
    <message>
        <location line="-62"/>
        <source>Log in with Pro Santé Connect</source>
        <translation>Se connecter avec Pro Santé Connect</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Test the connection</source>
        <translation>&amp;Tester la connexion</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Test the connection</source>
        <translation>Tester la connexion</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>When you click Finish, Pli downloads your messages in the background, newest first; you can read them as they arrive.</source>
        <translation>Quand vous cliquez sur Terminer, Pli télécharge vos messages en arrière-plan, les plus récents d&apos;abord ; vous pouvez les lire au fur et à mesure.</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Your mailbox</source>
        <translation>Votre boîte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your operator&apos;s servers</source>
        <translation>Les serveurs de votre opérateur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How you appear to your correspondents</source>
        <translation>Comment vous apparaissez à vos correspondants</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How you log in</source>
        <translation>Comment vous vous connectez</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connection test</source>
        <translation>Test de la connexion</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Step %1 of %2</source>
        <translation>Étape %1 sur %2</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&amp;Send the request to my e-CPS</source>
        <translation>&amp;Envoyer la demande à mon e-CPS</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Looking for your operator…</source>
        <translation>Recherche de votre opérateur…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Operator recognised: %1.</source>
        <translation>Opérateur reconnu : %1.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>These settings come from Pli&apos;s list and have not been confirmed by the operator: check them if the test fails.</source>
        <translation>Ces réglages viennent de la liste de Pli et n&apos;ont pas été confirmés par l&apos;opérateur : vérifiez-les si le test échoue.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Servers found in your domain&apos;s DNS records (SRV).</source>
        <translation>Serveurs trouvés dans les enregistrements DNS de votre domaine (SRV).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Servers found in your domain&apos;s configuration file (autoconfig).</source>
        <translation>Serveurs trouvés dans le fichier de configuration de votre domaine (autoconfig).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Pli did not find your operator. Enter the servers your operator gave you.</source>
        <translation>Pli n&apos;a pas trouvé votre opérateur. Saisissez les serveurs que votre opérateur vous a indiqués.</translation>
    </message>
    <message>
        <location line="+65"/>
        <source>your address</source>
        <translation>votre adresse</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Preview: %1</source>
        <translation>Aperçu : %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Organisation and application boxes show the entity only.</source>
        <translation>Les boîtes organisationnelles et applicatives n&apos;affichent que l&apos;entité.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The national rule joins title, given name, FAMILY NAME and practice with underscores; empty parts are left out.</source>
        <translation>La règle nationale assemble titre, prénom, NOM et cabinet avec des tirets bas ; les parties vides sont omises.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Patients&apos; replies go to %1.</source>
        <translation>Les réponses des patients iront à %1.</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Choose the certificate</source>
        <translation>Choisir le certificat</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Certificates (*.pem *.p12 *.pfx);;All files (*)</source>
        <translation>Certificats (*.pem *.p12 *.pfx);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <location line="+97"/>
        <source>Waiting for your approval…</source>
        <translation>En attente de votre validation…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Log in in the browser window that opened, then come back here.</source>
        <translation>Connectez-vous dans la fenêtre du navigateur qui s&apos;est ouverte, puis revenez ici.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Logged in with Pro Santé Connect.</source>
        <translation>Connecté avec Pro Santé Connect.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Check that your phone or card reader shows: %1</source>
        <translation>Vérifiez que votre téléphone ou lecteur de carte affiche : %1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Incoming mail (IMAP): testing…</source>
        <translation>Réception (IMAP) : test en cours…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Outgoing mail (SMTP): testing…</source>
        <translation>Envoi (SMTP) : test en cours…</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Incoming mail (IMAP)</source>
        <translation>Réception (IMAP)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Outgoing mail (SMTP)</source>
        <translation>Envoi (SMTP)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1: connected ✓</source>
        <translation>%1 : connexion réussie ✓</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1: %2</source>
        <translation>%1 : %2</translation>
    </message>
</context>
<context>
    <name>ChangePassphraseDialog</name>
    <message>
        <location filename="../../app/ui/settings/keys_dialog.py" line="+177"/>
        <source>Change the archive passphrase</source>
        <translation>Changer la phrase secrète de l&apos;archive</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The passphrase protects the key of your archive. Your messages are not encrypted again: only the key&apos;s protection changes.</source>
        <translation>La phrase secrète protège la clé de votre archive. Vos messages ne sont pas chiffrés à nouveau : seule la protection de la clé change.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Current passphrase:</source>
        <translation>Phrase secrète &amp;actuelle :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Current passphrase</source>
        <translation>Phrase secrète actuelle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New passphrase:</source>
        <translation>&amp;Nouvelle phrase secrète :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>New passphrase</source>
        <translation>Nouvelle phrase secrète</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Again:</source>
        <translation>À &amp;nouveau :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>New passphrase again</source>
        <translation>Nouvelle phrase secrète à nouveau</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>C&amp;hange</source>
        <translation>C&amp;hanger</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change</source>
        <translation>Changer</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The two new passphrases differ.</source>
        <translation>Les deux nouvelles phrases secrètes diffèrent.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The new passphrase needs at least 8 characters.</source>
        <translation>La nouvelle phrase secrète doit compter au moins 8 caractères.</translation>
    </message>
</context>
<context>
    <name>MoveToKeyringDialog</name>
    <message>
        <location line="+13"/>
        <source>Keep the key in the system keyring</source>
        <translation>Garder la clé dans le trousseau du système</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This computer now has a secure keyring. Pli can keep your archive&apos;s key there: you will no longer type the passphrase when Pli starts, and your session password protects the archive instead. Type the passphrase once more to confirm.</source>
        <translation>Cet ordinateur dispose maintenant d&apos;un trousseau sécurisé. Pli peut y garder la clé de votre archive : vous ne taperez plus la phrase secrète au démarrage, c&apos;est le mot de passe de votre session qui protégera l&apos;archive. Tapez la phrase secrète une dernière fois pour confirmer.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;Passphrase:</source>
        <translation>&amp;Phrase secrète :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Passphrase</source>
        <translation>Phrase secrète</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Move the key</source>
        <translation>&amp;Déplacer la clé</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Move the key</source>
        <translation>Déplacer la clé</translation>
    </message>
</context>
<context>
    <name>SessionRelogin</name>
    <message>
        <location filename="../../app/ui/wizard/session.py" line="+83"/>
        <source>Log in again</source>
        <translation>Se reconnecter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Approve the login on your e-CPS app or card reader.</source>
        <translation>Validez la connexion dans votre application e-CPS ou sur votre lecteur de carte.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check that it shows this code: %1</source>
        <translation>Vérifiez que ce code s&apos;affiche : %1</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../app/ui/settings/settings_dialog.py" line="+100"/>
        <source>Settings</source>
        <extracomment>Window state keys (window.ini) for what is the window&apos;s, not the engine&apos;s.</extracomment>
        <translation>Paramètres</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Settings sections</source>
        <translation>Rubriques des paramètres</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&amp;Apply</source>
        <translation>&amp;Appliquer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Close</source>
        <translation>&amp;Fermer</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>&amp;Mailboxes</source>
        <translation>&amp;Boîtes</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Mailboxes</source>
        <translation>Boîtes</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Identity shown to your correspondents</source>
        <translation>Identité présentée à vos correspondants</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>T&amp;itle:</source>
        <translation>T&amp;itre :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Title</source>
        <translation>Titre</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Given name:</source>
        <translation>&amp;Prénom :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Given name</source>
        <translation>Prénom</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Family name:</source>
        <translation>&amp;Nom :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Family name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Practice or service:</source>
        <translation>&amp;Cabinet ou service :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Entity</source>
        <translation>Entité</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>optional: e.g. the practice&apos;s box</source>
        <translation>facultatif : ex. la boîte du cabinet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Return box:</source>
        <translation>Boîte de re&amp;tour :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Return box</source>
        <translation>Boîte de retour</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Recipients see:</source>
        <translation>Vos destinataires voient :</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Save this mailbox</source>
        <translation>&amp;Enregistrer cette boîte</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>&amp;Security</source>
        <translation>&amp;Sécurité</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lock</source>
        <translation>Verrouillage</translation>
    </message>
    <message>
        <location line="+4"/>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Lock Pli after:</source>
        <translation>&amp;Verrouiller Pli après :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Lock delay</source>
        <translation>Délai de verrouillage</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Without use for this time, Pli hides your messages (at most 2 hours).</source>
        <translation>Sans utilisation pendant ce temps, Pli masque vos messages (2 heures au plus).</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Secure connections</source>
        <translation>Connexions sécurisées</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Refuse a server whose certificate cannot be checked</source>
        <translation>Refuser un serveur dont le certificat ne peut pas être vérifié</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Check revocation when possible (recommended)</source>
        <translation>Vérifier la révocation quand c&apos;est possible (recommandé)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Do not check revocation (diagnosis only)</source>
        <translation>Ne pas vérifier la révocation (diagnostic seulement)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Certificate &amp;revocation:</source>
        <translation>&amp;Révocation des certificats :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Revocation</source>
        <translation>Révocation</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Allow TLS 1.3 (TLS 1.2 is always accepted)</source>
        <translation>Autoriser TLS 1.3 (TLS 1.2 est toujours accepté)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Allow TLS 1.3</source>
        <translation>Autoriser TLS 1.3</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>These options apply to the next connection to your servers.</source>
        <translation>Ces options s&apos;appliquent dès la prochaine connexion à vos serveurs.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Archive key</source>
        <translation>Clé de l&apos;archive</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Change the &amp;passphrase…</source>
        <translation>Changer la &amp;phrase secrète…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep the key in the system &amp;keyring…</source>
        <translation>Garder la clé dans le &amp;trousseau du système…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&amp;General</source>
        <translation>&amp;Général</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notifications</source>
        <translation>Notifications</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Tell me when new mail arrives</source>
        <translation>M&apos;avertir à l&apos;arrivée de nouveaux messages</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New mail notifications</source>
        <translation>Notifications de nouveaux messages</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>A notification only says how many messages arrived, never who sent them or what they are about.</source>
        <translation>Une notification indique seulement combien de messages sont arrivés, jamais leur expéditeur ni leur sujet.</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+3"/>
        <location line="+398"/>
        <source>Filing folder</source>
        <translation>Dossier de classement</translation>
    </message>
    <message>
        <location line="-397"/>
        <source>asked the first time you file a document</source>
        <translation>demandé au premier classement d&apos;un document</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C&amp;hoose…</source>
        <translation>C&amp;hoisir…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose the filing folder</source>
        <translation>Choisir le dossier de classement</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Demonstration mailbox</source>
        <translation>Boîte de démonstration</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Remove the &amp;demonstration…</source>
        <translation>Supprimer la &amp;démonstration…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove the demonstration</source>
        <translation>Supprimer la démonstration</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+5"/>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>French</source>
        <translation>Français</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Pli is in French only for now.</source>
        <translation>Pli n&apos;existe qu&apos;en français pour l&apos;instant.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Templates</source>
        <translation>&amp;Modèles</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Templates</source>
        <translation>Modèles</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;New template</source>
        <translation>&amp;Nouveau modèle</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+313"/>
        <source>New template</source>
        <translation>Nouveau modèle</translation>
    </message>
    <message>
        <location line="-307"/>
        <source>Tit&amp;le:</source>
        <translation>Tit&amp;re :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Template title</source>
        <translation>Titre du modèle</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Patients</source>
        <translation>Patients</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Professionals</source>
        <translation>Professionnels</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;For:</source>
        <translation>&amp;Pour :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Audience</source>
        <translation>Destinataires</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>S&amp;ubject:</source>
        <translation>O&amp;bjet :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Subject</source>
        <translation>Objet</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Template text</source>
        <translation>Texte du modèle</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Placeholders between double braces are filled when you use the template. Pli fills these itself: %1. Any other name, e.g. {{heure_rdv}}, is asked when you use the template.</source>
        <translation>Les champs entre doubles accolades sont remplis quand vous utilisez le modèle. Pli remplit lui-même : %1. Tout autre nom, par exemple {{heure_rdv}}, vous est demandé à l&apos;utilisation du modèle.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Save the &amp;template</source>
        <translation>Enregistrer le &amp;modèle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save the template</source>
        <translation>Enregistrer le modèle</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Directory</source>
        <translation>&amp;Annuaire</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Online search in the Annuaire Santé</source>
        <translation>Recherche en ligne dans l&apos;Annuaire Santé</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Address:</source>
        <translation>&amp;Adresse :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Directory address</source>
        <translation>Adresse de l&apos;annuaire</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>none: offline search only</source>
        <translation>aucune : recherche hors ligne seulement</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>API &amp;key:</source>
        <translation>Clé d&apos;&amp;API :</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>API key</source>
        <translation>Clé d&apos;API</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The key is kept in your encrypted archive, never in a clear file. Leave it empty to search the imported directory only.</source>
        <translation>La clé est conservée dans votre archive chiffrée, jamais dans un fichier en clair. Laissez vide pour ne chercher que dans l&apos;annuaire importé.</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>The key is kept in the system keyring.</source>
        <translation>La clé est conservée dans le trousseau du système.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The key is protected by your passphrase. This computer now has a secure keyring: Pli can keep the key there.</source>
        <translation>La clé est protégée par votre phrase secrète. Cet ordinateur dispose maintenant d&apos;un trousseau sécurisé : Pli peut y garder la clé.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The key is protected by your passphrase (no system keyring here).</source>
        <translation>La clé est protégée par votre phrase secrète (pas de trousseau système ici).</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Passphrase changed.</source>
        <translation>Phrase secrète changée.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The key is now kept in the system keyring.</source>
        <translation>La clé est maintenant conservée dans le trousseau du système.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 (archive)</source>
        <translation>%1 (archive)</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>The demonstration mailbox is installed (fictitious messages).</source>
        <translation>La boîte de démonstration est installée (messages fictifs).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No demonstration mailbox.</source>
        <translation>Pas de boîte de démonstration.</translation>
    </message>
    <message>
        <location line="+68"/>
        <source>Mailbox saved.</source>
        <translation>Boîte enregistrée.</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Remove the mailbox %1 but keep its archive?</source>
        <translation>Retirer la boîte %1 et garder son archive ?</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pli forgets its password, login session and certificate and never connects to it again: no new messages, nothing sent from it. Its archived messages, folders and patients stay on this computer, readable and searchable, marked as an archive. Messages waiting in its outbox will not be sent.</source>
        <translation>Pli oublie son mot de passe, sa session de connexion et son certificat et ne s&apos;y connecte plus jamais : plus de nouveaux messages, plus d&apos;envoi depuis elle. Ses messages archivés, ses dossiers et ses patients restent sur cet ordinateur, lisibles et consultables par la recherche, signalés comme archive. Les messages en attente dans sa boîte d&apos;envoi ne partiront pas.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Remove and &amp;keep the archive</source>
        <translation>Retirer et &amp;garder l&apos;archive</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Remove a mailbox</source>
        <translation>Supprimer une boîte</translation>
    </message>
    <message>
        <location line="-36"/>
        <source>Remove the mailbox %1 from Pli?</source>
        <translation>Supprimer la boîte %1 de Pli ?</translation>
    </message>
    <message>
        <location line="-365"/>
        <source>Remove the mailbox (&amp;keep its archive)…</source>
        <translation>&amp;Retirer la boîte (garder l&apos;archive)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Pli stops using the mailbox and forgets its password, but keeps its messages here, readable and searchable.</source>
        <translation>Pli n&apos;utilise plus la boîte et oublie son mot de passe, mais garde ici ses messages, lisibles et consultables par la recherche.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Re&amp;move with its archive…</source>
        <translation>Supprimer a&amp;vec son archive…</translation>
    </message>
    <message>
        <location line="+359"/>
        <source>Its archived messages, drafts and outbox on this computer are deleted with it. The messages stay on your operator&apos;s server.</source>
        <translation>Ses messages archivés, brouillons et envois en attente sur cet ordinateur sont supprimés avec elle. Les messages restent sur le serveur de votre opérateur.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Remove with its archive</source>
        <translation>&amp;Supprimer avec son archive</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>&amp;Keep it</source>
        <translation>&amp;La garder</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep it</source>
        <translation>La garder</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Mailbox removed.</source>
        <translation>Boîte supprimée.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Mailbox removed; its archive is kept.</source>
        <translation>Boîte retirée ; son archive est gardée.</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>Template saved.</source>
        <translation>Modèle enregistré.</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Settings saved and applied.</source>
        <translation>Paramètres enregistrés et appliqués.</translation>
    </message>
</context>
<context>
    <name>SettingsEntry</name>
    <message>
        <location filename="../../app/ui/settings/__init__.py" line="+24"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
</context>
<context>
    <name>StrengthMeter</name>
    <message>
        <location filename="../../app/ui/settings/keys_dialog.py" line="-185"/>
        <source>Passphrase strength</source>
        <translation>Solidité de la phrase secrète</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Too short</source>
        <translation>Trop courte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weak</source>
        <translation>Faible</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fair</source>
        <translation>Moyenne</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Good</source>
        <translation>Bonne</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Strong</source>
        <translation>Solide</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>At least 8 characters.</source>
        <translation>Au moins 8 caractères.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Avoid common words and passwords.</source>
        <translation>Évitez les mots et mots de passe courants.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Avoid repeated characters.</source>
        <translation>Évitez les caractères répétés.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mix letters, digits and signs.</source>
        <translation>Mêlez lettres, chiffres et signes.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Several unrelated words make a passphrase easy to remember.</source>
        <translation>Plusieurs mots sans rapport entre eux font une phrase secrète facile à retenir.</translation>
    </message>
</context>
<context>
    <name>_KeyDialog</name>
    <message>
        <location line="+48"/>
        <source>&amp;Cancel</source>
        <translation>&amp;Annuler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
</context>
</TS>
