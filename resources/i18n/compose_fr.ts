<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR" sourcelanguage="en">
<context>
    <name>AttachmentList</name>
    <message>
        <location filename="../../app/ui/compose/attachments.py" line="+186"/>
        <source>Documents</source>
        <translation>Documents</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Drop documents here from the desktop, or use “Attach…” (Ctrl+Maj+A).</source>
        <translation>Glissez ici des documents depuis le bureau, ou utilisez « Joindre… » (Ctrl+Maj+A).</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Size of the message</source>
        <translation>Taille du message</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Refused document</source>
        <translation>Document refusé</translation>
    </message>
    <message>
        <location line="+99"/>
        <source>%1 of %2</source>
        <translation>%1 sur %2</translation>
    </message>
</context>
<context>
    <name>AttachmentRow</name>
    <message>
        <location line="-190"/>
        <source>Send as PDF</source>
        <translation>Envoyer en PDF</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The patient cannot open this type in Mon espace santé: Pli converts it to PDF.</source>
        <translation>Le patient ne peut pas ouvrir ce type dans Mon espace santé : Pli le convertit en PDF.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Send as IHE_XDM</source>
        <translation>Envoyer en IHE_XDM</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send this PDF as a CDA document in an IHE_XDM package.</source>
        <translation>Envoyer ce PDF comme document CDA dans un paquet IHE_XDM.</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>converted from %1</source>
        <translation>converti depuis : %1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Remove %1</source>
        <translation>Retirer %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove this document</source>
        <translation>Retirer ce document</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Send %1 as PDF</source>
        <translation>Envoyer %1 en PDF</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send %1 as IHE_XDM</source>
        <translation>Envoyer %1 en IHE_XDM</translation>
    </message>
</context>
<context>
    <name>Chip</name>
    <message>
        <location filename="../../app/ui/compose/recipients.py" line="+247"/>
        <source>patient</source>
        <extracomment>Splits a pasted list: commas, semicolons, new lines, tabs. A better address to offer (the MSSanté form of an Apicrypt address), or &quot;&quot;.</extracomment>
        <translation>patient</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>to be confirmed</source>
        <translation>à confirmer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>refused</source>
        <translation>refusé</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Remove %1</source>
        <translation>Retirer %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+8"/>
        <source>Remove this recipient</source>
        <translation>Retirer ce destinataire</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Replace with %1</source>
        <translation>Remplacer par %1</translation>
    </message>
