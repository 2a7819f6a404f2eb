//! The OpenAPI 3 description of `/api/v1`, written by hand next to the
//! routes it describes: the API is small, and a test checks that every
//! route of `api::routes()` appears here with its method.

use passage_domain::assistance::AssistanceKind;
use passage_domain::case::{CaseKind, CaseStatus};
use passage_domain::movement::MovementStatus;
use passage_domain::office::OfficeKind;
use passage_domain::person::{ConsentKind, ConsentMethod, DocumentKind, Sex};
use passage_domain::screening::{ExploitationType, VulnerabilityCategory};
use serde_json::{json, Value};

fn codes(all: &[&str]) -> Value {
    json!({ "type": "string", "enum": all })
}

fn body(schema: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

fn ok(desc: &str) -> Value {
    json!({ "description": desc, "content": { "application/json": { "schema": { "type": "object" } } } })
}

fn problems(codes: &[u16]) -> Value {
    let mut m = serde_json::Map::new();
    for c in codes {
        m.insert(c.to_string(), json!({ "$ref": "#/components/responses/Problem" }));
    }
    Value::Object(m)
}

fn op(summary: &str, request: Option<&str>, success: (u16, &str), errors: &[u16], params: Value) -> Value {
    let mut responses = problems(errors);
    // A query string that does not fit its parameters is a 400 problem document.
    if params.as_array().is_some_and(|a| a.iter().any(|p| p["in"] == "query")) {
        responses["400"] = json!({ "$ref": "#/components/responses/Problem" });
    }
    responses[success.0.to_string()] = if success.0 == 204 { json!({ "description": success.1 }) } else { ok(success.1) };
    let mut o = json!({ "summary": summary, "responses": responses });
    if let Some(r) = request {
        o["requestBody"] = body(r);
    }
    if params.as_array().is_some_and(|a| !a.is_empty()) {
        o["parameters"] = params;
    }
    o
}

/// An operation whose answer is a JSON array.
fn list(mut o: Value) -> Value {
    if let Some(r) = o["responses"].get_mut("200") {
        r["content"] = json!({ "application/json": { "schema": { "type": "array", "items": { "type": "object" } } } });
    }
    o
}

fn id_param() -> Value {
    json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }])
}

fn hxl_params() -> Value {
    json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }, { "name": "hxl", "in": "query", "required": false, "schema": { "type": "boolean" } }])
}

fn username_param() -> Value {
    json!([{ "name": "username", "in": "path", "required": true, "schema": { "type": "string" } }])
}

