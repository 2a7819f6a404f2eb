//! The JSON API under `/api/v1`: everything the pages do, for data officers
//! and integrations. Bodies are JSON; every failure is a problem document;
//! validation failures list each field with a stable code. Each handler
//! carries its OpenAPI operation (`#[utoipa::path]`); `openapi.rs` puts
//! them together into the document. This
//! module only assembles the router: the extractors are in `extract`, the
//! handlers in one module per resource.

pub mod accounts;
pub mod audit;
pub mod cases;
pub mod extract;
pub mod hotline;
pub mod movements;
pub mod offices;
pub mod persons;
pub mod queue;
pub mod referrals;
pub mod reintegration;
pub mod route_data;

pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new()
        .api(utoipa_axum::routes!(accounts::login))
        .api(utoipa_axum::routes!(accounts::second_factor))
        .api(utoipa_axum::routes!(accounts::logout))
        .api(utoipa_axum::routes!(accounts::tokens))
        .api(utoipa_axum::routes!(accounts::create_token))
        .api(utoipa_axum::routes!(accounts::change_password))
        .api(utoipa_axum::routes!(accounts::revoke_token))
        .api(utoipa_axum::routes!(accounts::users))
        .api(utoipa_axum::routes!(accounts::create_user))
        .api(utoipa_axum::routes!(accounts::user))
        .api(utoipa_axum::routes!(accounts::grant))
        .api(utoipa_axum::routes!(accounts::revoke_grant))
        .api(utoipa_axum::routes!(accounts::set_active))
        .api(utoipa_axum::routes!(accounts::reset_second_factor))
        .api(utoipa_axum::routes!(accounts::me))
        .api(utoipa_axum::routes!(audit::audit))
        .api(utoipa_axum::routes!(offices::offices))
        .api(utoipa_axum::routes!(offices::create_office))
        .api(utoipa_axum::routes!(persons::search))
        .api(utoipa_axum::routes!(persons::register))
        .api(utoipa_axum::routes!(persons::likely_persons))
        .api(utoipa_axum::routes!(persons::person))
        .api(utoipa_axum::routes!(persons::export_person))
        .api(utoipa_axum::routes!(persons::erase_person))
        .api(utoipa_axum::routes!(persons::pseudonymised_cases))
        .api(utoipa_axum::routes!(persons::open_case))
        .api(utoipa_axum::routes!(persons::consent))
        .api(utoipa_axum::routes!(persons::withdraw_consent))
        .api(utoipa_axum::routes!(cases::case))
        .api(utoipa_axum::routes!(cases::screening))
        .api(utoipa_axum::routes!(cases::assistance))
        .api(utoipa_axum::routes!(cases::note))
        .api(utoipa_axum::routes!(cases::status))
        .api(utoipa_axum::routes!(cases::journey))
        .api(utoipa_axum::routes!(movements::movements))
        .api(utoipa_axum::routes!(movements::create_movement))
        .api(utoipa_axum::routes!(movements::movement))
        .api(utoipa_axum::routes!(movements::manifest))
        .api(utoipa_axum::routes!(movements::traveller_status))
        .api(utoipa_axum::routes!(movements::movement_status))
        .api(utoipa_axum::routes!(movements::manifest_csv))
        .api(utoipa_axum::routes!(movements::manifest_xlsx))
        .api(utoipa_axum::routes!(movements::request_handover))
        .api(utoipa_axum::routes!(movements::handovers))
        .api(utoipa_axum::routes!(queue::queue))
        .api(utoipa_axum::routes!(referrals::providers))
        .api(utoipa_axum::routes!(referrals::create_provider))
        .api(utoipa_axum::routes!(referrals::link_partner))
        .api(utoipa_axum::routes!(referrals::case_referrals))
        .api(utoipa_axum::routes!(referrals::refer))
        .api(utoipa_axum::routes!(referrals::partner_referrals))
        .api(utoipa_axum::routes!(referrals::answer_referral))
        .api(utoipa_axum::routes!(reintegration::create_plan))
        .api(utoipa_axum::routes!(reintegration::plan))
        .api(utoipa_axum::routes!(reintegration::add_activity))
        .api(utoipa_axum::routes!(reintegration::activity_status))
        .api(utoipa_axum::routes!(reintegration::visits))
        .api(utoipa_axum::routes!(reintegration::record_visit))
        .api(utoipa_axum::routes!(reintegration::portfolio))
        .api(utoipa_axum::routes!(movements::accept_handover))
        .api(utoipa_axum::routes!(movements::decline_handover))
        .api(utoipa_axum::routes!(cases::record_step))
        .api(utoipa_axum::routes!(route_data::incident_summary))
        .api(utoipa_axum::routes!(route_data::record_incident))
        .api(utoipa_axum::routes!(route_data::flow_points))
        .api(utoipa_axum::routes!(route_data::create_flow_point))
        .api(utoipa_axum::routes!(route_data::record_flow_count))
        .api(utoipa_axum::routes!(route_data::flow_summary))
        .api(utoipa_axum::routes!(hotline::record_call))
        .api(utoipa_axum::routes!(hotline::follow_ups))
        .api(utoipa_axum::routes!(hotline::close_follow_up))
        .api(utoipa_axum::routes!(hotline::figures))
        .api(utoipa_axum::routes!(hotline::create_broadcast))
        .api(utoipa_axum::routes!(hotline::broadcast))
        .api(utoipa_axum::routes!(hotline::send_broadcast))
        .api(utoipa_axum::routes!(hotline::approve_broadcast))
        .api(utoipa_axum::routes!(hotline::cancel_broadcast))
        .merge(crate::figures::api_routes())
        .merge(crate::activities::api_routes())
        .merge(crate::submissions::api_routes())
        .merge(crate::duplicates::api_routes())
        .merge(crate::exports::api_routes())
}
