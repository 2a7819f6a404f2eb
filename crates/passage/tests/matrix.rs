//! The authorisation matrix: every route the server has (read from the
//! router itself, `passage_web::route_table`) × every kind of user × an
//! in-scope, a restricted and an out-of-scope record → the outcome the
//! policy says. One table drives it: a route added without a row here fails
//! the first assertion. The same run is the privacy scan: no response to the
//! M&E officer or the programme viewer may carry a seeded person's name,
//! phone or document number.

mod common;
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Who may reach a route (the policy, restated per route).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Class {
    /// No login needed.
    Public,
    /// A wrong login: refused, for everyone.
    WrongLogin,
    /// Ends the session: checked apart (it would log the matrix's users out).
    Logout,
    /// Any logged-in user.
    Signed,
    /// Any logged-in user; the record named does not exist for anyone.
    SignedMissing,
    /// Needs read_cases somewhere (search, the registration form).
    Cases,
    /// Register a person: write_cases in the office named.
    Register,
    /// A person or case: visible to the reader (office, restriction).
    ReadRecord,
    /// Work on a person or case: write_cases somewhere (else 403 before any
    /// lookup), the record visible, and write_cases in its office.
    WriteRecord,
    /// Record a step of a return: the case visible; then write_cases in its
    /// office (or manage_movements, for the transport steps).
    JourneyStep,
    /// A data request: visible, and handle_data_requests in its office.
    DataRequest,
    /// read_pseudonymised.
    Pseudonymised,
    /// read_audit.
    Audit,
    /// manage_users.
    Users,
    /// manage_offices.
    Offices,
    /// Link a partner user to a provider (here one that does not exist): manage_users, then not found.
    HandoverDecideAdmin,
    /// Make a plan: manage_reintegration.
    PlanCreate,
    /// An individual plan from a case's page: the case visible, then manage_reintegration.
    PlanForCase,
    /// Record a visit that does not exist: manage_reintegration, then not found.
    VisitMissing,
    /// The partner's referrals: read_own_referrals.
    PartnerList,
    /// Answer a referral that does not exist: read_own_referrals, then not found.
    PartnerAnswer,
    /// A plan that does not exist: not found to those who may see plans at all.
    PlanMissing,
    /// Decide a hand-over (here one that does not exist): write_cases somewhere, then not found.
    HandoverDecide,
    /// See movements: manage_movements or read_cases somewhere.
    MovementsList,
    /// The returnees' portfolio: manage_reintegration or read_cases somewhere.
    Portfolio,
    /// Plan a movement: manage_movements.
    MovementCreate,
    /// One movement (in Agadez): manage_movements or read_cases there.
    MovementRead,
    /// Change a movement or its manifest: manage_movements there.
    MovementManage,
    /// Programme figures: read_aggregates (every role but the partner).
    Figures,
    /// A budget that does not exist: read_aggregates, then not found.
    FiguresMissing,
    /// A public page about something that does not exist: not found, for everyone.
    PublicMissing,
    /// The OpenRosa routes: devices sign in with a device token; a browser
    /// session (cookie or bearer) is refused for everyone (tests/openrosa.rs
    /// checks what device tokens may do).
    Device,
    /// Forms from the field in quarantine: write_cases or manage_reintegration somewhere.
    FieldData,
    /// A quarantined submission that does not exist: those permissions, then not found.
    FieldDataMissing,
    /// The review queue of likely duplicates: merge_persons (protection officers, administrators).
    Duplicates,
    /// A pair or merge that does not exist: merge_persons, then not found.
    DuplicatesMissing,
    /// The hotline desk: answer_hotline (or read_restricted) somewhere.
    Hotline,
    /// A call that does not exist: the desk, then not found.
    HotlineMissing,
    /// Crisis messages: send_messages or approve_messages.
    Messages,
    /// A broadcast that does not exist: those permissions, then not found.
    MessagesMissing,
    /// Approve a broadcast that does not exist: approve_messages, then not found.
    ApproveMissing,
}

use Class::*;