pub fn document() -> Value {
    let string = json!({ "type": "string" });
    // A required text: the server refuses it empty (or only spaces).
    let text = json!({ "type": "string", "minLength": 1, "pattern": "\\S" });
    let office_code = json!({ "type": "string", "pattern": "^[A-Za-z0-9-]{2,16}$" });
    let date = json!({ "type": "string", "format": "date" });
    // An optional date: "" means none (forms send every field).
    let date_or_empty = json!({ "anyOf": [{ "type": "string", "format": "date" }, { "type": "string", "maxLength": 0 }] });
    let positive =
        json!({ "type": "string", "pattern": "^ *[1-9][0-9 ]*$", "description": "A whole number of 1 or more (spaces allowed: 12 500)" });
    let country = json!({ "type": "string", "enum": passage_domain::codes::CountryCode::all().map(|c| c.to_string()).collect::<Vec<_>>(), "description": "ISO 3166-1 alpha-3" });
    let strs = json!({ "type": "array", "items": { "type": "string" } });
    let sex: Vec<&str> = Sex::ALL.iter().map(|s| s.as_str()).collect();
    let kinds: Vec<&str> = CaseKind::ALL.iter().map(|s| s.as_str()).collect();
    let statuses: Vec<&str> = CaseStatus::ALL.iter().map(|s| s.as_str()).collect();
    let roles: Vec<&str> = passage_domain::policy::Role::ALL.iter().map(|s| s.as_str()).collect();
    // The search's filters: empty means "any" (the search form sends every field).
    let or_empty = |v: Vec<String>| {
        let mut v = v;
        v.push(String::new());
        json!({ "type": "string", "enum": v })
    };
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let countries: Vec<String> = passage_domain::codes::CountryCode::all().map(|c| c.to_string()).collect();
    let search_params = json!([
        { "name": "q", "in": "query", "schema": { "type": "string" }, "description": "Name in any spelling" },
        { "name": "nationality", "in": "query", "schema": or_empty(countries.clone()), "description": "ISO 3166-1 alpha-3" },
        { "name": "sex", "in": "query", "schema": or_empty(owned(&sex)) },
        { "name": "birth_year", "in": "query", "schema": { "type": "string", "pattern": "^((19|20)[0-9]{2}|2100)?$" }, "description": "Matches ±1 year" },
        { "name": "office", "in": "query", "schema": { "type": "string", "pattern": "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$" }, "description": "An office id" },
        { "name": "status", "in": "query", "schema": or_empty(owned(&statuses)) },
        { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200 } }
    ]);
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": { "title": "Passage API", "version": "1", "description": "Case management for protection, return and reintegration of migrants. All writes are validated; errors are RFC 9457 problem documents." },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }],
        "paths": {
            "/auth/login": { "post": { "security": [], "summary": "Log in; returns a bearer token, or a second-factor challenge (with the secret to enrol at the first login)", "requestBody": body("Login"), "responses": { "200": ok("A session token"), "401": { "$ref": "#/components/responses/Problem" }, "413": { "$ref": "#/components/responses/Problem" }, "415": { "$ref": "#/components/responses/Problem" }, "422": { "$ref": "#/components/responses/Problem" }, "400": { "$ref": "#/components/responses/Problem" }, "429": { "$ref": "#/components/responses/Problem" } } } },
            "/auth/second-factor": { "post": { "security": [], "summary": "Answer a login's second-factor challenge with the authenticator's code (and so enrol it at the first login)", "requestBody": body("SecondFactor"), "responses": { "200": ok("A session token"), "401": { "$ref": "#/components/responses/Problem" }, "422": { "$ref": "#/components/responses/Problem" }, "429": { "$ref": "#/components/responses/Problem" }, "400": { "$ref": "#/components/responses/Problem" }, "415": { "$ref": "#/components/responses/Problem" } } } },
            "/auth/logout": { "post": op("End this session", None, (204, "Logged out"), &[401, 403], json!([])) },
            "/tokens": {
                "get": list(op("My API tokens (never the tokens themselves)", None, (200, "Tokens"), &[401], json!([]))),
                "post": op("Create an API token within my grants (or, for administrators, another user's); the token is in the answer, once", Some("Token"), (201, "The token and its record"), &[400, 401, 403, 413, 415, 422], json!([]))
            },
            "/account/password": { "post": op("Change my password (the current one first); every session of mine ends", Some("Password"), (204, "Changed"), &[400, 401, 403, 413, 415, 422], json!([])) },
            "/tokens/{id}/revoke": { "post": op("Revoke an API token (not with an API token: a leaked token must not undo others)", None, (204, "Revoked"), &[401, 403, 404], id_param()) },
            "/users": {
                "get": list(op("Every user (administrators)", None, (200, "Users with their grants"), &[401, 403], json!([]))),
                "post": op("Create a user (administrators); a username already used is a 409", Some("User"), (201, "The user"), &[400, 401, 403, 409, 413, 415, 422], json!([]))
            },
            "/users/{username}": { "get": op("A user, and whether they enrolled a second factor (administrators)", None, (200, "The user"), &[401, 403, 404], username_param()) },
            "/users/{username}/grants": { "post": op("Give a user a role for offices, replacing what they held of it (administrators)", Some("Grant"), (200, "The user"), &[400, 401, 403, 404, 413, 415, 422], username_param()) },
            "/users/{username}/grants/{role}/revoke": { "post": op("Take a role from a user (administrators)", None, (200, "The user"), &[401, 403, 404],
                json!([{ "name": "username", "in": "path", "required": true, "schema": string }, { "name": "role", "in": "path", "required": true, "schema": codes(&roles) }])) },
            "/users/{username}/active": { "post": op("Disable or enable an account (administrators); disabling ends its sessions and tokens", Some("Active"), (200, "The user"), &[400, 401, 403, 404, 413, 415, 422], username_param()) },
            "/users/{username}/second-factor/reset": { "post": op("Remove a user's authenticator (lost phone); they enrol again at the next login (administrators)", None, (200, "The user"), &[401, 403, 404, 422], username_param()) },
            "/audit": { "get": op("Browse the audit trail, newest first (administrators); filters: person, case, user, from, until (YYYY-MM-DD), before (seq)", None, (200, "Entries and the next page's `before`"), &[401, 403, 422], json!([])) },
            "/me": { "get": op("The logged-in user", None, (200, "The user"), &[401], json!([])) },
            "/offices": {
                "get": list(op("List offices", None, (200, "Offices"), &[401], json!([]))),
                "post": op("Create an office (administrators); a code already used is a 409", Some("Office"), (201, "The office"), &[400, 401, 403, 409, 413, 415, 422], json!([]))
            },
            "/persons": {
                "get": op("Search persons by name (any spelling) and filters", None, (200, "Ranked matches"), &[401, 422], search_params),
                "post": op("Register a person and open their first case", Some("Registration"), (201, "The new person and case ids"), &[400, 401, 403, 413, 415, 422], json!([]))
            },
            "/persons/{id}": { "get": op("A person's file", None, (200, "Person, cases, screenings, assistance, notes"), &[401, 404], id_param()) },
            "/persons/{id}/export": { "get": op("Everything held about a person, with the audit trail's entries about them, for their data request (handle_data_requests; audited)", None, (200, "The person's data"), &[401, 403, 404], id_param()) },
            "/persons/{id}/erase": { "post": op("Erase a person's identity on their request; cases, findings and assistance stay without identity (handle_data_requests; audited)", Some("Erase"), (204, "Erased"), &[400, 401, 403, 404, 409, 413, 415, 422], id_param()) },
            "/pseudonymised/cases": { "get": op("Cases for monitoring and evaluation: pseudonyms, no names, phones, documents, exact dates of birth or free text (read_pseudonymised)", None, (200, "A page of cases and the cursor of the next"), &[401, 403, 422],
                json!([{ "name": "after", "in": "query", "schema": { "type": "string" }, "description": "`next_after` of the previous page" }, { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000 } }])) },
            "/persons/{id}/cases": { "post": op("Open another case for a person", Some("Case"), (201, "The case id"), &[400, 401, 403, 404, 413, 415, 422], id_param()) },
            "/persons/{id}/consents": { "post": op("Record a consent the person gave", Some("Consent"), (201, "The consent id"), &[400, 401, 403, 404, 413, 415, 422], id_param()) },
            "/persons/{id}/consents/{consent_id}/withdraw": { "post": op("Record that the person withdrew a consent (409 when it already was)", None, (204, "Withdrawn"), &[401, 403, 404, 409],
                json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }, { "name": "consent_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }])) },
            "/cases/{id}": { "get": op("A case with its history", None, (200, "The case file"), &[401, 404], id_param()) },
            "/cases/{id}/screenings": { "post": op("Record a vulnerability screening", Some("Screening"), (201, "The screening id"), &[400, 401, 403, 404, 413, 415, 422], id_param()) },
            "/cases/{id}/assistance": { "post": op("Record assistance given", Some("Assistance"), (201, "The assistance id"), &[400, 401, 403, 404, 413, 415, 422], id_param()) },
            "/cases/{id}/notes": { "post": op("Add a case note", Some("Note"), (201, "The note id"), &[400, 401, 403, 404, 413, 415, 422], id_param()) },
            "/cases/{id}/status": { "post": op("Change a case's status", Some("StatusChange"), (200, "The new status"), &[400, 401, 403, 404, 409, 413, 415, 422], id_param()) },
            "/cases/{id}/journey": { "get": op("A return case's journey: every step with its state and what blocks it", None, (200, "The journey"), &[401, 403, 404], id_param()) },
            "/cases/{id}/journey/steps/{step}": { "post": op("Record a step of a return: done, waive or block (with a reason), or withdraw voluntariness", Some("JourneyStep"), (200, "The journey after it"), &[400, 401, 403, 404, 409, 413, 415, 422],
                json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }, { "name": "step", "in": "path", "required": true, "schema": codes(&passage_domain::journey::Step::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()) }])) },
            "/movements": {
                "get": list(op("Movements of the offices where I plan movements or read cases", None, (200, "Movements"), &[401, 403], json!([]))),
                "post": op("Plan a movement (manage_movements in its office)", Some("Movement"), (201, "The movement id"), &[400, 401, 403, 413, 415, 422], json!([]))
            },
            "/programmes": { "get": list(op("Programmes: name, donor, period, countries (read_aggregates)", None, (200, "Programmes"), &[401, 403], json!([]))) },
            "/programmes/{code}/figures": { "get": op("Every indicator of a programme computed from the records over its period, against its target, broken down by country and office, sex and age group, and vulnerability; counts of persons under disclosure control (null: suppressed)", None, (200, "The figures"), &[401, 403, 404], json!([{ "name": "code", "in": "path", "required": true, "schema": { "type": "string" } }])) },
            "/programmes/{code}/iati.xml": { "get": { "summary": "The programme as an IATI activity (standard 2.03): organisations, countries, budgets that belong to it, and results with targets and protected actual values", "parameters": [{ "name": "code", "in": "path", "required": true, "schema": { "type": "string" } }], "responses": { "200": { "description": "IATI activity XML", "content": { "application/xml": {} } }, "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" } } } },
            "/exports/{file}": { "get": { "summary": "Download records as cases.csv|.xlsx, assistance.csv|.xlsx or activities.csv|.xlsx (?hxl=true adds a hashtag row). The access model decides the rows and columns: the cases I may see with identity (read_cases); pseudonyms and no identity (read_pseudonymised only); activities carry counts only. Streamed.", "parameters": [{ "name": "file", "in": "path", "required": true, "schema": { "type": "string" } }, { "name": "hxl", "in": "query", "required": false, "schema": { "type": "boolean" } }], "responses": { "200": { "description": "The file", "content": { "text/csv": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {} } }, "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" } } } },
            "/persons/likely": { "post": op("Persons already registered who may be this one (read_cases, among the persons I may see): each with the linkage model's probability and every field's part in it; nothing is saved", Some("LikelyQuery"), (200, "Likely persons"), &[400, 401, 403, 413, 415, 422], json!([])) },
            "/submissions": { "get": op("Forms from the field (OpenRosa) waiting in quarantine that I may see: sent by me, or in an office where I do what the form does (restricted ones: protection officers)", None, (200, "Quarantined submissions"), &[401, 403], json!([])) },
            "/submissions/{id}": { "get": op("One submission: its status, problems and (while quarantined) its values by element path", None, (200, "The submission"), &[401, 403, 404], id_param()) },
            "/submissions/{id}/retry": { "post": op("Apply a quarantined submission again with corrections (element path to value); 422 with the remaining problems if it still does not pass", Some("SubmissionRetry"), (200, "Applied"), &[400, 401, 403, 404, 409, 413, 415, 422], id_param()) },
            "/submissions/{id}/reject": { "post": op("Reject a quarantined submission with a reason; its payload is wiped", Some("SubmissionReject"), (204, "Rejected"), &[400, 401, 403, 404, 409, 413, 415, 422], id_param()) },
            "/duplicates": { "get": op("Likely duplicate persons waiting for a decision, both of whom I may see, most likely first (merge_persons)", None, (200, "Pairs"), &[401, 403], json!([])) },
            "/duplicates/{id}": {
                "get": op("A pair side by side: both persons, their cases, the model's probability and each field's part", None, (200, "The pair"), &[401, 403, 404], id_param()),
                "post": op("Decide: same (merge; keep a or b, or the first registered), different or unsure", Some("DuplicateDecision"), (200, "Decided; merge_id when merged"), &[400, 401, 403, 404, 409, 413, 415, 422], id_param())
            },
            "/merges/{id}/undo": { "post": op("Undo a merge: every case, consent, document and activity goes back, the aliases it added go", None, (204, "Undone"), &[401, 403, 404, 409], id_param()) },
            "/persons/{id}/merges": { "get": op("The merges into a person, undone ones too, newest first", None, (200, "Merges"), &[401, 403, 404], id_param()) },
            "/activities": { "get": list(op("The latest activities that count people rather than persons, newest first (read_aggregates)", None, (200, "Activities"), &[401, 403], json!([]))) },
            "/activities/campaigns": { "post": op("Record an information campaign event in an office where I work on cases; the sex/age breakdown may be partial but not exceed the total", Some("CampaignEvent"), (201, "Recorded"), &[400, 401, 403, 413, 415, 422], json!([])) },
            "/activities/trainings": { "post": op("Record a training: participants, by organisation type and sex where known", Some("Training"), (201, "Recorded"), &[400, 401, 403, 413, 415, 422], json!([])) },
            "/activities/rescues": { "post": op("Record a search-and-rescue operation: place (decimal degrees), people found, the survivors' cases I may see", Some("Rescue"), (201, "Recorded"), &[400, 401, 403, 413, 415, 422], json!([])) },
            "/activities/shelter-works": { "post": op("Record a shelter renovated or refurbished", Some("ShelterWork"), (201, "Recorded"), &[400, 401, 403, 413, 415, 422], json!([])) },
            "/activities/resources": { "post": op("Record a study, data briefing, infographic or data update for the resources library", Some("Resource"), (201, "Recorded"), &[400, 401, 403, 413, 415, 422], json!([])) },
            "/activities/resources/{id}/file": { "post": { "summary": "Attach a resource's file (the request body; PDF, CSV, XLSX, PNG, JPEG or text by the extension of ?name=, up to 20 MB)", "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }, { "name": "name", "in": "query", "required": true, "schema": { "type": "string" } }], "requestBody": { "required": true, "content": { "application/octet-stream": {} } }, "responses": { "204": { "description": "Attached" }, "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" }, "413": { "$ref": "#/components/responses/Problem" }, "422": { "$ref": "#/components/responses/Problem" } } } },
            "/programmes/{code}/figures.csv": { "get": { "summary": "The programme's figures as CSV (per indicator: total and target, each country and office; suppressed values empty and flagged); ?hxl=true adds an HXL hashtag row", "parameters": [{ "name": "code", "in": "path", "required": true, "schema": { "type": "string" } }, { "name": "hxl", "in": "query", "required": false, "schema": { "type": "boolean" } }], "responses": { "200": { "description": "CSV", "content": { "text/csv": {} } }, "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" } } } },
            "/budgets": { "get": list(op("Imported appeal budgets, newest first (read_aggregates)", None, (200, "Budgets"), &[401, 403], json!([]))) },
            "/budgets/{code}": { "get": op("A budget: planned USD per office and heading of the Migration Governance Framework, with row and column totals; null is nothing planned", None, (200, "The budget"), &[401, 403, 404], json!([{ "name": "code", "in": "path", "required": true, "schema": { "type": "string" } }])) },
            "/budgets/{code}/table.csv": { "get": { "summary": "The budget as CSV in the import format, with a totals row; ?hxl=true adds an HXL hashtag row", "parameters": [{ "name": "code", "in": "path", "required": true, "schema": { "type": "string" } }, { "name": "hxl", "in": "query", "required": false, "schema": { "type": "boolean" } }], "responses": { "200": { "description": "CSV", "content": { "text/csv": {} } }, "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" } } } },
            "/movements/{id}": { "get": op("A movement and its manifest (names only of the cases I may see)", None, (200, "The movement"), &[401, 403, 404], id_param()) },
            "/movements/{id}/travellers": { "post": op("Manifest a return case whose journey lets it depart; capacity enforced", Some("Manifest"), (204, "Manifested"), &[400, 401, 403, 404, 409, 413, 415, 422], id_param()) },
            "/movements/{id}/travellers/{case_id}/status": { "post": op("A traveller boarded, did not show, or was offloaded", Some("TravellerStatus"), (204, "Changed"), &[400, 401, 403, 404, 409, 413, 415, 422],
                json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }, { "name": "case_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }])) },
            "/movements/{id}/status": { "post": op("The movement departed, arrived or was cancelled; the travellers' transport steps follow in the same transaction", Some("MovementStatus"), (204, "Changed"), &[400, 401, 403, 404, 409, 413, 415, 422], id_param()) },
            "/movements/{id}/manifest.xlsx": { "get": { "summary": "The manifest as an XLSX workbook (movement officers; audited); ?hxl=true adds an HXL hashtag row", "parameters": hxl_params(), "responses": { "200": { "description": "XLSX", "content": { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {} } }, "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" } } } },
            "/movements/{id}/manifest.csv": { "get": { "summary": "The manifest as CSV for the carrier and the authorities (movement officers; audited); ?hxl=true adds an HXL hashtag row", "parameters": hxl_params(), "responses": { "200": { "description": "CSV", "content": { "text/csv": {} } }, "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" } } } },
            "/cases/{id}/handover": { "post": op("Ask another office to take the case over (the person's hand-over consent is required)", Some("Handover"), (201, "The hand-over id"), &[400, 401, 403, 404, 409, 413, 415, 422], id_param()) },
            "/queue": { "get": op("What needs me now, grouped (urgent protection cases, overdue, today, this week, within two weeks, waiting on others), each group with its count and items (kind, due date, case reference, office, what to do, link)", None, (200, "The queue: today, total, groups"), &[401, 422], json!([
                { "name": "office", "in": "query", "required": false, "description": "An office code; an office with none of my work gives an empty queue. Empty means every office.", "schema": { "type": "string" } },
                { "name": "kind", "in": "query", "required": false, "description": "A case kind; movements (no case) drop out. Empty means every kind.", "schema": or_empty(owned(&kinds)) }])) },
            "/providers": {
                "get": list(op("The service directory, by service and place", None, (200, "Providers"), &[401, 403, 422], json!([{ "name": "service", "in": "query", "schema": codes(&passage_domain::referral::ServiceKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()) }, { "name": "place", "in": "query", "schema": string }]))),
                "post": op("Add a provider to the directory (administrators)", Some("Provider"), (201, "The provider id"), &[400, 401, 403, 413, 415, 422], json!([]))
            },
            "/providers/{id}/users": { "post": op("Let a partner user speak for a provider (administrators)", Some("Username"), (204, "Linked"), &[400, 401, 403, 404, 413, 415, 422], id_param()) },
            "/cases/{id}/referrals": {
                "get": list(op("A case's referrals, with whether each is overdue", None, (200, "Referrals"), &[401, 403, 404], id_param())),
                "post": op("Refer the person to a provider, sharing the named fields; their consent to share with that organisation is required", Some("Referral"), (201, "The referral id"), &[400, 401, 403, 404, 413, 415, 422], id_param())
            },
            "/partner/referrals": { "get": op("Referrals sent to my organisation: only the fields the person consented to share, none once the consent is withdrawn (partners)", None, (200, "Referrals"), &[401, 403], json!([])) },
            "/partner/referrals/{id}": { "post": op("Accept, decline (with why) or complete (with feedback) a referral (partners)", Some("Answer"), (204, "Answered"), &[400, 401, 403, 404, 409, 413, 415, 422], id_param()) },
            "/plans": { "post": op("A reintegration plan for one returnee, a group or a community; visits at 3, 6 and 12 months after arrival are scheduled (manage_reintegration)", Some("Plan"), (201, "The plan id"), &[400, 401, 403, 413, 415, 422], json!([])) },
            "/plans/{id}": { "get": op("A plan with its activities and budget (total and per beneficiary)", None, (200, "The plan"), &[401, 403, 404], id_param()) },
            "/plans/{id}/activities": { "post": op("Add an activity with its budget", Some("Activity"), (201, "The activity id"), &[400, 401, 403, 404, 413, 415, 422], id_param()) },
            "/plans/{id}/activities/{activity_id}/status": { "post": op("An activity starts, completes or is cancelled", Some("ActivityStatus"), (204, "Changed"), &[400, 401, 403, 404, 409, 413, 415, 422],
                json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }, { "name": "activity_id", "in": "path", "required": true, "schema": { "type": "string" } }])) },
            "/cases/{id}/visits": { "get": list(op("A case's monitoring visits", None, (200, "Visits"), &[401, 403, 404], id_param())) },
            "/reintegration/portfolio": { "get": { "summary": "The returnees the reader's offices follow, lowest band of the latest sustainability composite first: band, latest scores, months since return, overdue visits, needs more support (a dimension below the threshold, or the composite falling between two visits). No names.", "parameters": [
                { "name": "office", "in": "query", "required": false, "schema": { "type": "string" } },
                { "name": "band", "in": "query", "required": false, "schema": or_empty(owned(&["low", "fragile", "moderate", "strong", "not_surveyed"])) },
                { "name": "needs_support", "in": "query", "required": false, "schema": { "type": "boolean" } }],
                "responses": { "200": { "description": "The portfolio", "content": { "application/json": { "schema": { "type": "object" } } } }, "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" }, "422": { "$ref": "#/components/responses/Problem" } } } },
            "/visits/{id}": { "post": op("Record a monitoring visit as done (date, notes, sustainability survey) or missed", Some("Visit"), (204, "Recorded"), &[400, 401, 403, 404, 409, 413, 415, 422], id_param()) },
            "/handovers": { "get": list(op("Hand-overs waiting for my offices: case reference, kind and sending office only", None, (200, "Requests"), &[401, 403], json!([]))) },
            "/handovers/{id}/accept": { "post": op("Accept: the case moves to the receiving office; the sending office keeps reading it", None, (200, "The case id"), &[401, 403, 404, 409], id_param()) },
            "/handovers/{id}/decline": { "post": op("Decline, with the reason", Some("Erase"), (204, "Declined"), &[400, 401, 403, 404, 409, 413, 415, 422], id_param()) },
            "/openapi.json": { "get": { "security": [], "summary": "This document", "responses": { "200": ok("OpenAPI 3 document") } } }
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "responses": { "Problem": { "description": "RFC 9457 problem details", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } } },
            "schemas": {
                "Problem": { "type": "object", "properties": { "type": string, "title": string, "status": { "type": "integer" }, "detail": string,
                    "errors": { "type": "array", "items": { "type": "object", "properties": { "field": string, "code": string, "message": string } } } } },
                "SecondFactor": { "type": "object", "required": ["challenge", "code"], "properties": { "challenge": string, "code": { "type": "string", "description": "Six digits" } } },
                "Token": { "type": "object", "required": ["name", "role", "days"], "properties": { "name": text, "role": codes(&roles), "offices": { "type": "array", "items": string, "description": "Office codes, or [\"all\"]" }, "days": { "type": "integer", "minimum": 1, "maximum": 365 }, "username": { "type": "string", "nullable": true, "description": "Another user's (needs manage_users); absent or null: oneself" } } },
                "User": { "type": "object", "required": ["username", "display_name", "password", "role"], "properties": { "username": { "type": "string", "pattern": "^[a-z0-9._-]{3,40}$" }, "display_name": text, "password": { "type": "string", "minLength": 12 }, "role": codes(&roles), "offices": { "type": "array", "items": string } } },
                "Grant": { "type": "object", "required": ["role"], "properties": { "role": codes(&roles), "offices": { "type": "array", "items": string } } },
                "Active": { "type": "object", "required": ["active"], "properties": { "active": { "type": "boolean" } } },
                "Login": { "type": "object", "required": ["username", "password"], "properties": { "username": text, "password": text } },
                "Name": { "type": "object", "additionalProperties": false, "properties": { "given": string, "family": string },
                    "anyOf": [{ "required": ["given"], "properties": { "given": text } }, { "required": ["family"], "properties": { "family": text } }] },
                "Document": { "type": "object", "properties": { "kind": codes(&DocumentKind::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()), "number": string, "issuing_country": or_empty(countries.clone()), "expires_on": date_or_empty.clone() } },
                "Person": { "type": "object", "properties": {
                    "names": { "type": "array", "minItems": 1, "items": { "$ref": "#/components/schemas/Name" }, "description": "The first is the primary name, the rest aliases; each has a given or a family name" },
                    "sex": codes(&sex),
                    "birth_date": { "type": "string", "description": "YYYY-MM-DD or YYYY" },
                    "birth_date_precision": codes(&["exact", "year", "estimated"]),
                    "nationality": or_empty(countries.clone()),
                    "languages": strs, "phone": { "type": "string", "description": "International form, +227…" },
                    "documents": { "type": "array", "items": { "$ref": "#/components/schemas/Document" } } } },
                "Case": { "type": "object", "properties": { "kind": codes(&kinds), "office_id": { "type": "string", "format": "uuid" }, "assigned_to": { "type": "string", "description": "Username or user id" } } },
                "Registration": { "type": "object", "required": ["person", "case"], "properties": { "person": { "$ref": "#/components/schemas/Person" }, "case": { "$ref": "#/components/schemas/Case" } } },
                "Screening": { "type": "object", "properties": { "screened_on": { "type": "string", "format": "date" },
                    "findings": { "type": "array", "items": codes(&VulnerabilityCategory::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()) },
                    "exploitation": { "type": "array", "items": codes(&ExploitationType::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()) }, "notes": string } },
                "Assistance": { "type": "object", "properties": { "kind": codes(&AssistanceKind::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()), "provided_on": { "type": "string", "format": "date" },
                    "quantity": { "type": "string", "description": "Whole number ≥ 1" }, "place": string, "provider": string, "cost": string, "currency": string } },
                "Consent": { "type": "object", "required": ["kind", "method", "given_on"], "properties": { "kind": codes(&ConsentKind::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
                    "partner": { "type": "string", "description": "Required for data_sharing" }, "method": codes(&ConsentMethod::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()), "given_on": { "type": "string", "format": "date" } } },
                "Password": { "type": "object", "required": ["current_password", "new_password"], "properties": { "current_password": string, "new_password": { "type": "string", "minLength": 12 } } },
                "JourneyStep": { "type": "object", "required": ["action"], "properties": { "action": codes(&["done", "waive", "block", "withdraw"]), "evidence": string, "reason": string,
                    "fit_to_travel": codes(&["fit", "fit_with_escort", "unfit"]), "escort": codes(&["operational", "medical"]), "on": { "type": "string", "format": "date" } } },
                "Movement": { "type": "object", "properties": { "kind": codes(&["charter_flight", "commercial_flights", "bus_convoy"]), "office_id": { "type": "string", "format": "uuid" }, "origin": string, "transit": strs,
                    "destination_country": string, "destination": string, "departure_on": { "type": "string", "format": "date" }, "arrival_on": { "type": "string", "format": "date" }, "capacity": string, "escorts": string } },
                "Manifest": { "type": "object", "required": ["case_id"], "properties": { "case_id": { "type": "string", "format": "uuid" } } },
                "Handover": { "type": "object", "required": ["to_office"], "properties": { "to_office": { "type": "string", "description": "Office code (GIN-CKY) or id" } } },
                "Plan": { "type": "object", "properties": { "kind": codes(&["individual", "collective", "community_based"]), "office_id": string, "title": string, "cases": strs } },
                "Activity": { "type": "object", "properties": { "kind": codes(&passage_domain::reintegration::ActivityKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()), "description": string, "budget": string, "currency": string, "due_on": { "type": "string", "format": "date" } } },
                "Visit": { "type": "object", "additionalProperties": false, "properties": {
                    "status": codes(&["done", "missed"]), "done_on": { "type": "string", "format": "date" }, "notes": string,
                    "survey": { "type": "object", "description": "The sustainability survey of a visit done: indicator code → answer code, under the scheme active for the visit's office (`passage reintegration scheme list`). Unknown codes are refused; unanswered indicators are allowed.", "additionalProperties": { "type": "string" } } } },
                "Provider": { "type": "object", "required": ["organisation", "services"], "properties": { "organisation": text, "services": { "type": "array", "minItems": 1, "items": codes(&passage_domain::referral::ServiceKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()) }, "places": string, "languages": string, "contact": string, "opening_hours": string } },
                "Username": { "type": "object", "required": ["username"], "properties": { "username": string } },
                "Referral": { "type": "object", "properties": { "provider_id": string, "service": string, "fields": { "type": "array", "items": codes(&passage_domain::referral::SharedField::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()) } } },
                "Answer": { "type": "object", "required": ["status"], "properties": { "status": codes(&["accepted", "declined", "completed"]), "feedback": string } },
                "Erase": { "type": "object", "required": ["reason"], "properties": { "reason": { "type": "string", "minLength": 1, "pattern": "\\S", "description": "Whose request, when, how their identity was checked" } } },
                "Note": { "type": "object", "required": ["body"], "properties": { "body": text } },
                "StatusChange": { "type": "object", "required": ["status"], "properties": { "status": codes(&statuses), "reason": string } },
                "SubmissionRetry": { "type": "object", "properties": { "values": { "type": "object", "additionalProperties": string } } },
                "DuplicateDecision": { "type": "object", "required": ["decision"], "properties": { "decision": codes(&["same", "different", "unsure"]), "keep": codes(&["a", "b"]) } },
                "SubmissionReject": { "type": "object", "required": ["reason"], "properties": { "reason": text } },
                "CampaignEvent": { "type": "object", "required": ["office_id", "held_on", "kind", "place", "people_reached"], "properties": { "office_id": { "type": "string", "format": "uuid" }, "held_on": date, "kind": codes(&passage_domain::activity::CampaignKind::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()), "place": text, "people_reached": positive, "women": string, "men": string, "girls": string, "boys": string } },
                "Training": { "type": "object", "required": ["office_id", "held_on", "topic", "participants"], "properties": { "office_id": { "type": "string", "format": "uuid" }, "held_on": date, "topic": text, "participants": positive, "government": string, "civil_society": string, "ngo": string, "health_workers": string, "border_officials": string, "women": string, "men": string } },
                "Rescue": { "type": "object", "required": ["office_id", "held_on", "latitude", "longitude", "people_found"], "properties": { "office_id": { "type": "string", "format": "uuid" }, "held_on": date, "latitude": string, "longitude": string, "people_found": positive, "case_references": { "type": "array", "items": string } } },
                "ShelterWork": { "type": "object", "required": ["office_id", "completed_on", "shelter", "kind"], "properties": { "office_id": { "type": "string", "format": "uuid" }, "completed_on": date, "shelter": text, "kind": codes(&passage_domain::activity::ShelterWorkKind::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()) } },
                "Resource": { "type": "object", "required": ["office_id", "title", "kind", "countries", "published_on"], "properties": { "office_id": { "type": "string", "format": "uuid" }, "title": text, "kind": codes(&passage_domain::activity::ResourceKind::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()), "countries": { "type": "array", "items": string }, "published_on": date } },
                "Office": { "type": "object", "required": ["code", "name", "country", "kind"], "properties": { "code": office_code, "name": text, "country": country, "kind": codes(&OfficeKind::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()), "capacity": { "type": "string", "pattern": "^( *[1-9][0-9 ]*)?$", "description": "Beds, a whole number of 1 or more; empty when not counted" } } }
            }
        }
    });
    let schemas = &mut doc["components"]["schemas"];
    // Likely persons take a person as far as it is known: no name required.
    let mut likely = schemas["Person"].clone();
    if let Some(names) = likely["properties"]["names"].as_object_mut() {
        names.remove("minItems");
    }
    likely["properties"]["names"]["items"] =
        json!({ "type": "object", "properties": { "given": { "type": "string" }, "family": { "type": "string" } } });
    schemas["LikelyQuery"] = likely;
    // The three status bodies carry only the new status, each with its own values.
    let status_body = |values: Vec<String>| json!({ "type": "object", "required": ["status"], "properties": { "status": { "type": "string", "enum": values } } });
    schemas["MovementStatus"] = status_body(MovementStatus::ALL.iter().map(|s| s.as_str().to_string()).collect());
    schemas["TravellerStatus"] =
        status_body(passage_domain::movement::TravellerStatus::ALL.iter().map(|s| s.as_str().to_string()).collect());
    schemas["ActivityStatus"] =
        status_body(passage_domain::reintegration::ActivityStatus::ALL.iter().map(|s| s.as_str().to_string()).collect());
    add_links(&mut doc);
    let schemas = &mut doc["components"]["schemas"];
    for (name, schema) in schemas.as_object_mut().into_iter().flatten() {
        if name != "Problem" {
            close_objects(schema);
        }
    }
    doc
}

