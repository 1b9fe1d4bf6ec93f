//! In a real log the same error comes back with a new request id on every line. Batch output must be
//! exactly what explaining each line on its own gives, for every response in `tests/cases/explain/` with
//! request-id headers of many kinds added: plain ids of several issuers, ids with spaces, quotes or
//! non-ASCII, several id headers in one response, mixed-case names, and ids the body repeats.

use apiprobe_catalog::Catalog;
use apiprobe_explain::batch::{explain_line, run, Options};
use std::path::PathBuf;

const IDS: &[&str] = &[
    "req_Ab12Cd34Ef56",
    "req_Zz99",
    "769FA399E1BFFF1A",
    "0f8fad5b-d9cb-469f-a165-70867728950e",
    "abc-1",
    "x",
    "req_",
    "has space",
    "quo\"te",
    "\u{e9}t\u{e9}-1",
    " req_padded ",
    "8b3f2a1c9d7e6f50-CDG",
];

const NAMES: &[&[&str]] = &[
    &["request-id"],
    &["x-request-id"],
    &["X-GitHub-Request-Id"],
    &["x-amzn-requestid", "x-amz-id-2"],
    &["cf-ray", "x-request-id"],
];

fn responses() -> Vec<(String, apiprobe_explain::HttpResponse)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/explain");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/cases/explain")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .filter_map(|d| {
            let raw = std::fs::read(d.join("response.http")).ok()?;
            let resp = apiprobe_explain::parse_raw(&raw).ok()?;
            Some((d.file_name()?.to_string_lossy().into_owned(), resp))
        })
        .collect()
}

fn line(resp: &apiprobe_explain::HttpResponse, names: &[&str], ids: &[&str]) -> String {
    let mut headers = serde_json::Map::new();
    for (n, v) in &resp.headers {
        headers.insert(n.clone(), v.clone().into());
    }
    for (n, id) in names.iter().zip(ids) {
        headers.insert((*n).to_string(), (*id).into());
    }
    serde_json::json!({
        "status": resp.status,
        "headers": headers,
        "body": String::from_utf8_lossy(&resp.body),
    })
    .to_string()
}

#[test]
fn lines_differing_in_ids_read_as_if_each_were_alone() {
    let catalog = Catalog::builtin();
    let cases = responses();
    assert!(cases.len() > 100, "fixtures found: {}", cases.len());
    let mut input = String::new();
    let mut names = Vec::new();
    for (name, resp) in &cases {
        for (i, header_names) in NAMES.iter().enumerate() {
            // Every id for every header set, in an order that mixes hits and misses.
            for k in 0..IDS.len() {
                let ids: Vec<&str> = (0..header_names.len())
                    .map(|j| IDS[(k + i + j * 5) % IDS.len()])
                    .collect();
                input.push_str(&line(resp, header_names, &ids));
                input.push('\n');
                names.push(name.as_str());
            }
        }
    }
    for workers in [1, 2] {
        let mut out = Vec::new();
        run(catalog, input.as_bytes(), &mut out, &Options { workers }).expect("batch");
        let out = String::from_utf8(out).expect("utf-8");
        let got: Vec<&str> = out.lines().collect();
        let sent: Vec<&str> = input.lines().collect();
        assert_eq!(got.len(), sent.len());
        for ((got, sent), case) in got.iter().zip(&sent).zip(&names) {
            let alone = explain_line(catalog, sent.as_bytes()).expect("explains");
            let alone = serde_json::to_string(&alone).expect("json");
            assert_eq!(*got, alone, "{case}: {sent}");
        }
    }
}

/// Ids for the body-copy test: plain ones of the shapes AWS sends, one with an issuer prefix, and some
/// that must not take the shortcut (a word the explainer knows, a dot, a space).
const BODY_IDS: &[&str] = &[
    "5F380B5B8B0ED975",
    "0F3B5F066DE28A01",
    "769FA399E1BFFF1A",
    "req-Ab12Cd34",
    "a_b-c",
    "AccessDenied",
    "NoSuchKey",
    "Throttling",
    "x.y",
    "has space",
];

/// Bodies that repeat the header's id (`@ID@`) once, twice, in their own element or in a message.
const BODY_SHAPES: &[&str] = &[
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>@ID@</RequestId><HostId>9Cge7FdLQbKqwK0x1ayxSv0nGEs=</HostId></Error>",
    "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>@ID@</RequestId></Error>",
    "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>@ID@</RequestId></ErrorResponse>",
    "<Error><Code>AccessDenied</Code><Message>Denied for @ID@</Message><RequestId>@ID@</RequestId></Error>",
    "<Error><Code>InvalidArgument</Code><Message><RequestId>@ID@</RequestId></Message></Error>",
    "<Error><Code>NoSuchKey</Code><Message>The key \u{1} is missing</Message><RequestId>@ID@</RequestId></Error>",
    "<html><body><h1>403 Forbidden</h1><RequestId>@ID@</RequestId></body></html>",
    "{\"__type\":\"AccessDeniedException\",\"message\":\"<RequestId>@ID@</RequestId>\"}",
    "<RequestId>@ID@</RequestId>",
    "{\"__type\":\"com.amazon.coral#SomethingNew\",\"message\":\"<RequestId>@ID@</RequestId>\"}",
];

#[test]
fn ids_the_body_repeats_read_as_if_each_line_were_alone() {
    let catalog = Catalog::builtin();
    let mut input = String::new();
    for (s, shape) in BODY_SHAPES.iter().enumerate() {
        for status in [403, 503] {
            // Each id twice and in turns, so that kept shapes are hit by other ids.
            for round in 0..2 {
                for k in 0..BODY_IDS.len() {
                    let id = BODY_IDS[(k + round + s) % BODY_IDS.len()];
                    // Members in the order logs write them (serde_json's map would sort them).
                    let headers = serde_json::json!({"content-type": "application/xml", "x-amz-request-id": id, "server": "AmazonS3"});
                    let body = serde_json::Value::from(shape.replace("@ID@", id));
                    input.push_str(&format!(
                        "{{\"status\":{status},\"headers\":{headers},\"body\":{body}}}"
                    ));
                    input.push('\n');
                }
            }
        }
    }
    for workers in [1, 2] {
        let mut out = Vec::new();
        run(catalog, input.as_bytes(), &mut out, &Options { workers }).expect("batch");
        let out = String::from_utf8(out).expect("utf-8");
        let sent: Vec<&str> = input.lines().collect();
        assert_eq!(out.lines().count(), sent.len());
        for (got, sent) in out.lines().zip(&sent) {
            let alone = explain_line(catalog, sent.as_bytes()).expect("explains");
            assert_eq!(got, serde_json::to_string(&alone).expect("json"), "{sent}");
        }
    }
}