/// (method, path, class, body: JSON for the API, the same fields as a form for pages)
fn table() -> Vec<(&'static str, &'static str, Class, Value)> {
    let none = json!(null);
    let reg = json!({"person": {"names": [{"given": "Matrix", "family": "Probe"}], "sex": "male", "birth_date": "1990"}, "case": {"kind": "transit_protection", "office_id": "{office}"}});
    let reg_form = json!({"given": "Matrix", "family": "Probe", "sex": "male", "birth_date": "1990", "kind": "transit_protection", "office_id": "{office}"});
    vec![
        // Pages.
        ("get", "/", Signed, none.clone()),
        ("get", "/login", Public, none.clone()),
        ("post", "/login", WrongLogin, json!({"username": "agadez", "password": "not the password"})),
        ("post", "/logout", Logout, none.clone()),
        ("post", "/language", Public, json!({"lang": "fr", "back": "/"})),
        ("get", "/persons", Cases, none.clone()),
        ("post", "/persons", Register, reg_form),
        ("get", "/persons/new", Register, none.clone()),
        ("get", "/persons/{id}", ReadRecord, none.clone()),
        ("post", "/persons/{id}/cases", WriteRecord, json!({"kind": "assisted_voluntary_return", "office_id": "{office}"})),
        ("post", "/persons/{id}/consents", WriteRecord, json!({"kind": "photos", "method": "verbal", "given_on": "2026-01-10"})),
        ("post", "/persons/{id}/consents/{consent_id}/withdraw", WriteRecord, none.clone()),
        ("get", "/cases/{id}", ReadRecord, none.clone()),
        ("post", "/cases/{id}/screenings", WriteRecord, json!({"screened_on": "2026-01-10"})),
        ("post", "/cases/{id}/assistance", WriteRecord, json!({"kind": "shelter", "provided_on": "2026-01-10", "quantity": "1"})),
        ("post", "/cases/{id}/notes", WriteRecord, json!({"body": "matrix probe"})),
        ("post", "/cases/{id}/status", WriteRecord, json!({"status": "on_hold", "reason": "matrix probe"})),
        ("post", "/cases/{id}/journey/steps/{step}", JourneyStep, json!({"action": "done"})),
        ("get", "/offices", Signed, none.clone()),
        ("post", "/offices", Offices, json!({"code": "{code}", "name": "Matrix office", "country": "NER", "kind": "transit_centre"})),
        ("get", "/audit", Audit, none.clone()),
        ("get", "/budgets", Figures, none.clone()),
        ("get", "/route-data", Figures, none.clone()),
        ("get", "/route-data/counts", Register, none.clone()),
        (
            "post",
            "/route-data/counts",
            Register,
            json!({"point": "AGZ-BUS", "date": "2026-01-12", "period": "week", "direction": "incoming", "transport_mode": "bus", "total": "20"}),
        ),
        ("get", "/activities", Figures, none.clone()),
        ("get", "/activities/{kind}", Register, none.clone()),
        (
            "post",
            "/activities/{kind}",
            Register,
            json!({"office_id": "{office}", "held_on": "2026-01-10", "kind": "radio_programme", "place": "Matrix", "people_reached": "100"}),
        ),
        ("get", "/results", Public, none.clone()),
        ("get", "/results/{code}", PublicMissing, none.clone()),
        ("get", "/results/{code}/resources/{id}", PublicMissing, none.clone()),
        ("get", "/programmes", Figures, none.clone()),
        ("get", "/programmes/{code}", FiguresMissing, none.clone()),
        ("get", "/budgets/{code}", FiguresMissing, none.clone()),
        ("get", "/static/{file}", PublicMissing, none.clone()),
        ("get", "/health", Public, none.clone()),
        ("get", "/healthz", Public, none.clone()),
        ("get", "/readyz", Public, none.clone()),
        ("get", "/login/second-factor", WrongLogin, none.clone()),
        ("post", "/login/second-factor", WrongLogin, json!({"code": "000000"})),
        ("get", "/account", Signed, none.clone()),
        ("post", "/account/password", Signed, json!({"current_password": "not mine", "new_password": "matrix probe password"})),
        ("post", "/account/tokens", Signed, json!({"name": "matrix", "role": "{role}", "office": "all", "days": "1"})),
        ("post", "/account/tokens/{id}/revoke", SignedMissing, none.clone()),
        ("get", "/admin/users", Users, none.clone()),
        (
            "post",
            "/admin/users",
            Users,
            json!({"username": "{newuser}", "display_name": "M", "password": "matrix probe password", "role": "caseworker", "office": "NER-AGZ"}),
        ),
        ("get", "/admin/users/{username}", Users, none.clone()),
        ("post", "/admin/users/{username}/grants", Users, json!({"role": "movement_officer", "office": "NER-AGZ"})),
        ("post", "/admin/users/{username}/grants/{role}/revoke", Users, none.clone()),
        ("post", "/admin/users/{username}/active", Users, json!({"active": "1"})),
        ("post", "/admin/users/{username}/second-factor/reset", Users, none.clone()),
        ("get", "/admin/permissions", Users, none.clone()),
        ("get", "/persons/{id}/export", DataRequest, none.clone()),
        ("post", "/persons/{id}/erase", DataRequest, json!({"reason": "matrix probe", "confirm": "yes"})),
        // The hotline desk and crisis messages.
        ("get", "/hotline", Hotline, none.clone()),
        ("post", "/hotline/calls", Hotline, json!({"channel": "phone", "caller": "migrant", "topic": "information", "office": "{office}"})),
        ("get", "/hotline/calls/{id}", HotlineMissing, none.clone()),
        ("post", "/hotline/calls/{id}/link", HotlineMissing, json!({"person_id": ""})),
        ("post", "/hotline/calls/{id}/done", HotlineMissing, none.clone()),
        ("post", "/hotline/calls/{id}/follow-up", HotlineMissing, json!({"follow_up_due": "2026-12-08T09:00"})),
        ("get", "/hotline/figures", Figures, none.clone()),
        ("get", "/messages", Messages, none.clone()),
        ("post", "/messages", Messages, json!({"title": "Matrix", "texts[0].language": "fra", "texts[0].body": "Convoi mardi."})),
        ("get", "/messages/{id}", MessagesMissing, none.clone()),
        ("post", "/messages/{id}/send", MessagesMissing, none.clone()),
        ("post", "/messages/{id}/approve", ApproveMissing, none.clone()),
        ("post", "/messages/{id}/cancel", MessagesMissing, none.clone()),
        ("get", "/sms/{gateway}/report", PublicMissing, none.clone()),
        ("get", "/sms/{gateway}/inbound", PublicMissing, none.clone()),
        (
            "post",
            "/api/v1/hotline/calls",
            Hotline,
            json!({"channel": "phone", "caller": "migrant", "topic": "information", "office": "{office}"}),
        ),
        ("get", "/api/v1/hotline/follow-ups", Hotline, none.clone()),
        ("post", "/api/v1/hotline/calls/{id}/done", HotlineMissing, none.clone()),
        ("get", "/api/v1/hotline/figures", Figures, none.clone()),
        ("post", "/api/v1/broadcasts", Messages, json!({"title": "Matrix", "texts": [{"language": "fra", "body": "Convoi mardi."}]})),
        ("get", "/api/v1/broadcasts/{id}", MessagesMissing, none.clone()),
        ("post", "/api/v1/broadcasts/{id}/send", MessagesMissing, none.clone()),
        ("post", "/api/v1/broadcasts/{id}/approve", ApproveMissing, none.clone()),
        ("post", "/api/v1/broadcasts/{id}/cancel", MessagesMissing, none.clone()),
        // The API.
        ("post", "/api/v1/auth/login", WrongLogin, json!({"username": "agadez", "password": "not the password"})),
        ("post", "/api/v1/auth/second-factor", WrongLogin, json!({"challenge": "nope", "code": "000000"})),
        ("post", "/api/v1/auth/logout", Logout, none.clone()),
        ("get", "/api/v1/tokens", Signed, none.clone()),
        ("post", "/api/v1/account/password", Signed, json!({"current_password": "not mine", "new_password": "matrix probe password"})),
        ("post", "/api/v1/tokens", Signed, json!({"name": "matrix", "role": "{role}", "offices": ["all"], "days": 1})),
        ("post", "/api/v1/tokens/{id}/revoke", SignedMissing, none.clone()),
        ("get", "/api/v1/users", Users, none.clone()),
        (
            "post",
            "/api/v1/users",
            Users,
            json!({"username": "{newuser}", "display_name": "M", "password": "matrix probe password", "role": "caseworker", "offices": ["NER-AGZ"]}),
        ),
        ("get", "/api/v1/users/{username}", Users, none.clone()),
        ("post", "/api/v1/users/{username}/grants", Users, json!({"role": "movement_officer", "offices": ["NER-AGZ"]})),
        ("post", "/api/v1/users/{username}/grants/{role}/revoke", Users, none.clone()),
        ("post", "/api/v1/users/{username}/active", Users, json!({"active": true})),
        ("post", "/api/v1/users/{username}/second-factor/reset", Users, none.clone()),
        ("get", "/api/v1/me", Signed, none.clone()),
        ("get", "/api/v1/audit", Audit, none.clone()),
        ("get", "/api/v1/budgets", Figures, none.clone()),
        ("get", "/api/v1/activities", Figures, none.clone()),
        ("get", "/api/v1/incidents/summary", Figures, none.clone()),
        (
            "post",
            "/api/v1/incidents",
            Register,
            json!({"date": "2026-01-10", "location": "Off Zuwara", "country": "LBY", "dead": "2", "missing": "5"}),
        ),
        ("get", "/api/v1/flows/points", Figures, none.clone()),
        (
            "post",
            "/api/v1/flows/points",
            Offices,
            json!({"code": "{code}", "name": "Matrix point", "country": "NER", "latitude": "16.9", "longitude": "7.9", "kind": "checkpoint"}),
        ),
        ("get", "/api/v1/flows/summary", Figures, none.clone()),
        (
            "post",
            "/api/v1/flows/counts",
            Register,
            json!({"point": "AGZ-BUS", "date": "2026-01-05", "period": "week", "direction": "outgoing", "transport_mode": "truck", "total": "12"}),
        ),
        (
            "post",
            "/api/v1/activities/campaigns",
            Register,
            json!({"office_id": "{office}", "held_on": "2026-01-10", "kind": "radio_programme", "place": "Matrix", "people_reached": "100"}),
        ),
        (
            "post",
            "/api/v1/activities/trainings",
            Register,
            json!({"office_id": "{office}", "held_on": "2026-01-10", "topic": "Matrix", "participants": "12"}),
        ),
        (
            "post",
            "/api/v1/activities/rescues",
            Register,
            json!({"office_id": "{office}", "held_on": "2026-01-10", "latitude": "18.7", "longitude": "8.1", "people_found": "7"}),
        ),
        (
            "post",
            "/api/v1/activities/shelter-works",
            Register,
            json!({"office_id": "{office}", "completed_on": "2026-01-10", "shelter": "Matrix", "kind": "renovated"}),
        ),
        (
            "post",
            "/api/v1/activities/resources",
            Register,
            json!({"office_id": "{office}", "title": "Matrix", "kind": "study", "countries": ["NER"], "published_on": "2026-01-10"}),
        ),
        ("post", "/api/v1/activities/resources/{id}/file", HandoverDecide, none.clone()),
        ("get", "/api/v1/programmes", Figures, none.clone()),
        ("get", "/api/v1/programmes/{code}/figures", FiguresMissing, none.clone()),
        ("get", "/api/v1/programmes/{code}/iati.xml", FiguresMissing, none.clone()),
        ("get", "/api/v1/programmes/{code}/figures.csv", FiguresMissing, none.clone()),
        ("get", "/api/v1/budgets/{code}", FiguresMissing, none.clone()),
        ("get", "/api/v1/budgets/{code}/table.csv", FiguresMissing, none.clone()),
        ("get", "/api/v1/offices", Signed, none.clone()),
        (
            "post",
            "/api/v1/offices",
            Offices,
            json!({"code": "{code}", "name": "Matrix office", "country": "NER", "kind": "transit_centre"}),
        ),
        ("get", "/api/v1/persons", Cases, none.clone()),
        ("post", "/api/v1/persons", Register, reg),
        (
            "post",
            "/api/v1/persons/likely",
            Cases,
            json!({"names": [{"given": "Mamadou", "family": "Diallo"}], "sex": "male", "birth_date": "1998"}),
        ),
        ("get", "/api/v1/persons/{id}", ReadRecord, none.clone()),
        ("get", "/api/v1/persons/{id}/export", DataRequest, none.clone()),
        ("post", "/api/v1/persons/{id}/erase", DataRequest, json!({"reason": "matrix probe"})),
        ("get", "/api/v1/pseudonymised/cases", Pseudonymised, none.clone()),
        ("post", "/api/v1/persons/{id}/cases", WriteRecord, json!({"kind": "assisted_voluntary_return", "office_id": "{office}"})),
        ("post", "/api/v1/persons/{id}/consents", WriteRecord, json!({"kind": "photos", "method": "verbal", "given_on": "2026-01-10"})),
        ("post", "/api/v1/persons/{id}/consents/{consent_id}/withdraw", WriteRecord, none.clone()),
        ("get", "/api/v1/cases/{id}", ReadRecord, none.clone()),
        ("post", "/api/v1/cases/{id}/screenings", WriteRecord, json!({"screened_on": "2026-01-10"})),
        ("post", "/api/v1/cases/{id}/assistance", WriteRecord, json!({"kind": "shelter", "provided_on": "2026-01-10", "quantity": "1"})),
        ("post", "/api/v1/cases/{id}/notes", WriteRecord, json!({"body": "matrix probe"})),
        ("post", "/api/v1/cases/{id}/status", WriteRecord, json!({"status": "on_hold", "reason": "matrix probe"})),
        ("get", "/api/v1/cases/{id}/journey", ReadRecord, none.clone()),
        ("post", "/api/v1/cases/{id}/journey/steps/{step}", JourneyStep, json!({"action": "done"})),
        ("get", "/api/v1/movements", MovementsList, none.clone()),
        ("get", "/api/v1/reintegration/portfolio", Portfolio, none.clone()),
        (
            "post",
            "/api/v1/movements",
            MovementCreate,
            json!({"kind": "bus_convoy", "office_id": "{office}", "origin": "Agadez", "destination_country": "GIN", "destination": "Conakry", "departure_on": "2026-12-01", "capacity": "40"}),
        ),
        ("get", "/api/v1/movements/{id}", MovementRead, none.clone()),
        ("post", "/api/v1/movements/{id}/travellers", MovementManage, json!({"case_id": "{case}"})),
        ("post", "/api/v1/movements/{id}/travellers/{case_id}/status", MovementManage, json!({"status": "boarded"})),
        ("post", "/api/v1/movements/{id}/status", MovementManage, json!({"status": "departed"})),
        ("get", "/api/v1/movements/{id}/manifest.csv", MovementManage, none.clone()),
        ("get", "/api/v1/movements/{id}/manifest.xlsx", MovementManage, none.clone()),
        ("get", "/movements", MovementsList, none.clone()),
        ("get", "/reintegration/portfolio", Portfolio, none.clone()),
        ("get", "/reintegration/portfolio.csv", Portfolio, none.clone()),
        (
            "post",
            "/movements",
            MovementCreate,
            json!({"kind": "bus_convoy", "office_id": "{office}", "origin": "Agadez", "destination_country": "GIN", "destination": "Conakry", "departure_on": "2026-12-01", "capacity": "40"}),
        ),
        ("get", "/movements/{id}", MovementRead, none.clone()),
        ("post", "/movements/{id}/travellers", MovementManage, json!({"case_id": "{case}"})),
        ("post", "/movements/{id}/travellers/{case_id}/status", MovementManage, json!({"status": "boarded"})),
        ("post", "/movements/{id}/status", MovementManage, json!({"status": "departed"})),
        ("get", "/movements/{id}/manifest", MovementManage, none.clone()),
        ("post", "/api/v1/cases/{id}/handover", WriteRecord, json!({"to_office": "GIN-CKY"})),
        ("get", "/api/v1/handovers", Register, none.clone()),
        ("get", "/api/v1/queue", Signed, none.clone()),
        ("get", "/api/v1/providers", Cases, none.clone()),
        ("post", "/api/v1/providers", Offices, json!({"organisation": "Matrix NGO", "services": ["medical"]})),
        ("post", "/api/v1/providers/{id}/users", HandoverDecideAdmin, json!({"username": "bamako"})),
        ("get", "/api/v1/cases/{id}/referrals", ReadRecord, none.clone()),
        ("post", "/api/v1/cases/{id}/referrals", WriteRecord, json!({"provider_id": "none", "service": "medical", "fields": ["name"]})),
        ("get", "/api/v1/partner/referrals", PartnerList, none.clone()),
        ("post", "/api/v1/partner/referrals/{id}", PartnerAnswer, json!({"status": "accepted"})),
        ("post", "/cases/{id}/plans", PlanForCase, json!({"title": "matrix plan"})),
        ("post", "/cases/{id}/referrals", WriteRecord, json!({"provider_id": "none", "service": "medical", "fields": "name"})),
        ("post", "/visits/{id}", VisitMissing, json!({"status": "done"})),
        ("get", "/plans/{id}", PlanMissing, none.clone()),
        ("post", "/plans/{id}/activities", PlanMissing, json!({"kind": "housing", "budget": "10", "currency": "EUR"})),
        ("post", "/plans/{id}/activities/{activity_id}/status", PlanMissing, json!({"status": "in_progress"})),
        ("post", "/api/v1/plans", PlanCreate, json!({"kind": "individual", "office_id": "{office}", "title": "x", "cases": ["{case}"]})),
        ("get", "/api/v1/plans/{id}", PlanMissing, none.clone()),
        ("post", "/api/v1/plans/{id}/activities", PlanMissing, json!({"kind": "housing", "budget": "10", "currency": "EUR"})),
        ("post", "/api/v1/plans/{id}/activities/{activity_id}/status", PlanMissing, json!({"status": "in_progress"})),
        ("get", "/api/v1/cases/{id}/visits", ReadRecord, none.clone()),
        ("post", "/api/v1/visits/{id}", VisitMissing, json!({"status": "done"})),
        ("post", "/cases/{id}/handover", WriteRecord, json!({"to_office": "GIN-CKY"})),
        ("post", "/handovers/{id}/accept", HandoverDecide, none.clone()),
        ("post", "/handovers/{id}/decline", HandoverDecide, json!({"reason": "matrix probe"})),
        ("post", "/api/v1/handovers/{id}/accept", HandoverDecide, none.clone()),
        ("post", "/api/v1/handovers/{id}/decline", HandoverDecide, json!({"reason": "matrix probe"})),
        ("get", "/formList", Device, none.clone()),
        ("get", "/forms/{form}/form.xml", Device, none.clone()),
        ("get", "/forms/{form}/manifest", Device, none.clone()),
        ("get", "/forms/{form}/media/{file}", Device, none.clone()),
        ("get", "/submission", Device, none.clone()),
        ("post", "/submission", Device, none.clone()),
        ("get", "/key/{token}/formList", Device, none.clone()),
        ("get", "/key/{token}/forms/{form}/form.xml", Device, none.clone()),
        ("get", "/key/{token}/forms/{form}/manifest", Device, none.clone()),
        ("get", "/key/{token}/forms/{form}/media/{file}", Device, none.clone()),
        ("get", "/key/{token}/submission", Device, none.clone()),
        ("post", "/key/{token}/submission", Device, none.clone()),
        ("get", "/submissions", FieldData, none.clone()),
        ("get", "/submissions/{id}", FieldDataMissing, none.clone()),
        ("post", "/submissions/{id}/retry", FieldDataMissing, json!({"v:person/sex": "female"})),
        ("post", "/submissions/{id}/reject", FieldDataMissing, json!({"reason": "matrix probe"})),
        ("get", "/exports", Figures, none.clone()),
        ("get", "/exports/{file}", SignedMissing, none.clone()),
        ("get", "/api/v1/exports/{file}", SignedMissing, none.clone()),
        ("get", "/imports", FieldData, none.clone()),
        ("post", "/imports", FieldData, json!({"form": "passage_registration"})),
        ("get", "/imports/{id}", FieldDataMissing, none.clone()),
        ("post", "/imports/{id}/run", FieldDataMissing, none.clone()),
        ("post", "/imports/{id}/cancel", FieldDataMissing, none.clone()),
        ("get", "/duplicates", Duplicates, none.clone()),
        ("get", "/duplicates/{id}", DuplicatesMissing, none.clone()),
        ("post", "/duplicates/{id}", DuplicatesMissing, json!({"decision": "different"})),
        ("post", "/merges/{id}/undo", DuplicatesMissing, none.clone()),
        ("get", "/api/v1/duplicates", Duplicates, none.clone()),
        ("get", "/api/v1/duplicates/{id}", DuplicatesMissing, none.clone()),
        ("post", "/api/v1/duplicates/{id}", DuplicatesMissing, json!({"decision": "different"})),
        ("post", "/api/v1/merges/{id}/undo", DuplicatesMissing, none.clone()),
        ("get", "/api/v1/persons/{id}/merges", ReadRecord, none.clone()),
        ("get", "/api/v1/submissions", FieldData, none.clone()),
        ("get", "/api/v1/submissions/{id}", FieldDataMissing, none.clone()),
        ("post", "/api/v1/submissions/{id}/retry", FieldDataMissing, json!({"values": {"person/sex": "female"}})),
        ("post", "/api/v1/submissions/{id}/reject", FieldDataMissing, json!({"reason": "matrix probe"})),
        ("get", "/api/v1/openapi.json", Public, none),
    ]
}