</context>
<context>
    <name>ComposeTexts</name>
    <message>
        <location filename="../../app/ui/compose/texts.py" line="+27"/>
        <source>“{value}” is not a valid address.</source>
        <translation>« {value} » n&apos;est pas une adresse valide.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add at least one recipient.</source>
        <translation>Ajoutez au moins un destinataire.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The patient address {address} does not carry a valid INS (its key is wrong): check the number.</source>
        <translation>L&apos;adresse patient {address} ne porte pas un INS valide (sa clé est fausse) : vérifiez le numéro.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{address} is an Apicrypt address: write to {suggestion}, its MSSanté form.</source>
        <translation>{address} est une adresse Apicrypt : écrivez à {suggestion}, sa forme MSSanté.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{addresses}: the domain {domain} is outside the MSSanté trust space. Send anyway only if you know this recipient.</source>
        <translation>{addresses} : le domaine {domain} est hors de l&apos;Espace de confiance MSSanté. N&apos;envoyez que si vous connaissez ce destinataire.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The list of the trust space&apos;s domains is not loaded: {domains} could not be checked.</source>
        <translation>La liste blanche de l&apos;Espace de confiance n&apos;est pas chargée : {domains} n&apos;a pas pu être vérifié.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The message weighs {size}, over the limit of {limit}: remove or reduce documents.</source>
        <translation>Le message pèse {size}, au-delà de la limite de {limit} : retirez ou allégez des documents.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The product reference (X-MSS-NIL) is not set in the settings.</source>
        <translation>La référence du logiciel (X-MSS-NIL) n&apos;est pas renseignée dans les réglages.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The XDM package lacks the headers {missing}.</source>
        <translation>Il manque au paquet XDM les en-têtes {missing}.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The message has no subject.</source>
        <translation>Le message n&apos;a pas d&apos;objet.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>“{name}” is empty.</source>
        <translation>« {name} » est vide.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>“{name}” is refused: its content is {kind}, a type MSSanté does not carry (PDF, JPEG, PNG, TIFF, RTF, XDM only).</source>
        <translation>« {name} » est refusé : son contenu est {kind}, un type que MSSanté ne transporte pas (PDF, JPEG, PNG, TIFF, RTF, XDM seulement).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>“{name}” is refused: its name says .{declared} but its content is {kind}.</source>
        <translation>« {name} » est refusé : son nom annonce un .{declared} mais son contenu est {kind}.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>“{name}” is refused: a ZIP file may only be an IHE_XDM package.</source>
        <translation>« {name} » est refusé : un fichier ZIP ne peut être qu&apos;un paquet IHE_XDM.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>“{name}” is refused: an XML file may only be a CDA document.</source>
        <translation>« {name} » est refusé : un fichier XML ne peut être qu&apos;un document CDA.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The patient cannot open “{name}” in Mon espace santé: send it as PDF.</source>
        <translation>Le patient ne pourra pas ouvrir « {name} » dans Mon espace santé : envoyez-le en PDF.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This file is far too large for any message.</source>
        <translation>Ce fichier est bien trop volumineux pour un message.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This file cannot be converted to PDF.</source>
        <translation>Ce fichier ne peut pas être converti en PDF.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pli does not know the patient {ins} yet: choose “Patient…” and give their name, given name and birth date.</source>
        <translation>Pli ne connaît pas encore le patient {ins} : choisissez « Patient… » et indiquez son nom, son prénom et sa date de naissance.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A new patient&apos;s identity needs exactly one patient among the recipients.</source>
        <translation>L&apos;identité d&apos;un nouveau patient demande exactement un patient parmi les destinataires.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The patient&apos;s birth date is not valid.</source>
        <translation>La date de naissance du patient n&apos;est pas valide.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only a PDF can be sent as an IHE_XDM document.</source>
        <translation>Seul un PDF peut être envoyé comme document IHE_XDM.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An IHE_XDM message gets its subject from the document: leave the subject empty.</source>
        <translation>Un message IHE_XDM tient son objet du document : laissez l&apos;objet vide.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A document is refused ({code}).</source>
        <translation>Un document est refusé ({code}).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The IHE_XDM document has a problem ({code}).</source>
        <translation>Le document IHE_XDM pose un problème ({code}).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The PDF cannot be read ({code}).</source>
        <translation>Le PDF ne peut pas être lu ({code}).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The image cannot be read ({code}).</source>
        <translation>L&apos;image ne peut pas être lue ({code}).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The RTF document cannot be read ({code}).</source>
        <translation>Le document RTF ne peut pas être lu ({code}).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The message cannot be sent as it is ({code}).</source>
        <translation>Le message ne peut pas partir en l&apos;état ({code}).</translation>
    </message>
    <message>
        <location line="+2"/>
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
        <source>program</source>
        <translation>programme</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>web page</source>
        <translation>page web</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+20"/>
        <source>plain text</source>
        <translation>texte brut</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>empty file</source>
        <translation>fichier vide</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unknown type</source>
        <translation>type inconnu</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>a PDF document</source>
        <extracomment>The same, with their article, inside sentences (&quot;its content is a program&quot;).</extracomment>
        <translation>un document PDF</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a JPEG image</source>
        <translation>une image JPEG</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a PNG image</source>
        <translation>une image PNG</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a TIFF image</source>
        <translation>une image TIFF</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>an RTF document</source>
        <translation>un document RTF</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a ZIP archive</source>
        <translation>une archive ZIP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>an XML document</source>
        <translation>un document XML</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a GIF image</source>
        <translation>une image GIF</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a BMP image</source>
        <translation>une image BMP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a WebP image</source>
        <translation>une image WebP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>an old Office document</source>
        <translation>un ancien document Office</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>an Office document</source>
        <translation>un document Office</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a program</source>
        <translation>un programme</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a web page</source>
        <translation>une page web</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>nothing (empty file)</source>
        <translation>vide</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>of an unknown type</source>
        <translation>d&apos;un type inconnu</translation>
    </message>
