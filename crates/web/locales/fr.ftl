# Passage — français. Chaque clé de en.ftl doit exister ici.

## Navigation et cadre
nav-skip = Aller au contenu
nav-label = Principal
nav-home = Accueil
nav-search = Rechercher une personne
nav-register = Enregistrer une personne
nav-offices = Bureaux
nav-logout = Se déconnecter
nav-language = Langue
nav-language-apply = Changer
choose = Choisir…
none = Aucun
none-yet = Rien d'enregistré pour l'instant.
filter-any = Tous
filter-birth-year = Année de naissance
person = Personne
case = Dossier

## Connexion
login-title = Connexion à Passage
login-username = Nom d'utilisateur
login-password = Mot de passe
login-submit = Se connecter
login-failed = Nom d'utilisateur ou mot de passe incorrect, ou compte désactivé.
login-paused = Trop d’échecs pour ce compte ou depuis cette connexion. Réessayez dans { $minutes } minutes.

## Accueil
home-welcome = Bienvenue, { $name }
home-my-cases = Mes dossiers ouverts
home-no-cases = Aucun dossier ouvert ne vous est attribué.
home-recent = Activité récente
home-no-activity = Aucune activité pour l'instant.

## Recherche
search-title = Rechercher une personne
search-label = Nom (toute orthographe)
search-hint = Diallo trouve aussi Jallow et Djalo ; les accents et l'ordre des noms sont sans importance.
search-submit = Rechercher
search-results = { $count ->
    [one] { $count } personne trouvée
   *[other] { $count } personnes trouvées
}
search-none = Aucune correspondance. Vérifiez l'orthographe ou enregistrez la personne.
search-truncated = Trop de correspondances : seule une partie a été classée. Ajoutez une nationalité ou une année de naissance.
search-matched-as = enregistré(e) sous { $name }

## Enregistrement
register-title = Enregistrer une personne et ouvrir un dossier
register-intro = Les champs laissés vides pourront être complétés plus tard. L'année seule suffit pour la date de naissance.
register-identity = Identité
register-document = Document d'identité
register-case = Dossier
register-submit = Enregistrer
register-done = Personne enregistrée. Le dossier est ouvert.
hint-birth-date = AAAA-MM-JJ, ou seulement l'année (AAAA)
hint-phone = Format international, ex. +227 96 12 34 56
hint-quantity = Nuits d'hébergement, repas, séances… (1 si vide)
hint-provider = Laisser vide si votre organisation l'a fourni
hint-reason = Obligatoire pour clôturer un dossier
provider-own = Notre organisation

## Champs
field-name = Nom
field-names-given = Prénom(s)
field-names-family = Nom de famille
field-given = Prénom(s)
field-family = Nom de famille
field-alias_given = Autre(s) prénom(s) ou orthographe
field-alias_family = Autre nom de famille ou orthographe
field-sex = Sexe
field-birth_date = Date de naissance
field-birth_date_precision = Précision de la date
field-nationality = Nationalité
field-languages = Langues
field-phone = Téléphone
field-documents-kind = Type de document
field-documents-number = Numéro du document
field-documents-issuing_country = Pays de délivrance
field-documents-expires_on = Date d'expiration
field-doc_kind = Type de document
field-doc_number = Numéro du document
field-doc_country = Pays de délivrance
field-doc_expires = Date d'expiration
field-kind = Type
field-office_id = Bureau
field-assigned_to = Attribué à
field-screened_on = Date du dépistage
field-findings = Résultats du dépistage
field-exploitation = Type d'exploitation
field-notes = Notes
field-provided_on = Date de remise
field-quantity = Quantité
field-place = Lieu
field-provider = Prestataire
field-cost = Coût
field-currency = Devise
field-body = Note
field-status = Statut
field-reason = Motif
field-code = Code
field-country = Pays
field-capacity = Capacité (lits)
field-q = Nom
field-office = Bureau
field-birth_year = Année de naissance
field-limit = Nombre de résultats
field-case = Dossier
field-username = Nom d'utilisateur
field-password = Mot de passe
field-display_name = Nom complet