/// A record the matrix probes: a person, their case, a consent, their office.
#[derive(Clone, Debug)]
struct Record {
    name: &'static str,
    person: String,
    case: String,
    consent: String,
    office: String,
}

/// A user of the matrix: bearer token and CSRF token of one session.
struct User {
    name: &'static str,
    /// Where they register persons (their first office).
    home: String,
    /// A return case to manifest (the Agadez one).
    case_hint: String,
    token: Option<(String, String)>,
    /// Which records they may see, write, and handle data requests for; their permissions elsewhere.
    sees: &'static [&'static str],
    writes: &'static [&'static str],
    data_requests: &'static [&'static str],
    read_cases: bool,
    pseudonymised: bool,
    audit: bool,
    users: bool,
    /// manage_movements in Agadez.
    movements: bool,
    /// manage_reintegration (in Guinea).
    reintegration: bool,
    /// A partner organisation's user (read_own_referrals).
    partner: bool,
    /// answer_hotline somewhere (caseworkers, protection officers, administrators).
    hotline: bool,
    /// send_messages (protection, movement officers, administrators).
    messages: bool,
    /// approve_messages (protection officers).
    approves: bool,
}

/// What happened, reduced to what the policy decides.
#[derive(Debug, PartialEq, Clone, Copy)]
enum Outcome {
    Allowed,
    Unauthenticated,
    Forbidden,
    Hidden,
}

