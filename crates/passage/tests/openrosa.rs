//! Passage as an OpenRosa server, black-box: the requests ODK Collect makes
//! (form list, form and media download, `HEAD` then multipart `POST` of
//! submissions) replayed against a real server on SQLite and PostgreSQL —
//! with resends, an upload cut off half-way, wrong credentials, malformed
//! XML, and a form that fails validation going to quarantine and out again.
//! A second test checks that the committed XForms are what pyxform makes
//! of the XLSForms, validated by ODK Validate (JavaRosa).

mod common;
use common::*;
use md5::{Digest, Md5};
use serde_json::{json, Value};

fn sample(name: &str) -> String {
    let p = format!("{}/tests/data/openrosa/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn md5_of(bytes: &[u8]) -> String {
    format!("md5:{}", Md5::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>())
}

const BOUNDARY: &str = "----passage-test-7f3a";

/// A multipart body as Collect builds it: the XML part, then files.
fn multipart(xml: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; filename=\"submission.xml\"\r\nContent-Type: text/xml\r\n\r\n{xml}\r\n"
        )
        .as_bytes(),
    );
    for (name, bytes) in files {
        b.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        b.extend_from_slice(bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

async fn post_submission(url: &str, auth: Option<&str>, body: Vec<u8>) -> (u16, String) {
    let mut req = client()
        .post(url)
        .header("X-OpenRosa-Version", "1.0")
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    assert_eq!(r.headers().get("x-openrosa-version").map(|v| v.to_str().unwrap()), Some("1.0"), "every answer names the protocol");
    (status, r.text().await.unwrap())
}

async fn device_token(s: &Server, user: &str, role: &str, offices: &[&str]) -> String {
    let session = token(s, user).await;
    let r = api_post(s, &session, "/tokens", json!({"name": "phone", "role": role, "offices": offices, "days": 30})).await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string()
}

/// Persons whose name matches, as the caseworker's search finds them.
async fn found(s: &Server, tok: &str, q: &str) -> usize {
    let v: Value = api_get(s, tok, &format!("/persons?q={q}")).await.json().await.unwrap();
    let hits = v["hits"].as_array().unwrap_or_else(|| panic!("search answer: {v}"));
    hits.iter().filter(|h| h["display_name"].as_str().unwrap_or("").contains(q)).count()
}

async fn devices_speak_openrosa(backend: Backend) {
    let s = server(backend, "openrosa", 20).await;
    let pat = device_token(&s, "agadez", "caseworker", &["NER-AGZ"]).await;
    let auth = basic("agadez", &pat);
    let session = token(&s, "agadez").await;

    // Without credentials: 401 with a Basic challenge, as Collect expects before it asks the user.
    let r = client().get(format!("{}/formList", s.url)).header("X-OpenRosa-Version", "1.0").send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"].to_str().unwrap().starts_with("Basic realm="));
    // Wrong credentials: a wrong token, someone else's name on the token, the account password.
    for a in [basic("agadez", "pst_not-a-token"), basic("niamey", &pat), basic("agadez", PASSWORD), format!("Bearer {session}")] {
        let r = client().get(format!("{}/formList", s.url)).header("authorization", a.as_str()).send().await.unwrap();
        assert_eq!(r.status(), 401, "{a}");
    }
    // A browser session's cookie is not a device's credential (no cross-site posts).
    let r = client()
        .post(format!("{}/submission", s.url))
        .header("cookie", format!("passage_session={session}"))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(multipart(&sample("passage_campaign_event.xml"), &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // The form list: the caseworker's forms, each with a hash that matches what downloads.
    let r = client().get(format!("{}/formList", s.url)).header("authorization", auth.as_str()).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/xml"));
    let list = r.text().await.unwrap();
    assert!(list.contains("xmlns=\"http://openrosa.org/xforms/xformsList\""), "{list}");
    for id in ["passage_registration", "passage_assistance", "passage_campaign_event"] {
        assert!(list.contains(&format!("<formID>{id}</formID>")), "{id} in {list}");
    }
    assert!(!list.contains("passage_monitoring_visit"), "a caseworker does not do monitoring visits: {list}");
    let hash = |id: &str| {
        let at = list.find(&format!("<formID>{id}</formID>")).unwrap();
        let h = &list[at..];
        h[h.find("<hash>").unwrap() + 6..h.find("</hash>").unwrap()].to_string()
    };
    let url_in = |text: &str, tag: &str, from: usize| {
        let t = &text[from..];
        t[t.find(&format!("<{tag}>")).unwrap() + tag.len() + 2..t.find(&format!("</{tag}>")).unwrap()].to_string()
    };
    let reg_at = list.find("<formID>passage_registration</formID>").unwrap();
    let download = url_in(&list, "downloadUrl", reg_at);
    assert!(download.starts_with(&s.url), "{download}");
    let xform = client().get(&download).header("authorization", auth.as_str()).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(md5_of(&xform), hash("passage_registration"), "the listed hash is the form's");
    let committed = std::fs::read(format!("{}/../../forms/xforms/passage_registration.xml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    assert_eq!(xform.to_vec(), committed);
    // Its media: the offices this user may register in, as offices.csv.
    let manifest = client()
        .get(url_in(&list, "manifestUrl", reg_at))
        .header("authorization", auth.as_str())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(manifest.contains("<filename>offices.csv</filename>"), "{manifest}");
    let csv = client()
        .get(url_in(&manifest, "downloadUrl", 0))
        .header("authorization", auth.as_str())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(md5_of(&csv), url_in(&manifest, "hash", 0));
    let csv = String::from_utf8(csv.to_vec()).unwrap();
    assert!(
        csv.starts_with("name,label") && csv.contains("NER-AGZ,") && !csv.contains("NER-ARL"),
        "the token is narrowed to Agadez: {csv}"
    );
    // Someone else's form is not there to download.
    let r = client()
        .get(format!("{}/forms/passage_monitoring_visit/form.xml", s.url))
        .header("authorization", auth.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // HEAD first, as Collect does: 204 and the size it may post.
    let r = client().head(format!("{}/submission", s.url)).header("authorization", auth.as_str()).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["x-openrosa-accept-content-length"], "10485760");

    // A registration with screening and consent: applied, in one go.
    // (Not restricted, so that the search below finds it: restricted persons are another test's subject.)
    let reg = sample("passage_registration.xml")
        .replace("<office>AGZ</office>", "<office>NER-AGZ</office>")
        .replace("Mamadou", "Zebulon")
        .replace(">trafficking_victim_assistance<", ">transit_protection<")
        .replace("victim_of_trafficking unaccompanied_child", "serious_medical_condition")
        .replace("<exploitation>labour forced_begging</exploitation>", "<exploitation/>");
    let url = format!("{}/submission", s.url);
    assert_eq!(found(&s, &session, "Zebulon").await, 0);
    let (status, body) = post_submission(&url, Some(&auth), multipart(&reg, &[("photo.jpg", b"\xff\xd8\xff fake jpeg")])).await;
    assert_eq!(status, 201, "{body}");
    assert!(body.contains("<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\">"), "{body}");
    assert_eq!(found(&s, &session, "Zebulon").await, 1);
    // The phone resends after a dropped connection: nothing twice.
    let (status, body) = post_submission(&url, Some(&auth), multipart(&reg, &[("photo.jpg", b"\xff\xd8\xff fake jpeg")])).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(found(&s, &session, "Zebulon").await, 1);
    // Other content under the same instance id is refused, not merged.
    let (status, _) = post_submission(&url, Some(&auth), multipart(&reg.replace("Zebulon", "Zacharie"), &[])).await;
    assert_eq!(status, 409);
    assert_eq!(found(&s, &session, "Zacharie").await, 0);

    // An upload cut off half-way stores nothing; the full resend is saved once.
    let second =
        reg.replace("Zebulon", "Yannick").replace("uuid:6f1c2a4e-8d3b-4c57-9a1e-2b7d0c9e4f01", "uuid:6f1c2a4e-8d3b-4c57-9a1e-2b7d0c9e4f02");
    let full = multipart(&second, &[]);
    let (status, body) = post_submission(&url, Some(&auth), full[..full.len() * 2 / 3].to_vec()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(found(&s, &session, "Yannick").await, 0);
    let (status, _) = post_submission(&url, Some(&auth), full).await;
    assert_eq!(status, 201);
    assert_eq!(found(&s, &session, "Yannick").await, 1);

    // Malformed XML, an unknown form, no XML part: refused whole (the phone keeps them).
    let (status, body) = post_submission(&url, Some(&auth), multipart(&sample("malformed.xml"), &[])).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("not well-formed"), "{body}");
    let unknown = "<other id=\"other\"><meta><instanceID>uuid:00000000-0000-0000-0000-000000000009</instanceID></meta></other>";
    let (status, body) = post_submission(&url, Some(&auth), multipart(unknown, &[])).await;
    assert_eq!(status, 400, "{body}");
    let r = client()
        .post(&url)
        .header("authorization", auth.as_str())
        .header("content-type", "text/xml")
        .body(reg.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let list: Value = api_get(&s, &session, "/submissions").await.json().await.unwrap();
    assert_eq!(list["submissions"].as_array().unwrap().len(), 0, "nothing refused was kept: {list}");

    // A form that fails validation: kept in quarantine with its problems, nothing applied.
    let invalid = sample("passage_registration-invalid.xml").replace("<office>AGZ</office>", "<office>NER-AGZ</office>");
    let (status, body) = post_submission(&url, Some(&auth), multipart(&invalid, &[])).await;
    assert_eq!(status, 202, "{body}");
    assert!(body.contains("person/sex"), "{body}");
    let list: Value = api_get(&s, &session, "/submissions").await.json().await.unwrap();
    let q = &list["submissions"][0];
    let id = q["id"].as_str().unwrap().to_string();
    let fields: Vec<&str> = q["problems"].as_array().unwrap().iter().map(|p| p["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"person/sex") && fields.contains(&"person/birth_date"), "{q}");
    // Another office's caseworker does not see it; the quarantine page does not name it to them either.
    let niamey = token(&s, "niamey").await;
    let other: Value = api_get(&s, &niamey, "/submissions").await.json().await.unwrap();
    assert_eq!(other["submissions"].as_array().unwrap().len(), 0);
    assert_eq!(api_get(&s, &niamey, &format!("/submissions/{id}")).await.status(), 404);
    // It would be a restricted case (trafficking, a child): Agadez's protection officer sees it.
    let protection = token(&s, "protection").await;
    let theirs: Value = api_get(&s, &protection, "/submissions").await.json().await.unwrap();
    assert_eq!(theirs["submissions"].as_array().unwrap().len(), 1, "{theirs}");
    assert_eq!(theirs["submissions"][0]["restricted"], true);
    // A resend of the quarantined form is recognised too.
    let (status, _) = post_submission(&url, Some(&auth), multipart(&invalid, &[])).await;
    assert_eq!(status, 202);
    assert_eq!(api_get(&s, &session, "/submissions").await.json::<Value>().await.unwrap()["submissions"].as_array().unwrap().len(), 1);
    // Still wrong after a correction: stays, with the remaining problem.
    let r = api_post(&s, &session, &format!("/submissions/{id}/retry"), json!({"values": {"person/sex": "female"}})).await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["problems"].as_array().unwrap().len(), 1, "{v}");
    // Corrected: applied, and out of the quarantine.
    let r = api_post(&s, &session, &format!("/submissions/{id}/retry"), json!({"values": {"person/birth_date": "2001-02-03"}})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(api_get(&s, &session, "/submissions").await.json::<Value>().await.unwrap()["submissions"].as_array().unwrap().len(), 0);
    let one: Value = api_get(&s, &session, &format!("/submissions/{id}")).await.json().await.unwrap();
    assert_eq!(one["submission"]["status"], "applied");
    assert!(one["values"].is_null(), "the payload is wiped once applied: {one}");

    // Assistance to the case just made, by its reference, and a campaign event.
    let cases: Value = api_get(&s, &session, "/persons?q=Zebulon").await.json().await.unwrap();
    let person =
        cases["hits"].as_array().unwrap().iter().find(|h| h["display_name"].as_str().unwrap().contains("Zebulon")).unwrap().clone();
    let file: Value = api_get(&s, &session, &format!("/persons/{}", person["person_id"].as_str().unwrap())).await.json().await.unwrap();
    let reference = file["cases"][0]["reference"].as_str().unwrap().to_string();
    assert!(!file["screenings"].as_array().unwrap().is_empty() && file["consents"].as_array().unwrap().len() == 2, "{file}");
    let assistance = sample("passage_assistance.xml");
    let start = assistance.find("<case_reference>").unwrap() + 16;
    let end = assistance.find("</case_reference>").unwrap();
    let assistance = format!("{}{reference}{}", &assistance[..start], &assistance[end..]);
    let (status, body) = post_submission(&url, Some(&auth), multipart(&assistance, &[])).await;
    assert_eq!(status, 201, "{body}");
    let campaign = sample("passage_campaign_event.xml").replace("<office>AGZ</office>", "<office>NER-AGZ</office>");
    // Through the address with the token in it, as ODK Central's app users do.
    let (status, body) = post_submission(&format!("{}/key/{pat}/submission", s.url), None, multipart(&campaign, &[])).await;
    assert_eq!(status, 201, "{body}");
    let list = client().get(format!("{}/key/{pat}/formList", s.url)).send().await.unwrap().text().await.unwrap();
    assert!(list.contains(&format!("{}/key/{pat}/forms/passage_campaign_event/form.xml", s.url)), "{list}");

    // A flow count from the field: the points come as flow_points.csv; a country off the list is typed as
    // its code; the same count sent again (a second instance, the same observation) replaces, never adds.
    assert!(list.contains("passage_flow_count"), "{list}");
    let list =
        client().get(format!("{}/formList", s.url)).header("authorization", auth.as_str()).send().await.unwrap().text().await.unwrap();
    let flow_at = list.find("<formID>passage_flow_count</formID>").expect("the flow-count form is offered");
    let manifest = client()
        .get(url_in(&list, "manifestUrl", flow_at))
        .header("authorization", auth.as_str())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(manifest.contains("<filename>flow_points.csv</filename>"), "{manifest}");
    let points = client()
        .get(url_in(&manifest, "downloadUrl", 0))
        .header("authorization", auth.as_str())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(points.starts_with("name,label\n") && points.contains("AGZ-BUS,Agadez bus station (AGZ-BUS)"), "{points}");
    let before: Value = api_get(&s, &session, "/flows/summary?by=point&from=2026-11-16&to=2026-11-22").await.json().await.unwrap();
    let agz = |v: &Value| {
        v["rows"].as_array().unwrap().iter().find(|r| r["key"] == "AGZ-BUS").map(|r| r["persons"].as_i64().unwrap()).unwrap_or(0)
    };
    let flow = sample("passage_flow_count.xml");
    let (status, body) = post_submission(&url, Some(&auth), multipart(&flow, &[])).await;
    assert_eq!(status, 201, "{body}");
    let after: Value = api_get(&s, &session, "/flows/summary?by=point&from=2026-11-16&to=2026-11-22").await.json().await.unwrap();
    assert_eq!(agz(&after), agz(&before) + 64, "{after}");
    let again =
        flow.replace("uuid:4f1e", "uuid:5f1e").replace("<total>64</total>", "<total>70</total>").replace("<men>50</men>", "<men>56</men>");
    let (status, body) = post_submission(&url, Some(&auth), multipart(&again, &[])).await;
    assert_eq!(status, 201, "{body}");
    let replaced: Value = api_get(&s, &session, "/flows/summary?by=point&from=2026-11-16&to=2026-11-22").await.json().await.unwrap();
    assert_eq!(agz(&replaced), agz(&before) + 70, "the second count replaced the first: {replaced}");
    // A breakdown above its total goes to the quarantine, with the field named.
    let wrong = flow
        .replace("uuid:4f1e", "uuid:6f1e")
        .replace("<direction>outgoing</direction>", "<direction>incoming</direction>")
        .replace("<men>50</men>", "<men>80</men>");
    let (status, _) = post_submission(&url, Some(&auth), multipart(&wrong, &[])).await;
    assert_eq!(status, 202, "quarantined");

    // Rejecting: with a reason, and the payload goes.
    let third = invalid.replace("uuid:", "uuid:9");
    let (status, _) = post_submission(&url, Some(&auth), multipart(&third, &[])).await;
    assert_eq!(status, 202);
    let list: Value = api_get(&s, &session, "/submissions").await.json().await.unwrap();
    let id = list["submissions"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(api_post(&s, &session, &format!("/submissions/{id}/reject"), json!({"reason": ""})).await.status(), 422);
    assert_eq!(
        api_post(&s, &session, &format!("/submissions/{id}/reject"), json!({"reason": "duplicate of a paper form"})).await.status(),
        204
    );
    let one: Value = api_get(&s, &session, &format!("/submissions/{id}")).await.json().await.unwrap();
    assert_eq!(one["submission"]["status"], "rejected");
    assert!(one["values"].is_null());

    // The reintegration officer is offered the monitoring visit form.
    let reint = device_token(&s, "reintegration", "reintegration_officer", &["GIN-CKY"]).await;
    let list = client()
        .get(format!("{}/formList", s.url))
        .header("authorization", basic("reintegration", &reint))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("<formID>passage_monitoring_visit</formID>"), "{list}");
}

both_backends!(devices_speak_openrosa);

/// The XForms served are what pyxform makes of the XLSForms in `forms/`,
/// and ODK Validate (JavaRosa, the engine inside Collect) accepts them.
#[test]
fn the_served_xforms_are_the_xlsforms_validated() {
    let venv = std::env::var("PASSAGE_TEST_VENV").expect("PASSAGE_TEST_VENV is unset: run the tests with ./scripts/test");
    let root = format!("{}/../..", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(format!("{root}/scripts/forms"))
        .arg("check")
        .env("PASSAGE_TEST_VENV", venv)
        .output()
        .expect("run scripts/forms");
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}
