# Passage — English (source). Every key here must exist in fr.ftl and ar.ftl.

## Navigation and chrome
nav-skip = Skip to content
nav-label = Main
nav-home = Home
nav-search = Find a person
nav-register = Register a person
nav-offices = Offices
nav-logout = Log out
nav-language = Language
nav-language-apply = Change
choose = Choose…
none = None
none-yet = Nothing recorded yet.
filter-any = Any
filter-birth-year = Year of birth
person = Person
case = Case

## Login
login-title = Log in to Passage
login-username = Username
login-password = Password
login-submit = Log in
login-failed = Wrong username or password, or the account is disabled.
login-paused = Too many failed attempts for this account or from this connection. Try again in { $minutes } minutes.

## Home
home-welcome = Welcome, { $name }
home-my-cases = My open cases
home-no-cases = No open case is assigned to you.
home-recent = Recent activity
home-no-activity = Nothing has happened yet.

## Search
search-title = Find a person
search-label = Name (any spelling)
search-hint = Diallo finds Jallow and Djalo too; accents and order do not matter.
search-submit = Search
search-results = { $count ->
    [one] One person found
   *[other] { $count } persons found
}
search-none = Nobody matches. Check the spelling or register the person.
search-truncated = Many people match: only part of them were ranked. Add a nationality or a year of birth.
search-matched-as = registered as { $name }

## Registration
register-title = Register a person and open a case
register-intro = Fields left empty can be completed later. A year alone is enough for the date of birth.
register-identity = Identity
register-document = Identity document
register-case = Case
register-submit = Register
register-done = Registered. The case is open.
hint-birth-date = YYYY-MM-DD, or only the year (YYYY)
hint-phone = International form, e.g. +227 96 12 34 56
hint-quantity = Nights of shelter, meals, sessions… (1 if empty)
hint-provider = Leave empty if your organisation gave it
hint-reason = Needed to close a case
provider-own = Own organisation

## Fields
field-name = Name
field-names-given = Given name(s)
field-names-family = Family name
field-given = Given name(s)
field-family = Family name
field-alias_given = Other given name(s) or spelling
field-alias_family = Other family name or spelling
field-sex = Sex
field-birth_date = Date of birth
field-birth_date_precision = How sure is the date?
field-nationality = Nationality
field-languages = Languages
field-phone = Phone
field-documents-kind = Document type
field-documents-number = Document number
field-documents-issuing_country = Issuing country
field-documents-expires_on = Expiry date
field-doc_kind = Document type
field-doc_number = Document number
field-doc_country = Issuing country
field-doc_expires = Expiry date
field-kind = Type
field-office_id = Office
field-assigned_to = Assigned to
field-screened_on = Date of screening
field-findings = What screening found
field-exploitation = Type of exploitation
field-notes = Notes
field-provided_on = Date given
field-quantity = Quantity
field-place = Place
field-provider = Provider
field-cost = Cost
field-currency = Currency
field-body = Note
field-status = Status
field-reason = Reason
field-code = Code
field-country = Country
field-capacity = Capacity (beds)
field-q = Name
field-office = Office
field-birth_year = Year of birth
field-limit = Number of results
field-case = Case
field-username = Username
field-password = Password
field-display_name = Full name

## Person and case pages
person-aliases = Also registered as
person-registered = Registered on
person-cases = Cases
case-open-another = Open another case for this person
case-open-submit = Open the case
birth-estimated = about { $year }
case-reference = Reference
case-status = Status
case-priority = Priority
case-sensitivity = Sensitivity
case-office = Office
case-assigned = Assigned to
case-opened = Opened on
case-screenings = Vulnerability screenings
case-assistance = Assistance
case-notes = Case notes
screening-record = Record a screening
screening-submit = Save screening
screening-nothing = no vulnerability found
assistance-record = Record assistance
assistance-submit = Save assistance
note-submit = Add note
status-new = New status
status-submit = Change status

## Offices
offices-title = Offices
offices-load = Open cases / capacity
offices-add = Add an office
offices-submit = Add office