fn outcome(api: bool, status: u16, location: &str) -> Outcome {
    match status {
        // A refused login; 429 once the wrong logins of the matrix pause the account.
        401 | 429 => Outcome::Unauthenticated,
        303 if !api && location == "/login" => Outcome::Unauthenticated,
        403 => Outcome::Forbidden,
        404 => Outcome::Hidden,
        s if s >= 500 => panic!("a server error ({s})"),
        _ => Outcome::Allowed,
    }
}

fn expected(class: Class, u: &User, rec: Option<&Record>) -> Outcome {
    use Outcome::*;
    if u.token.is_none() {
        return match class {
            Public => Allowed,
            PublicMissing => Hidden,
            WrongLogin => Unauthenticated,
            _ => Unauthenticated,
        };
    }
    let on = |list: &[&str]| rec.is_some_and(|r| list.contains(&r.name));
    // A record one may not see is "not found" to anyone who reads cases at all.
    let hidden_or = |ok: bool, has_permission: bool| {
        if !u.read_cases {
            Forbidden
        } else if !on(u.sees) {
            Hidden
        } else if ok && has_permission {
            Allowed
        } else {
            Forbidden
        }
    };
    match class {
        Public | Signed => Allowed,
        WrongLogin => Unauthenticated,
        SignedMissing => Hidden,
        Logout => Allowed,
        Cases => {
            if u.read_cases {
                Allowed
            } else {
                Forbidden
            }
        }
        Register => {
            if u.writes.is_empty() {
                Forbidden
            } else {
                Allowed
            }
        }
        ReadRecord => hidden_or(true, true),
        WriteRecord if u.writes.is_empty() => Forbidden,
        WriteRecord | JourneyStep => hidden_or(on(u.writes), true),
        DataRequest => hidden_or(on(u.data_requests), true),
        Pseudonymised => {
            if u.pseudonymised {
                Allowed
            } else {
                Forbidden
            }
        }
        Audit => {
            if u.audit {
                Allowed
            } else {
                Forbidden
            }
        }
        Users | Offices => {
            if u.users {
                Allowed
            } else {
                Forbidden
            }
        }
        PlanCreate => {
            if u.reintegration {
                Allowed
            } else {
                Forbidden
            }
        }
        PlanForCase => {
            if !u.read_cases {
                Forbidden
            } else if !on(u.sees) {
                Hidden
            } else if u.reintegration {
                Allowed
            } else {
                Forbidden
            }
        }
        VisitMissing => {
            if u.reintegration {
                Hidden
            } else {
                Forbidden
            }
        }
        Figures if u.partner => Forbidden,
        Figures => Allowed,
        FiguresMissing if u.partner => Forbidden,
        FiguresMissing => Hidden,
        PublicMissing => Hidden,
        Device => Unauthenticated,
        FieldData | FieldDataMissing if u.writes.is_empty() && !u.reintegration => Forbidden,
        FieldData => Allowed,
        FieldDataMissing => Hidden,
        // merge_persons goes with handle_data_requests: both belong to protection officers and administrators.
        Duplicates | DuplicatesMissing if u.data_requests.is_empty() => Forbidden,
        Duplicates => Allowed,
        DuplicatesMissing => Hidden,
        PartnerList => {
            if u.partner {
                Allowed
            } else {
                Forbidden
            }
        }
        PartnerAnswer => {
            if u.partner {
                Hidden
            } else {
                Forbidden
            }
        }
        HandoverDecideAdmin => {
            if u.users {
                Hidden
            } else {
                Forbidden
            }
        }
        PlanMissing => {
            if u.read_cases {
                Hidden
            } else {
                Forbidden
            }
        }
        HandoverDecide => {
            if u.writes.is_empty() {
                Forbidden
            } else {
                Hidden
            }
        }
        Portfolio => {
            if u.read_cases || u.reintegration {
                Allowed
            } else {
                Forbidden
            }
        }
        MovementsList => {
            if u.read_cases || u.movements {
                Allowed
            } else {
                Forbidden
            }
        }
        MovementCreate => {
            if u.movements {
                Allowed
            } else {
                Forbidden
            }
        }
        Hotline if u.hotline => Allowed,
        HotlineMissing if u.hotline => Hidden,
        Hotline | HotlineMissing => Forbidden,
        Messages if u.messages => Allowed,
        MessagesMissing if u.messages => Hidden,
        ApproveMissing if u.approves => Hidden,
        Messages | MessagesMissing | ApproveMissing => Forbidden,
        MovementRead | MovementManage => {
            let sees_agadez = u.movements || u.sees.contains(&"normal");
            if !u.read_cases && !u.movements {
                Forbidden
            } else if !sees_agadez {
                Hidden
            } else if class == MovementRead || u.movements {
                Allowed
            } else {
                Forbidden
            }
        }
    }
}

