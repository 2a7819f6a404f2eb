//! The JSON API under `/api/v1`: everything the pages do, for data officers
//! and integrations. Bodies are JSON; every failure is a problem document;
//! validation failures list each field with a stable code. Described by
//! `openapi.rs` (a test checks every route here is in the document). This
//! module only assembles the router: the extractors are in `extract`, the
//! handlers in one module per resource.

pub mod accounts;
pub mod audit;
pub mod cases;
pub mod extract;
pub mod movements;
pub mod offices;
pub mod persons;
pub mod queue;
pub mod referrals;
pub mod reintegration;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .post("/auth/login", accounts::login)
        .post("/auth/second-factor", accounts::second_factor)
        .post("/auth/logout", accounts::logout)
        .get("/tokens", accounts::tokens)
        .post("/tokens", accounts::create_token)
        .post("/account/password", accounts::change_password)
        .post("/tokens/{id}/revoke", accounts::revoke_token)
        .get("/users", accounts::users)
        .post("/users", accounts::create_user)
        .get("/users/{username}", accounts::user)
        .post("/users/{username}/grants", accounts::grant)
        .post("/users/{username}/grants/{role}/revoke", accounts::revoke_grant)
        .post("/users/{username}/active", accounts::set_active)
        .post("/users/{username}/second-factor/reset", accounts::reset_second_factor)
        .get("/me", accounts::me)
        .get("/audit", audit::audit)
        .get("/offices", offices::offices)
        .post("/offices", offices::create_office)
        .get("/persons", persons::search)
        .post("/persons", persons::register)
        .post("/persons/likely", persons::likely_persons)
        .get("/persons/{id}", persons::person)
        .get("/persons/{id}/export", persons::export_person)
        .post("/persons/{id}/erase", persons::erase_person)
        .get("/pseudonymised/cases", persons::pseudonymised_cases)
        .post("/persons/{id}/cases", persons::open_case)
        .post("/persons/{id}/consents", persons::consent)
        .post("/persons/{id}/consents/{consent_id}/withdraw", persons::withdraw_consent)
        .get("/cases/{id}", cases::case)
        .post("/cases/{id}/screenings", cases::screening)
        .post("/cases/{id}/assistance", cases::assistance)
        .post("/cases/{id}/notes", cases::note)
        .post("/cases/{id}/status", cases::status)
        .get("/cases/{id}/journey", cases::journey)
        .get("/movements", movements::movements)
        .post("/movements", movements::create_movement)
        .get("/movements/{id}", movements::movement)
        .post("/movements/{id}/travellers", movements::manifest)
        .post("/movements/{id}/travellers/{case_id}/status", movements::traveller_status)
        .post("/movements/{id}/status", movements::movement_status)
        .get("/movements/{id}/manifest.csv", movements::manifest_csv)
        .get("/movements/{id}/manifest.xlsx", movements::manifest_xlsx)
        .post("/cases/{id}/handover", movements::request_handover)
        .get("/handovers", movements::handovers)
        .get("/queue", queue::queue)
        .get("/providers", referrals::providers)
        .post("/providers", referrals::create_provider)
        .post("/providers/{id}/users", referrals::link_partner)
        .get("/cases/{id}/referrals", referrals::case_referrals)
        .post("/cases/{id}/referrals", referrals::refer)
        .get("/partner/referrals", referrals::partner_referrals)
        .post("/partner/referrals/{id}", referrals::answer_referral)
        .post("/plans", reintegration::create_plan)
        .get("/plans/{id}", reintegration::plan)
        .post("/plans/{id}/activities", reintegration::add_activity)
        .post("/plans/{id}/activities/{activity_id}/status", reintegration::activity_status)
        .get("/cases/{id}/visits", reintegration::visits)
        .post("/visits/{id}", reintegration::record_visit)
        .get("/reintegration/portfolio", reintegration::portfolio)
        .post("/handovers/{id}/accept", movements::accept_handover)
        .post("/handovers/{id}/decline", movements::decline_handover)
        .post("/cases/{id}/journey/steps/{step}", cases::record_step)
        .merge(crate::figures::api_routes())
        .merge(crate::activities::api_routes())
        .merge(crate::submissions::api_routes())
        .merge(crate::duplicates::api_routes())
        .merge(crate::exports::api_routes())
        .get("/openapi.json", || async { axum::Json(crate::openapi::document()) })
}