/// OpenAPI links from each create to the operations that take the new id, so
/// a client (and a stateful fuzzer) can follow a person to their cases, a case
/// to its screenings, a plan to its activities.
fn add_links(doc: &mut Value) {
    // (create path, response field, [(read or write path, method)])
    let persons = ["/persons/{id}", "/persons/{id}/cases", "/persons/{id}/consents", "/persons/{id}/export", "/persons/{id}/merges"];
    let cases = [
        "/cases/{id}",
        "/cases/{id}/screenings",
        "/cases/{id}/assistance",
        "/cases/{id}/notes",
        "/cases/{id}/status",
        "/cases/{id}/journey",
        "/cases/{id}/referrals",
        "/cases/{id}/visits",
        "/cases/{id}/handover",
    ];
    let links: Vec<(&str, &str, &str, Vec<&str>)> = vec![
        ("/persons", "201", "person_id", persons.to_vec()),
        ("/persons", "201", "case_id", cases.to_vec()),
        ("/persons/{id}/cases", "201", "case_id", cases.to_vec()),
        (
            "/movements",
            "201",
            "id",
            vec!["/movements/{id}", "/movements/{id}/travellers", "/movements/{id}/status", "/movements/{id}/manifest.csv"],
        ),
        ("/plans", "201", "id", vec!["/plans/{id}", "/plans/{id}/activities"]),
        ("/tokens", "201", "record/id", vec!["/tokens/{id}/revoke"]),
        ("/providers", "201", "id", vec!["/providers/{id}/users"]),
    ];
    for (from, status, field, targets) in links {
        let mut out = serde_json::Map::new();
        for target in targets {
            let Some(ops) = doc["paths"][target].as_object() else { continue };
            for method in ops.keys() {
                let name = format!("{}{}", method, target.replace(['/', '{', '}', '.', '-'], "_")).replace("__", "_");
                let pointer = format!("#/paths/{}/{method}", target.replace('~', "~0").replace('/', "~1"));
                out.insert(name, json!({ "operationRef": pointer, "parameters": { "id": format!("$response.body#/{field}") } }));
            }
        }
        if let Some(r) = doc["paths"][from]["post"]["responses"][status].as_object_mut() {
            let links = r.entry("links").or_insert_with(|| json!({}));
            if let Some(l) = links.as_object_mut() {
                l.extend(out);
            }
        }
    }
}

/// Every request body refuses fields it does not know (a client's typo is a
/// 422 naming the field, as the server's `deny_unknown_fields` answers), so
/// each object schema says `additionalProperties: false` unless it is a map.
fn close_objects(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if o.contains_key("properties") && !o.contains_key("additionalProperties") && !o.contains_key("anyOf") {
                o.insert("additionalProperties".into(), Value::Bool(false));
            }
            for (key, child) in o.iter_mut() {
                // The branches of a combination state extra rules on the object's own fields, not its shape.
                if !matches!(key.as_str(), "anyOf" | "oneOf" | "allOf") {
                    close_objects(child);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(close_objects),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_api_route_is_documented() {
        let doc = super::document();
        for (method, path) in crate::api::routes().list {
            assert!(doc["paths"][path][method].is_object(), "{method} {path} is not in openapi.json");
        }
    }
}