/// Log in through the API; (bearer token, CSRF token).
async fn session(s: &Server, username: &str) -> (String, String) {
    let r = client()
        .post(format!("{}/api/v1/auth/login", s.url))
        .json(&json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let mut v: Value = r.json().await.unwrap();
    if v["token"].is_null() {
        if v["second_factor"] == "enrol" {
            remember_secret(s, username, v["secret"].as_str().unwrap());
        }
        let code = totp_code(s, username);
        let r = client()
            .post(format!("{}/api/v1/auth/second-factor", s.url))
            .json(&json!({"challenge": v["challenge"], "code": code}))
            .send()
            .await
            .unwrap();
        v = r.json().await.unwrap();
    }
    (v["token"].as_str().unwrap().to_string(), v["csrf_token"].as_str().unwrap().to_string())
}

async fn make_record(s: &Server, tok: &str, name: &'static str, given: &str, family: &str, kind: &str, office_code: &str) -> Record {
    let offices: Value = client().get(format!("{}/api/v1/offices", s.url)).bearer_auth(tok).send().await.unwrap().json().await.unwrap();
    let office = offices.as_array().unwrap().iter().find(|o| o["code"] == office_code).unwrap()["id"].as_str().unwrap().to_string();
    let r = client()
        .post(format!("{}/api/v1/persons", s.url))
        .bearer_auth(tok)
        .json(&json!({
            "person": {"names": [{"given": given, "family": family}], "sex": "female", "birth_date": "1997", "nationality": "GIN",
                       "phone": format!("+2249{}", family.len() * 1111111), "documents": [{"kind": "passport", "number": format!("MX{}", family.to_uppercase())}]},
            "case": {"kind": kind, "office_id": office}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let ids: Value = r.json().await.unwrap();
    let person = ids["person_id"].as_str().unwrap().to_string();
    let r = client()
        .post(format!("{}/api/v1/persons/{person}/consents", s.url))
        .bearer_auth(tok)
        .json(&json!({"kind": "data_sharing", "partner": "Croix-Rouge", "method": "written", "given_on": "2026-01-10"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let consent: Value = r.json().await.unwrap();
    if name == "restricted" {
        // A return case becomes restricted when screening finds trafficking.
        let case = ids["case_id"].as_str().unwrap();
        let r = client()
            .post(format!("{}/api/v1/cases/{case}/screenings", s.url))
            .bearer_auth(tok)
            .json(&json!({"screened_on": "2026-01-10", "findings": ["victim_of_trafficking"], "exploitation": ["labour"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    Record {
        name,
        person,
        case: ids["case_id"].as_str().unwrap().to_string(),
        consent: consent["id"].as_str().unwrap().to_string(),
        office,
    }
}

fn fill(path: &str, rec: Option<&Record>, movement: &str, normal_case: &str) -> String {
    let mut p = path.to_string();
    if p.contains("/movements/") {
        p = p.replace("{id}", movement).replace("{case_id}", normal_case);
    }
    if p.contains("/tokens/{id}")
        || p.contains("/handovers/{id}")
        || p.contains("/plans/{id}")
        || p.contains("/visits/{id}")
        || p.contains("/providers/{id}")
        || p.contains("/partner/referrals/{id}")
        || p.contains("/submissions/{id}")
        || p.contains("/imports/{id}")
        || p.contains("/duplicates/{id}")
        || p.contains("/merges/{id}")
        || p.contains("/hotline/calls/{id}")
        || p.contains("/messages/{id}")
        || p.contains("/broadcasts/{id}")
    {
        p = p.replace("{id}", "no-such-token");
    }
    if let Some(r) = rec {
        let id = if p.contains("/cases/{id}") { &r.case } else { &r.person };
        p = p.replace("{id}", id).replace("{consent_id}", &r.consent);
    }
    p.replace("{username}", "bamako")
        .replace("{role}", "movement_officer")
        .replace("{step}", "initial_interview")
        .replace("{code}", "NO-SUCH-BUDGET")
        .replace("{kind}", "campaigns")
        .replace("{form}", "passage_registration")
        .replace("{file}", "offices.csv")
        .replace("{token}", "pst_no-such-token")
}

fn fill_body(body: &Value, rec: Option<&Record>, user: &User, n: usize) -> Value {
    let text = body.to_string();
    let office = rec.map(|r| r.office.clone()).unwrap_or_else(|| user.home.clone());
    let role = match user.name {
        "monitoring" => "me_officer",
        "viewer" => "programme_viewer",
        "protection" => "protection_officer",
        "admin" => "admin",
        "reintegration" => "reintegration_officer",
        "partner" => "partner",
        _ => "caseworker",
    };
    let filled = text
        .replace("{office}", &office)
        .replace("{code}", &format!("MTX-{}{n}", user.name.len()))
        .replace("{newuser}", &format!("matrix.{}{n}", user.name))
        .replace("{role}", role)
        .replace("{case}", &user.case_hint);
    serde_json::from_str(&filled).unwrap()
}

/// A JSON object as form fields (arrays repeat their field).
fn form(v: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Value::Object(m) = v {
        for (k, v) in m {
            match v {
                Value::String(s) => out.push((k.clone(), s.clone())),
                Value::Array(a) => out.extend(a.iter().map(|x| (k.clone(), x.as_str().unwrap_or_default().to_string()))),
                other => out.push((k.clone(), other.to_string())),
            }
        }
    }
    out
}

async fn every_route_answers_every_user_as_the_policy_says(backend: Backend) {
    let s = server(backend, "matrix", 5).await;
    // The table covers the router exactly.
    let routes: BTreeSet<(String, String)> = passage_web::route_table().into_iter().map(|(m, p)| (m.to_string(), p)).collect();
    let rows = table();
    let listed: BTreeSet<(String, String)> = rows.iter().map(|(m, p, _, _)| (m.to_string(), p.to_string())).collect();
    let missing: Vec<_> = routes.difference(&listed).collect();
    assert!(missing.is_empty(), "routes without a row in the authorisation matrix: {missing:?}");
    let stale: Vec<_> = listed.difference(&routes).collect();
    assert!(stale.is_empty(), "matrix rows for routes that do not exist: {stale:?}");

    let agadez = session(&s, "agadez").await;
    let protection = session(&s, "protection").await;
    let conakry = session(&s, "conakry").await;
    let records = [
        make_record(&s, &agadez.0, "normal", "Fanta", "Camara", "assisted_voluntary_return", "NER-AGZ").await,
        make_record(&s, &protection.0, "restricted", "Aissatou", "Bangoura", "assisted_voluntary_return", "NER-AGZ").await,
        make_record(&s, &conakry.0, "other", "Hawa", "Soumah", "assisted_voluntary_return", "GIN-CKY").await,
    ];
    let seeded = ["Fanta", "Camara", "Aissatou", "Bangoura", "Hawa", "Soumah", "MXCAMARA", "MXBANGOURA", "MXSOUMAH", "+2249"];
    let users = vec![
        User {
            name: "anonymous",
            home: String::new(),
            case_hint: String::new(),
            token: None,
            sees: &[],
            writes: &[],
            data_requests: &[],
            read_cases: false,
            pseudonymised: false,
            audit: false,
            users: false,
            movements: false,
            reintegration: false,
            partner: false,
            hotline: false,
            messages: false,
            approves: false,
        },
        User {
            name: "agadez",
            home: String::new(),
            case_hint: String::new(),
            token: Some(agadez),
            sees: &["normal"],
            writes: &["normal"],
            data_requests: &[],
            read_cases: true,
            pseudonymised: false,
            audit: false,
            users: false,
            movements: false,
            reintegration: false,
            partner: false,
            hotline: true,
            messages: false,
            approves: false,
        },
        User {
            name: "conakry",
            home: String::new(),
            case_hint: String::new(),
            token: Some(conakry),
            sees: &["other"],
            writes: &["other"],
            data_requests: &[],
            read_cases: true,
            pseudonymised: false,
            audit: false,
            users: false,
            movements: false,
            reintegration: false,
            partner: false,
            hotline: true,
            messages: false,
            approves: false,
        },
        User {
            name: "protection",
            home: String::new(),
            case_hint: String::new(),
            token: Some(protection),
            sees: &["normal", "restricted"],
            writes: &["normal", "restricted"],
            data_requests: &["normal", "restricted"],
            read_cases: true,
            pseudonymised: false,
            audit: false,
            users: false,
            movements: false,
            reintegration: false,
            partner: false,
            hotline: true,
            messages: true,
            approves: true,
        },
        User {
            name: "monitoring",
            home: String::new(),
            case_hint: String::new(),
            token: Some(session(&s, "monitoring").await),
            sees: &[],
            writes: &[],
            data_requests: &[],
            read_cases: false,
            pseudonymised: true,
            audit: false,
            users: false,
            movements: false,
            reintegration: false,
            partner: false,
            hotline: false,
            messages: false,
            approves: false,
        },
        User {
            name: "viewer",
            home: String::new(),
            case_hint: String::new(),
            token: Some(session(&s, "viewer").await),
            sees: &[],
            writes: &[],
            data_requests: &[],
            read_cases: false,
            pseudonymised: false,
            audit: false,
            users: false,
            movements: false,
            reintegration: false,
            partner: false,
            hotline: false,
            messages: false,
            approves: false,
        },
        User {
            name: "movements",
            home: String::new(),
            case_hint: String::new(),
            token: Some(session(&s, "movements").await),
            sees: &["normal"],
            writes: &[],
            data_requests: &[],
            read_cases: true,
            pseudonymised: false,
            audit: false,
            users: false,
            movements: true,
            reintegration: false,
            partner: false,
            hotline: false,
            messages: true,
            approves: false,
        },
        User {
            name: "admin",
            home: String::new(),
            case_hint: String::new(),
            token: Some(session(&s, "admin").await),
            sees: &["normal", "other"],
            writes: &["normal", "other"],
            data_requests: &["normal", "other"],
            read_cases: true,
            pseudonymised: false,
            audit: true,
            users: true,
            movements: false,
            reintegration: false,
            partner: false,
            hotline: true,
            messages: true,
            approves: false,
        },
    ];
    let agz = records[0].office.clone();
    let mut users = users;
    // A reintegration officer in Guinea, and a partner organisation's user.
    users.push(User {
        name: "reintegration",
        home: String::new(),
        case_hint: String::new(),
        token: Some(session(&s, "reintegration").await),
        sees: &["other"],
        writes: &["other"],
        data_requests: &[],
        read_cases: true,
        pseudonymised: false,
        audit: false,
        users: false,
        movements: false,
        reintegration: true,
        partner: false,
        hotline: false,
        messages: false,
        approves: false,
    });
    let admin_tok = users.iter().find(|u| u.name == "admin").and_then(|u| u.token.clone()).unwrap().0;
    let provider = client()
        .post(format!("{}/api/v1/providers", s.url))
        .bearer_auth(&admin_tok)
        .json(&json!({"organisation": "Matrix Partner", "services": ["medical"]}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = client()
        .post(format!("{}/api/v1/users", s.url))
        .bearer_auth(&admin_tok)
        .json(&json!({"username": "partner", "display_name": "Partner desk", "password": "matrix desk passphrase", "role": "partner", "offices": ["all"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = client()
        .post(format!("{}/api/v1/providers/{provider}/users", s.url))
        .bearer_auth(&admin_tok)
        .json(&json!({"username": "partner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let v: Value = client()
        .post(format!("{}/api/v1/auth/login", s.url))
        .json(&json!({"username": "partner", "password": "matrix desk passphrase"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    users.push(User {
        name: "partner",
        home: String::new(),
        case_hint: String::new(),
        token: Some((v["token"].as_str().unwrap().to_string(), v["csrf_token"].as_str().unwrap().to_string())),
        sees: &[],
        writes: &[],
        data_requests: &[],
        read_cases: false,
        pseudonymised: false,
        audit: false,
        users: false,
        movements: false,
        reintegration: false,
        partner: true,
        hotline: false,
        messages: false,
        approves: false,
    });
    for u in &mut users {
        u.home = agz.clone();
        u.case_hint = records[0].case.clone();
        if let Some((tok, _)) = &u.token {
            let me: Value = client().get(format!("{}/api/v1/me", s.url)).bearer_auth(tok).send().await.unwrap().json().await.unwrap();
            if let Some(o) = me["offices"][0].as_str() {
                u.home = o.to_string();
            }
        }
    }

    // The Agadez return case is ready to leave, so the movement rows work on a real traveller.
    let cw = users.iter().find(|u| u.name == "agadez").and_then(|u| u.token.clone()).unwrap().0;
    for (step, body) in [
        ("initial_interview", json!({"action": "done"})),
        ("return_counselling", json!({"action": "done"})),
        ("voluntariness_confirmed", json!({"action": "done"})),
        ("eligibility_confirmed", json!({"action": "done"})),
        ("travel_document", json!({"action": "done"})),
        ("exit_clearance", json!({"action": "done"})),
        ("booking", json!({"action": "done"})),
        ("medical_screening", json!({"action": "done", "fit_to_travel": "fit"})),
    ] {
        let r = client()
            .post(format!("{}/api/v1/cases/{}/journey/steps/{step}", s.url, records[0].case))
            .bearer_auth(&cw)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{step}");
    }
    // A bus convoy from Agadez, planned by the movement officer.
    let mover = users.iter().find(|u| u.name == "movements").and_then(|u| u.token.clone()).unwrap().0;
    let r = client()
        .post(format!("{}/api/v1/movements", s.url))
        .bearer_auth(&mover)
        .json(&json!({"kind": "bus_convoy", "office_id": agz, "origin": "Agadez bus station", "destination_country": "GIN",
                      "destination": "Conakry", "departure_on": "2026-12-01", "capacity": "50"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let movement = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

    let mut failures = Vec::new();
    let mut checked = 0;
    // Erasure last: it changes the records the other rows read.
    let mut ordered = rows.clone();
    ordered.sort_by_key(|(_, p, _, _)| p.ends_with("/erase"));
    for (n, (method, path, class, body)) in ordered.iter().enumerate() {
        if *class == Logout {
            continue;
        }
        let api = path.starts_with("/api/");
        let recs: Vec<Option<&Record>> = if path.contains("{id}")
            && !path.contains("/tokens/")
            && !path.contains("/movements/")
            && !path.contains("/handovers/")
            && !path.contains("/plans/{id}")
            && !path.contains("/visits/{id}")
            && !path.starts_with("/api/v1/providers/")
            && !path.starts_with("/api/v1/partner/")
            && !path.contains("/submissions/{id}")
            && !path.contains("/imports/{id}")
            && !path.contains("/hotline/")
            && !path.contains("/messages/")
            && !path.contains("/broadcasts/")
        {
            records.iter().map(Some).collect()
        } else {
            vec![None]
        };
        for u in &users {
            for rec in &recs {
                let url = format!("{}{}", s.url, fill(path, *rec, &movement, &records[0].case));
                let b = fill_body(body, *rec, u, n);
                let c = client();
                let mut req = if *method == "get" { c.get(&url) } else { c.post(&url) };
                if *path == "/login" && *method == "post" {
                    // The login form as a browser sends it: its own token, from the page just loaded.
                    let csrf = login_token(&c, &s.url).await;
                    let mut f = form(&b);
                    f.push(("csrf".into(), csrf));
                    req = c.post(&url).form(&f);
                } else if let Some((tok, csrf)) = &u.token {
                    req = if api { req.bearer_auth(tok) } else { req.header("cookie", format!("passage_session={tok}")) };
                    if !api && *method == "post" {
                        let mut f = form(&b);
                        f.push(("csrf".into(), csrf.clone()));
                        req = req.form(&f);
                    }
                } else if !api && *method == "post" {
                    req = req.form(&form(&b));
                }
                if api && *method == "post" {
                    req = req.json(&if b.is_null() { json!({}) } else { b.clone() });
                }
                let r = req.send().await.unwrap();
                let status = r.status().as_u16();
                let location = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                let text = r.text().await.unwrap_or_default();
                let got = outcome(api, status, &location);
                let want = expected(*class, u, *rec);
                checked += 1;
                if got != want {
                    failures.push(format!(
                        "{method} {path} as {} on {:?}: got {status} ({got:?}), want {want:?}",
                        u.name,
                        rec.map(|r| r.name)
                    ));
                }
                if matches!(u.name, "monitoring" | "viewer") {
                    for id in seeded {
                        assert!(!text.contains(id), "{method} {path} gave {} an identity ({id})", u.name);
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} checks differ from the policy:\n{}", failures.len(), failures.join("\n"));
    assert!(checked > 400, "{checked}");

    // Logout, apart: anonymous is refused, a session ends.
    for path in ["/api/v1/auth/logout", "/logout"] {
        let fresh = session(&s, "niamey").await;
        let req = client().post(format!("{}{path}", s.url));
        let r = if path.starts_with("/api") {
            assert_eq!(client().post(format!("{}{path}", s.url)).send().await.unwrap().status(), 401);
            req.bearer_auth(&fresh.0).send().await.unwrap()
        } else {
            req.header("cookie", format!("passage_session={}", fresh.0)).form(&[("csrf", fresh.1.as_str())]).send().await.unwrap()
        };
        assert!(r.status().is_success() || r.status() == 303, "{path}: {}", r.status());
        let me = client().get(format!("{}/api/v1/me", s.url)).bearer_auth(&fresh.0).send().await.unwrap();
        assert_eq!(me.status(), 401, "{path} left the session open");
    }
}

both_backends!(every_route_answers_every_user_as_the_policy_says);