## Errors
form-has-errors = Some fields need your attention.
error-title = Something went wrong
error-not-found = This page does not exist, or you do not have access to it.
error-forbidden = Your role does not allow this.
error-conflict = Someone else changed this record at the same time. Reload the page and try again.
error-too-many = Too many failed attempts. Try again later.
error-internal = An unexpected error happened. It has been logged; please try again.
error-method = This address does not accept that kind of request.
error-csrf = This form has expired. Go back, reload the page and send it again.
err-required = Required.
err-too-long = Too long: at most { $max } characters (this has { $length }).
err-too-many = Too many: at most { $max }.
err-unknown-choice = “{ $value }” is not one of the choices.
err-unknown-country = “{ $value }” is not an ISO 3166 country code (three letters, e.g. NER).
err-unknown-language = “{ $value }” is not a known language code (ISO 639-3, e.g. bam).
err-unknown-currency = “{ $value }” is not a known currency code.
err-unknown-office = Unknown office.
err-unknown-user = Unknown user, or not working in this office.
err-date-format = Write the date as YYYY-MM-DD.
err-date-impossible = This date does not exist ({ $value }).
err-date-in-future = The date cannot be in the future.
err-date-too-old = The date is too far in the past.
err-name-required = Give at least a given name or a family name.
err-phone = Write the phone in international form: + then 8 to 15 digits.
err-document-number = Letters, digits, spaces, - and / only.
err-number-too-large = At most { $max }.
err-positive-number = Write a whole number, 1 or more.
err-exploitation-required = Choose the type of exploitation for a victim of trafficking.
err-exploitation-without-trafficking = A type of exploitation is only recorded for a victim of trafficking.
err-unaccompanied-and-separated = A child is either unaccompanied or separated, not both.
err-status-transition = A case cannot go from { $from } to { $to }.
err-reason-required = Give a reason.
err-case-closed = The case is closed: reopen it first.
err-office-code = 2 to 16 letters, digits or dashes.
err-office-code-taken = This code is already used.
err-username = 3 to 40 lower-case letters, digits, dots, dashes or underscores.
err-username-taken = This username is taken.
err-password-short = At least { $min } characters.
err-password-common = This password is among the most commonly used ones; choose another.
err-password-username = The password must not contain the username.
err-year = Write a year, e.g. 1998.
err-limit = Between 1 and { $max }.

## Recent activity
activity-person_registered = registered a person
activity-case_opened = opened a case
activity-screening_recorded = recorded a screening
activity-assistance_recorded = recorded assistance
activity-note_added = added a note
activity-status_changed = changed a case's status

## Codes
sex-female = Female
sex-male = Male
sex-unknown = Not recorded
precision-exact = Exact
precision-year = Year only
precision-estimated = Estimated
kind-transit_protection = Transit protection
kind-assisted_voluntary_return = Assisted voluntary return
kind-trafficking_victim_assistance = Victim of trafficking assistance
kind-unaccompanied_child = Unaccompanied child
kind-search_and_rescue_survivor = Search-and-rescue survivor
status-open = Open
status-active = Active
status-on_hold = On hold
status-closed = Closed
priority-high = High
priority-medium = Medium
priority-low = Low
sensitivity-normal = Normal
sensitivity-restricted = Restricted
finding-victim_of_trafficking = Victim of trafficking
finding-unaccompanied_child = Unaccompanied child
finding-separated_child = Separated child
finding-serious_medical_condition = Serious medical condition
finding-disability = Disability
finding-gbv_survivor = Survivor of gender-based violence
finding-pregnant_or_lactating = Pregnant or lactating
finding-older_person = Older person
finding-mental_health_need = Mental health need
finding-stranded_without_means = Stranded without means
exploitation-labour = Labour
exploitation-sexual = Sexual
exploitation-domestic_servitude = Domestic servitude
exploitation-forced_begging = Forced begging
exploitation-forced_criminality = Forced criminality
exploitation-forced_marriage = Forced marriage
exploitation-organ_removal = Organ removal
exploitation-other = Other
assistance-shelter = Shelter
assistance-food = Food
assistance-non_food_items = Non-food item kit
assistance-medical_consultation = Medical consultation
assistance-psychosocial_session = Psychosocial session
assistance-legal_counselling = Legal counselling
assistance-cash = Cash
assistance-family_tracing = Family tracing
assistance-transport = Transport
assistance-clothing = Clothing
assistance-phone_call_home = Phone call home
unit-nights = nights
unit-meals = meals
unit-kits = kits
unit-sessions = sessions
unit-items = items
unit-calls = calls
unit-trips = trips
unit-payments = payments
doc-passport = Passport
doc-national_id = National ID card
doc-birth_certificate = Birth certificate
doc-laissez_passer = Laissez-passer
doc-consular_card = Consular card
doc-other = Other document
office-country_office = Country office
office-transit_centre = Transit centre
office-shelter = Shelter
office-sub_office = Sub-office

## Consent
consents = Consents
consent-record = Record a consent
consent-submit = Save consent
consent-withdraw = Withdraw
consent-withdrawn-on = withdrawn on { $date }
consent-registration = Registration
consent-data_sharing = Sharing data with a partner
consent-follow_up_contact = Follow-up contact
consent-photos = Photos
consent-method-written = Written
consent-method-verbal = Verbal
consent-method-thumbprint = Thumbprint
field-partner = Partner
field-method = How it was recorded
field-given_on = Date given
hint-partner = The organisation data may be shared with
err-partner-required = Name the partner for a data-sharing consent.
activity-consent_recorded = recorded a consent
activity-consent_withdrawn = recorded a withdrawn consent

# Audit trail
nav-audit = Audit trail
audit-title = Audit trail
audit-person = Person (id)
audit-case = Case (id)
audit-user = User
audit-from = From
audit-until = Until
audit-filter = Show
audit-at = When (UTC)
audit-action = What
audit-record = Record
audit-changes = Changes
audit-source = From where
audit-system = System
audit-older = Older entries
