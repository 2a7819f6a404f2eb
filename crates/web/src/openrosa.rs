//! The OpenRosa server that ODK Collect, KoboCollect and Enketo talk to:
//! the form list, form and media download, and submission (`HEAD` then a
//! multipart `POST`), with the OpenRosa headers and response envelope.
//!
//! Devices sign in with a device token (an API token, `pst_…`), never with a
//! password: a password alone would skip the second factor, and Digest
//! authentication would need the server to keep a password-equivalent hash
//! instead of an Argon2 one. The token goes either as the Basic password
//! (`Authorization: Basic user:pst_…`, which Collect sends over HTTPS) or,
//! as ODK Central's app users do, in the server address itself
//! (`https://host/key/pst_…`), which works over a field office's LAN too.
//! Browser cookies are never accepted here, so no other site can make a
//! logged-in browser post a submission.

use crate::session::peer;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Query, RawPathParams, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use passage_service::auth::Session;
use passage_service::fieldforms::{self, Received, SubmittedFile, MAX_POST_BYTES};
use passage_service::ServiceError;
use quick_xml::escape::escape;
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes() -> crate::routing::Routes {
    let r = crate::routing::Routes::new()
        .get("/formList", form_list)
        .get("/forms/{form}/form.xml", form_xml)
        .get("/forms/{form}/manifest", manifest)
        .get("/forms/{form}/media/{file}", media)
        .get("/submission", submission_head)
        .post("/submission", submission)
        .get("/key/{token}/formList", form_list)
        .get("/key/{token}/forms/{form}/form.xml", form_xml)
        .get("/key/{token}/forms/{form}/manifest", manifest)
        .get("/key/{token}/forms/{form}/media/{file}", media)
        .get("/key/{token}/submission", submission_head)
        .post("/key/{token}/submission", submission);
    r.body_limit(MAX_POST_BYTES + 64 * 1024)
}

/// Path parameters of every OpenRosa route (each has some of them, or none).
fn params_of(raw: &RawPathParams) -> BTreeMap<String, String> {
    raw.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// An OpenRosa answer: the status, and a message for the device's user.
struct Failure(StatusCode, String);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut r = envelope(self.0, &self.1, "error");
        if self.0 == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"Passage\", charset=\"UTF-8\""));
        }
        r
    }
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Unauthenticated => Failure(
                StatusCode::UNAUTHORIZED,
                "Sign in with your user name and a device token (Passage → Account → API tokens) as the password, or use the server address with /key/<token>.".into(),
            ),
            ServiceError::Forbidden(what) => Failure(StatusCode::FORBIDDEN, format!("Your role does not allow you to {what}.")),
            ServiceError::NotFound => Failure(StatusCode::NOT_FOUND, "No such form or file.".into()),
            ServiceError::Conflict(what) => Failure(StatusCode::CONFLICT, format!("Not saved: {what}.")),
            ServiceError::Invalid(inv) => Failure(
                StatusCode::BAD_REQUEST,
                inv.errors.iter().map(|e| crate::i18n::field_error(crate::i18n::Lang::En, e)).collect::<Vec<_>>().join(" "),
            ),
            e => {
                tracing::error!(error = %e, "internal error on an OpenRosa route");
                Failure(StatusCode::INTERNAL_SERVER_ERROR, "The server could not save this; try again later.".into())
            }
        }
    }
}

/// Every OpenRosa response carries the protocol version.
fn openrosa(status: StatusCode, content_type: &'static str, body: impl Into<axum::body::Body>) -> Response {
    let mut r = (status, body.into()).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert("x-openrosa-version", HeaderValue::from_static("1.0"));
    h.insert("x-openrosa-accept-content-length", HeaderValue::from(MAX_POST_BYTES));
    r
}

fn envelope(status: StatusCode, message: &str, nature: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\">\
         <message nature=\"{nature}\">{}</message></OpenRosaResponse>\n",
        escape(message)
    );
    openrosa(status, "text/xml; charset=utf-8", body)
}