## Pages personne et dossier
person-aliases = Aussi enregistré(e) sous
person-registered = Enregistré(e) le
person-cases = Dossiers
case-open-another = Ouvrir un autre dossier pour cette personne
case-open-submit = Ouvrir le dossier
birth-estimated = vers { $year }
case-reference = Référence
case-status = Statut
case-priority = Priorité
case-sensitivity = Sensibilité
case-office = Bureau
case-assigned = Attribué à
case-opened = Ouvert le
case-screenings = Dépistages de vulnérabilité
case-assistance = Assistance
case-notes = Notes du dossier
screening-record = Enregistrer un dépistage
screening-submit = Enregistrer le dépistage
screening-nothing = aucune vulnérabilité constatée
assistance-record = Enregistrer une assistance
assistance-submit = Enregistrer l'assistance
note-submit = Ajouter la note
status-new = Nouveau statut
status-submit = Changer le statut

## Bureaux
offices-title = Bureaux
offices-load = Dossiers ouverts / capacité
offices-add = Ajouter un bureau
offices-submit = Ajouter le bureau

## Erreurs
form-has-errors = Certains champs sont à corriger.
error-title = Une erreur s'est produite
error-not-found = Cette page n'existe pas, ou vous n'y avez pas accès.
error-forbidden = Votre rôle ne le permet pas.
error-conflict = Quelqu'un d'autre a modifié cette fiche au même moment. Rechargez la page et réessayez.
error-too-many = Trop de tentatives échouées. Réessayez plus tard.
error-internal = Une erreur inattendue s'est produite. Elle a été consignée ; veuillez réessayer.
error-method = Cette adresse n'accepte pas ce type de requête.
error-csrf = Ce formulaire a expiré. Revenez en arrière, rechargez la page et renvoyez-le.
err-required = Obligatoire.
err-too-long = Trop long : { $max } caractères au maximum (ici { $length }).
err-too-many = Trop d'éléments : { $max } au maximum.
err-unknown-choice = « { $value } » ne fait pas partie des choix.
err-unknown-country = « { $value } » n'est pas un code pays ISO 3166 (trois lettres, ex. NER).
err-unknown-language = « { $value } » n'est pas un code de langue connu (ISO 639-3, ex. bam).
err-unknown-currency = « { $value } » n'est pas un code de devise connu.
err-unknown-office = Bureau inconnu.
err-unknown-user = Utilisateur inconnu, ou qui ne travaille pas dans ce bureau.
err-date-format = Écrivez la date au format AAAA-MM-JJ.
err-date-impossible = Cette date n'existe pas ({ $value }).
err-date-in-future = La date ne peut pas être dans le futur.
err-date-too-old = La date est trop ancienne.
err-name-required = Indiquez au moins un prénom ou un nom de famille.
err-phone = Écrivez le numéro au format international : + puis 8 à 15 chiffres.
err-document-number = Lettres, chiffres, espaces, - et / uniquement.
err-number-too-large = { $max } au maximum.
err-positive-number = Écrivez un nombre entier, 1 ou plus.
err-exploitation-required = Choisissez le type d'exploitation pour une victime de la traite.
err-exploitation-without-trafficking = Le type d'exploitation ne s'enregistre que pour une victime de la traite.
err-unaccompanied-and-separated = Un enfant est soit non accompagné, soit séparé, pas les deux.
err-status-transition = Un dossier ne peut pas passer de « { $from } » à « { $to } ».
err-reason-required = Indiquez un motif.
err-case-closed = Le dossier est clôturé : rouvrez-le d'abord.
err-office-code = 2 à 16 lettres, chiffres ou tirets.
err-office-code-taken = Ce code est déjà utilisé.
err-username = 3 à 40 lettres minuscules, chiffres, points, tirets ou tirets bas.
err-username-taken = Ce nom d'utilisateur est déjà pris.
err-password-short = Au moins { $min } caractères.
err-password-common = Ce mot de passe fait partie des plus courants ; choisissez-en un autre.
err-password-username = Le mot de passe ne doit pas contenir le nom d’utilisateur.
err-year = Écrivez une année, ex. 1998.
err-limit = Entre 1 et { $max }.

