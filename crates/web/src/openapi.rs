//! The OpenAPI document of `/api/v1`, put together from the handlers: each
//! API handler carries its operation (`#[utoipa::path]`: summary, path and
//! query parameters, request body, the status codes it answers) and each
//! body or query type its schema (`utoipa::ToSchema`/`IntoParams`, with the
//! domain's own code lists and patterns from `passage_domain::schema`), so a
//! field added to a body or a route added to the router is in the document
//! without anyone writing it twice. What follows from the extractors a
//! handler uses rather than from the handler is added here, once for all: a
//! JSON body may be refused as 400/413/415/422, an id in the path as 404, a
//! query string as 400, a missing credential as 401; every refusal is an
//! RFC 9457 problem document.

use serde_json::{json, Value};
use std::sync::OnceLock;

/// The route of the document itself, beside the API's.
pub fn routes() -> crate::routing::Routes {
    crate::routing::Routes::new().api(utoipa_axum::routes!(served))
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", summary = "This document", responses((status = 200, description = "OpenAPI 3.1", body = Object)), security(()))]
pub async fn served() -> axum::Json<Value> {
    axum::Json(document().clone())
}

/// The document, built once: it only changes with the binary.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(build)
}

fn build() -> Value {
    let api = crate::api::routes().merge(routes()).openapi;
    let mut doc = serde_json::to_value(&api).unwrap_or_default();
    doc["info"] = json!({ "title": "Passage API", "version": "1", "description": "Case management for protection, return and reintegration of migrants. All writes are validated; errors are RFC 9457 problem documents." });
    doc["servers"] = json!([{ "url": "/api/v1" }]);
    doc["security"] = json!([{ "bearer": [] }]);
    doc["components"]["securitySchemes"] = json!({ "bearer": { "type": "http", "scheme": "bearer" } });
    doc["components"]["responses"] = json!({ "Problem": { "description": "RFC 9457 problem details", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } } });
    doc["components"]["schemas"]["Problem"] = json!({ "type": "object", "properties": {
        "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" }, "detail": { "type": "string" },
        "errors": { "type": "array", "items": { "type": "object", "properties": { "field": { "type": "string" }, "code": { "type": "string" }, "message": { "type": "string" } } } } } });
    let problem = json!({ "$ref": "#/components/responses/Problem" });
    for (_, item) in doc["paths"].as_object_mut().into_iter().flatten() {
        for (_, op) in item.as_object_mut().into_iter().flatten() {
            // `security(())` in an annotation: the operation needs no credential.
            if op["security"] == json!([{}]) {
                op["security"] = json!([]);
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let mut derived: Vec<&str> = Vec::new();
            if op["requestBody"]["content"]["application/json"].is_object() {
                derived.extend(["400", "413", "415", "422"]);
            }
            if params.iter().any(|p| p["in"] == "path") {
                derived.push("404");
            }
            if params.iter().any(|p| p["in"] == "query") {
                derived.push("400");
            }
            if op["security"] != json!([]) {
                derived.push("401");
            }
            for code in derived {
                if op["responses"][code].is_null() {
                    op["responses"][code] = problem.clone();
                }
            }
            // A query parameter is absent or has a value: "null" is not one.
            for p in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                if let Some(schema) = p.get_mut("schema") {
                    not_null(schema);
                }
            }
        }
    }
    add_links(&mut doc);
    let schemas = &mut doc["components"]["schemas"];
    for (name, schema) in schemas.as_object_mut().into_iter().flatten() {
        if name != "Problem" {
            close_objects(schema);
            no_defaults(schema);
        }
    }
    doc
}

/// `Option<T>` in a query struct means "may be left out", which the
/// parameter's `required: false` already says.
fn not_null(schema: &mut Value) {
    if let Some(types) = schema["type"].as_array() {
        let kept: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        if kept.len() == 1 {
            schema["type"] = kept[0].clone();
        }
    }
}

/// A body type's `Default` is how absent fields are read, not a value a
/// client should send (an empty code is not one of the codes).
fn no_defaults(v: &mut Value) {
    match v {
        Value::Object(o) => {
            o.remove("default");
            o.values_mut().for_each(no_defaults);
        }
        Value::Array(a) => a.iter_mut().for_each(no_defaults),
        _ => {}
    }
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
        for (method, path) in crate::api::routes().merge(super::routes()).list {
            assert!(doc["paths"][&path][method].is_object(), "{method} {path} is not in openapi.json");
        }
    }

    /// A `null` where the specification wants an object or a list makes the
    /// whole document unreadable to a client generator or a fuzzer.
    #[test]
    fn the_document_has_no_nulls() {
        fn walk(v: &serde_json::Value, at: &str) {
            match v {
                serde_json::Value::Null => panic!("null at {at}"),
                serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| walk(x, &format!("{at}/{k}"))),
                serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| walk(x, &format!("{at}/{i}"))),
                _ => {}
            }
        }
        walk(super::document(), "");
    }

    /// What the extractors imply is on every operation that uses them.
    #[test]
    fn refusals_follow_the_extractors() {
        let doc = super::document();
        let register = &doc["paths"]["/persons"]["post"]["responses"];
        for code in ["201", "400", "401", "403", "413", "415", "422"] {
            assert!(register[code].is_object(), "POST /persons does not document {code}");
        }
        assert!(doc["paths"]["/cases/{id}"]["get"]["responses"]["404"].is_object());
        assert!(doc["paths"]["/auth/login"]["post"]["responses"]["401"].is_object());
        assert_eq!(doc["paths"]["/auth/login"]["post"]["security"], serde_json::json!([]));
        assert_eq!(doc["components"]["schemas"]["Person"]["additionalProperties"], serde_json::json!(false));
    }
}