/// The device's session: the token in the path, or in the Basic password
/// (or a bearer header, for scripts).
async fn device(state: &AppState, headers: &HeaderMap, params: &BTreeMap<String, String>) -> Result<Session, Failure> {
    let unauthenticated = || Failure::from(ServiceError::Unauthenticated);
    let token = if let Some(t) = params.get("token") {
        t.clone()
    } else {
        let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or_else(unauthenticated)?;
        if let Some(b) = auth.strip_prefix("Basic ") {
            let decoded = base64::engine::general_purpose::STANDARD.decode(b.trim()).map_err(|_| unauthenticated())?;
            let text = String::from_utf8(decoded).map_err(|_| unauthenticated())?;
            let (user, password) = text.split_once(':').ok_or_else(unauthenticated)?;
            let s = checked_token(state, password).await?;
            // The user name must be the token's owner: a token lent to a
            // colleague's phone is still its owner's, and says so.
            if !s.actor.username.eq_ignore_ascii_case(user.trim()) {
                return Err(unauthenticated());
            }
            let mut s = s;
            s.actor.source = peer(headers);
            return Ok(s);
        } else if let Some(b) = auth.strip_prefix("Bearer ") {
            b.trim().to_string()
        } else {
            return Err(unauthenticated());
        }
    };
    let mut s = checked_token(state, &token).await?;
    s.actor.source = peer(headers);
    Ok(s)
}

async fn checked_token(state: &AppState, token: &str) -> Result<Session, Failure> {
    if !token.starts_with(passage_service::tokens::TOKEN_PREFIX) {
        return Err(ServiceError::Unauthenticated.into());
    }
    Ok(state.passage.token_session(token).await?)
}

/// The address devices should use for the links in the form list: this
/// server as the device reached it, with the token path when it came so.
fn base_url(state: &AppState, headers: &HeaderMap, params: &BTreeMap<String, String>) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty() && h.len() < 256 && h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies { "https" } else { "http" };
    match params.get("token") {
        Some(t) => format!("{scheme}://{host}/key/{t}"),
        None => format!("{scheme}://{host}"),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    #[serde(rename = "formID")]
    form_id: String,
}

async fn form_list(State(state): State<AppState>, headers: HeaderMap, raw: RawPathParams, Query(q): Query<ListQuery>) -> Response {
    let params = params_of(&raw);
    let s = match device(&state, &headers, &params).await {
        Ok(s) => s,
        Err(f) => return f.into_response(),
    };
    let base = base_url(&state, &headers, &params);
    let fr = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).is_some_and(|l| l.trim_start().starts_with("fr"));
    let mut body = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xforms xmlns=\"http://openrosa.org/xforms/xformsList\">\n");
    let forms = match state.passage.forms_offered(&s.actor).await {
        Ok(f) => f,
        Err(e) => return Failure::from(e).into_response(),
    };
    for f in forms.into_iter().filter(|f| q.form_id.is_empty() || f.id == q.form_id) {
        body.push_str(&format!(
            "  <xform>\n    <formID>{id}</formID>\n    <name>{name}</name>\n    <version>{version}</version>\n    <hash>{hash}</hash>\n    \
             <downloadUrl>{base}/forms/{id}/form.xml</downloadUrl>\n",
            id = f.id,
            name = escape(f.title(fr)),
            version = f.version(),
            hash = f.hash(),
        ));
        if !f.media.is_empty() {
            body.push_str(&format!("    <manifestUrl>{base}/forms/{}/manifest</manifestUrl>\n", f.id));
        }
        body.push_str("  </xform>\n");
    }
    body.push_str("</xforms>\n");
    openrosa(StatusCode::OK, "text/xml; charset=utf-8", body)
}

/// A form the device's user is offered, or not found.
async fn offered(state: &AppState, s: &Session, id: &str) -> Result<&'static fieldforms::FieldForm, Failure> {
    state.passage.forms_offered(&s.actor).await?.into_iter().find(|f| f.id == id).ok_or_else(|| ServiceError::NotFound.into())
}