## Activité récente
activity-person_registered = a enregistré une personne
activity-case_opened = a ouvert un dossier
activity-screening_recorded = a enregistré un dépistage
activity-assistance_recorded = a enregistré une assistance
activity-note_added = a ajouté une note
activity-status_changed = a changé le statut d'un dossier

## Codes
sex-female = Féminin
sex-male = Masculin
sex-unknown = Non renseigné
precision-exact = Exacte
precision-year = Année seulement
precision-estimated = Estimée
kind-transit_protection = Protection en transit
kind-assisted_voluntary_return = Retour volontaire assisté
kind-trafficking_victim_assistance = Assistance aux victimes de la traite
kind-unaccompanied_child = Enfant non accompagné
kind-search_and_rescue_survivor = Rescapé(e) d'une opération de recherche et sauvetage
status-open = Ouvert
status-active = Actif
status-on_hold = En suspens
status-closed = Clôturé
priority-high = Haute
priority-medium = Moyenne
priority-low = Basse
sensitivity-normal = Normale
sensitivity-restricted = Restreinte
finding-victim_of_trafficking = Victime de la traite
finding-unaccompanied_child = Enfant non accompagné
finding-separated_child = Enfant séparé
finding-serious_medical_condition = Problème médical grave
finding-disability = Handicap
finding-gbv_survivor = Survivant(e) de violences basées sur le genre
finding-pregnant_or_lactating = Femme enceinte ou allaitante
finding-older_person = Personne âgée
finding-mental_health_need = Besoin en santé mentale
finding-stranded_without_means = Bloqué(e) sans ressources
exploitation-labour = Par le travail
exploitation-sexual = Sexuelle
exploitation-domestic_servitude = Servitude domestique
exploitation-forced_begging = Mendicité forcée
exploitation-forced_criminality = Criminalité forcée
exploitation-forced_marriage = Mariage forcé
exploitation-organ_removal = Prélèvement d'organes
exploitation-other = Autre
assistance-shelter = Hébergement
assistance-food = Alimentation
assistance-non_food_items = Kit d'articles non alimentaires
assistance-medical_consultation = Consultation médicale
assistance-psychosocial_session = Séance psychosociale
assistance-legal_counselling = Conseil juridique
assistance-cash = Assistance en espèces
assistance-family_tracing = Recherche familiale
assistance-transport = Transport
assistance-clothing = Vêtements
assistance-phone_call_home = Appel à la famille
unit-nights = nuits
unit-meals = repas
unit-kits = kits
unit-sessions = séances
unit-items = articles
unit-calls = appels
unit-trips = trajets
unit-payments = versements
doc-passport = Passeport
doc-national_id = Carte nationale d'identité
doc-birth_certificate = Acte de naissance
doc-laissez_passer = Laissez-passer
doc-consular_card = Carte consulaire
doc-other = Autre document
office-country_office = Bureau pays
office-transit_centre = Centre de transit
office-shelter = Centre d'hébergement
office-sub_office = Sous-bureau

## Consentement
consents = Consentements
consent-record = Enregistrer un consentement
consent-submit = Enregistrer le consentement
consent-withdraw = Retirer
consent-withdrawn-on = retiré le { $date }
consent-registration = Enregistrement
consent-data_sharing = Partage des données avec un partenaire
consent-follow_up_contact = Contact de suivi
consent-photos = Photos
consent-method-written = Écrit
consent-method-verbal = Oral
consent-method-thumbprint = Empreinte digitale
field-partner = Partenaire
field-method = Mode de recueil
field-given_on = Date du consentement
hint-partner = L'organisation avec laquelle les données peuvent être partagées
err-partner-required = Indiquez le partenaire pour un consentement au partage de données.
activity-consent_recorded = a enregistré un consentement
activity-consent_withdrawn = a enregistré le retrait d'un consentement

# Audit trail
nav-audit = Journal d’audit
audit-title = Journal d’audit
audit-person = Personne (identifiant)
audit-case = Dossier (identifiant)
audit-user = Utilisateur
audit-from = Du
audit-until = Au
audit-filter = Afficher
audit-at = Quand (UTC)
audit-action = Quoi
audit-record = Enregistrement
audit-changes = Modifications
audit-source = Depuis
audit-system = Système
audit-older = Entrées plus anciennes