</context>
<context>
    <name>ComposerManager</name>
    <message>
        <location filename="../../app/ui/compose/manager.py" line="+166"/>
        <source>Messages being written</source>
        <extracomment>Where the ids of the drafts being written are kept (ids only: no health data).</extracomment>
        <translation>Messages en cours de rédaction</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n message(s) were being written when Pli stopped. Reopen them?</source>
        <translation>
            <numerusform>Un message était en cours de rédaction quand Pli s&apos;est arrêté. Le rouvrir ?</numerusform>
            <numerusform>%n messages étaient en cours de rédaction quand Pli s&apos;est arrêté. Les rouvrir ?</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Reopen</source>
        <translation>Rouvrir</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Later</source>
        <translation>Plus tard</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>The message waits in the outbox.</source>
        <translation>Le message attend dans la boîte d&apos;envoi.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Message sent.</source>
        <translation>Message envoyé.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server refused the message: see the outbox.</source>
        <translation>Le serveur a refusé le message : voyez la boîte d&apos;envoi.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The message may have left: Pli checks before sending it again.</source>
        <translation>Le message est peut-être parti : Pli vérifie avant de le renvoyer.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Message queued: it leaves as soon as the server can be reached.</source>
        <translation>Message en attente : il partira dès que le serveur sera joignable.</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>&amp;New message</source>
        <translation>&amp;Nouveau message</translation>
    </message>
</context>
<context>
    <name>ComposerWindow</name>
    <message>
        <location filename="../../app/ui/compose/composer.py" line="+82"/>
        <source>On %1 at %2, %3 wrote:</source>
        <extracomment>A moment after the last change: the checks run, then the draft is saved. LOINC document types offered for IHE_XDM (the most common between professionals).</extracomment>
        <translation>Le %1 à %2, %3 a écrit :</translation>
    </message>
    <message>
        <location line="+129"/>
        <location line="+259"/>
        <source>New message</source>
        <extracomment>Closed (its C++ side is about to go): loading coroutines stop touching it.</extracomment>
        <translation>Nouveau message</translation>
    </message>
    <message>
        <location line="-243"/>
        <source>Message</source>
        <translation>Message</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Send</source>
        <translation>&amp;Envoyer</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Attach…</source>
        <translation>&amp;Joindre…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Patient…</source>
        <translation>&amp;Patient…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save as &amp;template…</source>
        <translation>Enregistrer comme &amp;modèle…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Close</source>
        <translation>&amp;Fermer</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Template</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use a template…</source>
        <translation>Utiliser un modèle…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Sending mailbox</source>
        <translation>Boîte d&apos;envoi</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;From:</source>
        <translation>&amp;De :</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Replies go to</source>
        <translation>Les réponses arrivent à</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Replies to:</source>
        <translation>Ré&amp;ponses à :</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>To</source>
        <translation>À</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cc</source>
        <translation>Cc</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bcc</source>
        <translation>Cci</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;To:</source>
        <translation>À :</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C&amp;c:</source>
        <translation>C&amp;c :</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Bcc:</source>
        <translation>Cc&amp;i :</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+346"/>
        <source>No patient</source>
        <translation>Aucun patient</translation>
    </message>
    <message>
        <location line="-345"/>
        <source>Patient of the message</source>
        <translation>Patient du message</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose…</source>
        <translation>Choisir…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose the patient</source>
        <translation>Choisir le patient</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Patient:</source>
        <translation>Patient :</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Subject</source>
        <translation>Objet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Subject:</source>
        <translation>&amp;Objet :</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Text of the message</source>
        <translation>Texte du message</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Ask for a read &amp;receipt</source>
        <translation>Demander un accusé de &amp;lecture</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ask for a &amp;delivery report</source>
        <translation>Demander un accusé de &amp;remise</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Checks before sending</source>
        <translation>Vérifications avant l&apos;envoi</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The draft is kept: nothing is lost.</source>
        <translation>Le brouillon est conservé : rien n&apos;est perdu.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+410"/>
        <source>Send (Ctrl+Entrée)</source>
        <translation>Envoyer (Ctrl+Entrée)</translation>
    </message>
    <message>
        <location line="-340"/>
        <source>No mailbox: add one first.</source>
        <translation>Aucune boîte aux lettres : ajoutez-en une d&apos;abord.</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+1"/>
        <source>The recipient sees: %1</source>
        <translation>Le destinataire voit : %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The return box %1</source>
        <translation>La boîte de retour %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+3"/>
        <source>This mailbox (%1)</source>
        <translation>Cette boîte (%1)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The mailbox “%1” (%2)</source>
        <translation>La boîte « %1 » (%2)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Where the recipients&apos; replies arrive (Reply-To): a patient may then write there.</source>
        <translation>Où arrivent les réponses des destinataires (Reply-To) : un patient pourra alors y écrire.</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>-------- Forwarded message --------</source>
        <translation>-------- Message transféré --------</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>From: %1</source>
        <translation>De : %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Date: %1</source>
        <translation>Date : %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Subject: %1</source>
        <translation>Objet : %1</translation>
    </message>
    <message>
        <location line="+219"/>
        <source>Refused:</source>
        <translation>Refusé :</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>To confirm:</source>
        <translation>À confirmer :</translation>
    </message>
    <message>
        <location line="+80"/>
        <source>Draft saved at %1</source>
        <translation>Brouillon enregistré à %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Attach documents</source>
        <translation>Joindre des documents</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Documents (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.rtf *.zip *.xml)</source>
        <translation>Documents (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.rtf *.zip *.xml)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All files (*)</source>
        <translation>Tous les fichiers (*)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>“%1” cannot be read.</source>
        <translation>« %1 » ne peut pas être lu.</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>The subject comes from the document (XDM/1.0/DDM+…)</source>
        <translation>L&apos;objet vient du document (XDM/1.0/DDM+…)</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>born %1</source>
        <translation>né(e) le %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Patient of the message: %1</source>
        <translation>Patient du message : %1</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Save as template</source>
        <translation>Enregistrer comme modèle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name of the template:</source>
        <translation>Nom du modèle :</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>My templates — %1</source>
        <translation>Mes modèles — %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Template “%1” saved.</source>
        <translation>Modèle « %1 » enregistré.</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Sending…</source>
        <translation>Envoi…</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Send anyway?</source>
        <translation>Envoyer quand même ?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please confirm before sending:</source>
        <translation>Merci de confirmer avant l&apos;envoi :</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Send anyway</source>
        <translation>Envoyer quand même</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Go back</source>
        <translation>Revenir au message</translation>
    </message>