async fn form_xml(State(state): State<AppState>, headers: HeaderMap, raw: RawPathParams) -> Response {
    let params = params_of(&raw);
    let run = async {
        let s = device(&state, &headers, &params).await?;
        let f = offered(&state, &s, params.get("form").map(String::as_str).unwrap_or("")).await?;
        Ok::<_, Failure>(openrosa(StatusCode::OK, "text/xml; charset=utf-8", f.xform))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

async fn manifest(State(state): State<AppState>, headers: HeaderMap, raw: RawPathParams) -> Response {
    let params = params_of(&raw);
    let run = async {
        let s = device(&state, &headers, &params).await?;
        let f = offered(&state, &s, params.get("form").map(String::as_str).unwrap_or("")).await?;
        let base = base_url(&state, &headers, &params);
        let mut body =
            String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest xmlns=\"http://openrosa.org/xforms/xformsManifest\">\n");
        for name in f.media {
            let csv = state.passage.media_csv(&s.actor, name).await?;
            body.push_str(&format!(
                "  <mediaFile>\n    <filename>{name}</filename>\n    <hash>{hash}</hash>\n    <downloadUrl>{base}/forms/{id}/media/{name}</downloadUrl>\n  </mediaFile>\n",
                hash = fieldforms::md5_hash(csv.as_bytes()),
                id = f.id,
            ));
        }
        body.push_str("</manifest>\n");
        Ok::<_, Failure>(openrosa(StatusCode::OK, "text/xml; charset=utf-8", body))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

async fn media(State(state): State<AppState>, headers: HeaderMap, raw: RawPathParams) -> Response {
    let params = params_of(&raw);
    let run = async {
        let s = device(&state, &headers, &params).await?;
        let f = offered(&state, &s, params.get("form").map(String::as_str).unwrap_or("")).await?;
        let Some(name) = params.get("file").and_then(|file| f.media.iter().find(|m| **m == file.as_str())) else {
            return Err(ServiceError::NotFound.into());
        };
        let csv = state.passage.media_csv(&s.actor, name).await?;
        Ok::<_, Failure>(openrosa(StatusCode::OK, "text/csv; charset=utf-8", csv))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

/// Collect asks first with `HEAD` (axum answers it with this handler, body
/// dropped): 204 and the size it may send, or 401 to get credentials.
async fn submission_head(State(state): State<AppState>, headers: HeaderMap, raw: RawPathParams) -> Response {
    let params = params_of(&raw);
    match device(&state, &headers, &params).await {
        Ok(_) => {
            let mut r = openrosa(StatusCode::NO_CONTENT, "text/xml; charset=utf-8", "");
            r.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_str(&format!("{}/submission", base_url(&state, &headers, &params)))
                    .unwrap_or(HeaderValue::from_static("/submission")),
            );
            r
        }
        Err(f) => f.into_response(),
    }
}

async fn submission(State(state): State<AppState>, headers: HeaderMap, raw: RawPathParams, request: Request) -> Response {
    let params = params_of(&raw);
    let run = async {
        let s = device(&state, &headers, &params).await?;
        let (xml, files) = read_parts(request).await?;
        let received = state.passage.receive_submission(&s.actor, &xml, files, "openrosa").await?;
        Ok::<_, Failure>(match received {
            Received::Applied { .. } => envelope(StatusCode::CREATED, "Saved in Passage.", "submit_success"),
            Received::AlreadyReceived { .. } => {
                envelope(StatusCode::ACCEPTED, "Already received: nothing was saved twice.", "submit_success")
            }
            Received::Quarantined { problems, .. } => envelope(
                StatusCode::ACCEPTED,
                &format!(
                    "Received, but it needs a data officer's check before it is saved ({}).",
                    problems
                        .iter()
                        .map(|p| format!("{}: {}", p.field, crate::i18n::problem(crate::i18n::Lang::En, p)))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                "submit_success",
            ),
        })
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

/// The multipart body: `xml_submission_file` and the files. The whole body
/// is read before anything is stored, so an upload cut off half-way stores
/// nothing (the device sends it again).
async fn read_parts(request: Request) -> Result<(Bytes, Vec<SubmittedFile>), Failure> {
    let bad = |m: String| Failure(StatusCode::BAD_REQUEST, m);
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|e| bad(format!("Send the form as multipart/form-data with an xml_submission_file part ({e}).")))?;
    let mut xml = None;
    let mut files = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(Failure(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("Larger than {} MB; send it in parts.", MAX_POST_BYTES / 1024 / 1024),
                ))
            }
            Err(e) => return Err(bad(format!("The upload was cut off or is not valid multipart ({e}); send it again."))),
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let content_type = field.content_type().unwrap_or("application/octet-stream").to_string();
        let bytes = field.bytes().await.map_err(|e| bad(format!("The upload was cut off ({e}); send it again.")))?;
        if name == "xml_submission_file" {
            if xml.replace(bytes).is_some() {
                return Err(bad("More than one xml_submission_file part.".into()));
            }
        } else {
            let file_name = file_name.unwrap_or(name);
            if file_name.is_empty() || file_name.len() > 200 || file_name.contains(['/', '\\']) || file_name.starts_with('.') {
                return Err(bad("A file part has no usable file name.".into()));
            }
            files.push(SubmittedFile { name: file_name, content_type, bytes: bytes.to_vec() });
        }
    }
    let xml = xml.ok_or_else(|| bad("No xml_submission_file part.".into()))?;
    Ok((xml, files))
}