</context>
<context>
    <name>PatientPickerDialog</name>
    <message>
        <location filename="../../app/ui/compose/patient_picker.py" line="+65"/>
        <location line="+1"/>
        <source>Patient of the message</source>
        <translation>Patient du message</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Search by name or INS</source>
        <translation>Rechercher par nom ou INS</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search a known patient</source>
        <translation>Rechercher un patient connu</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Known patients</source>
        <translation>Patients connus</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Or a new patient</source>
        <translation>Ou un nouveau patient</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>15 digits</source>
        <translation>15 chiffres</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>INS</source>
        <translation>INS</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Family name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Given name</source>
        <translation>Prénom</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Birth date</source>
        <translation>Date de naissance</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;INS:</source>
        <translation>&amp;INS :</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Family name:</source>
        <translation>&amp;Nom :</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Given name:</source>
        <translation>&amp;Prénom :</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Birth date:</source>
        <translation>Date de &amp;naissance :</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>born %1</source>
        <translation>né(e) le %1</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>The INS key (last two digits) is wrong.</source>
        <translation>La clé de l&apos;INS (les deux derniers chiffres) est fausse.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An INS has 15 digits.</source>
        <translation>Un INS compte 15 chiffres.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Give the patient&apos;s family name and given name.</source>
        <translation>Indiquez le nom et le prénom du patient.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Choose a patient or enter a new one.</source>
        <translation>Choisissez un patient ou saisissez-en un nouveau.</translation>
    </message>
</context>
<context>
    <name>RecipientField</name>
    <message>
        <location filename="../../app/ui/compose/recipients.py" line="+121"/>
        <source>Name, profession, town, INS or address</source>
        <translation>Nom, profession, ville, INS ou adresse</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Suggestions</source>
        <translation>Suggestions</translation>
    </message>
    <message>
        <location line="+178"/>
        <source>Patient</source>
        <translation>Patient</translation>
    </message>
</context>
<context>
    <name>XdmDialog</name>
    <message>
        <location filename="../../app/ui/compose/composer.py" line="-987"/>
        <source>Send as IHE_XDM</source>
        <translation>Envoyer en IHE_XDM</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Document: %1</source>
        <translation>Document : %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Title of the document</source>
        <translation>Titre du document</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Type of document</source>
        <translation>Type de document</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Date of the act</source>
        <translation>Date de l&apos;acte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Title:</source>
        <translation>&amp;Titre :</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>T&amp;ype:</source>
        <translation>T&amp;ype :</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Date of the act:</source>
        <translation>&amp;Date de l&apos;acte :</translation>
    </message>
</context>
</TS>
