//! Test support for the format parsers: loads the documented example responses kept under
//! `tests/cases/explain/<format>_<n>/response.http`, runs parsers on them, checks that each example is
//! recognised by its own parser and by no other, and that no parser panics on arbitrary input.

use super::{Body, Finding, Parser};
use crate::json::Value;
use proptest::prelude::*;
use std::path::PathBuf;

/// Every parser of the extended families, by the `format` name it reports; fixture folders start with it.
pub(crate) const TAIL: &[(&str, Parser)] = &[
    ("jsonrpc", super::jsonrpc::parse),
    ("soap", super::soap::parse),
    ("elasticsearch", super::elasticsearch::parse),
    ("salesforce", super::salesforce::parse),
    ("meta_graph", super::meta_graph::parse),
    ("paypal", super::paypal::parse),
    ("shopify", super::shopify::parse),
    ("sendgrid", super::sendgrid::parse),
    ("mailchimp", super::mailchimp::parse),
    ("gitlab", super::gitlab::parse),
    ("atlassian", super::atlassian::parse),
    ("envoy", super::envoy::parse),
    ("squid", super::squid::parse),
    ("fastapi", super::fastapi::parse),
    ("werkzeug", super::werkzeug::parse),
    ("drf", super::drf::parse),
    ("grpc_gateway", super::grpc_gateway::parse),
    ("jsonapi", super::jsonapi::parse),
    ("kubernetes", super::kubernetes::parse),
    ("oci_registry", super::oci_registry::parse),
    ("openai", super::openai::parse),
    ("anthropic", super::anthropic::parse),
    ("twilio", super::twilio::parse),
    ("spring_boot", super::spring_boot::parse),
    ("django_html", super::django_html::parse),
    ("rails", super::rails::parse),
    ("express", super::express::parse),
    ("sse", super::sse::parse),
];

/// Formats owned elsewhere whose fixtures the extended parsers must leave alone.
const OTHER_FORMATS: &[&str] = &[
    "problem_json",
    "google",
    "stripe",
    "github",
    "aws",
    "azure",
    "oauth",
    "bearer",
    "slack",
    "graphql",
    "html",
    "plain",
    "plain_text",
    "empty",
];

/// One response split into its parts.
pub(crate) struct Parts {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/explain")
}

/// Splits a raw response as curl -si prints it (LF or CRLF).
pub(crate) fn split(raw: &str) -> Parts {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Parts {
        status,
        headers,
        body: body.to_string(),
    }
}

/// The documented example response kept in fixture folder `name`.
pub(crate) fn load(name: &str) -> Parts {
    let path = cases_dir().join(name).join("response.http");
    let raw = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    split(&raw)
}

/// Runs `parser` on already split parts.
pub(crate) fn run_parts(parser: Parser, p: &Parts) -> Option<Finding> {
    let json: Option<Value> = crate::json::parse(&p.body).ok();
    parser(&Body::new(p.status, &p.headers, &p.body, json.as_ref()))
}

/// Runs `parser` on fixture `name`.
pub(crate) fn run(parser: Parser, name: &str) -> Option<Finding> {
    run_parts(parser, &load(name))
}

/// Runs `parser` on a body with the given status and no headers.
pub(crate) fn run_body(parser: Parser, status: u16, body: &str) -> Option<Finding> {
    run_parts(
        parser,
        &Parts {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        },
    )
}

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cases_dir())
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().join("response.http").is_file())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn family_of(name: &str) -> &str {
    name.rsplit_once('_').map_or(name, |(f, _)| f)
}

#[test]
fn every_family_has_at_least_three_documented_examples() {
    let names = fixture_names();
    for (format, _) in TAIL {
        let n = names.iter().filter(|n| family_of(n) == *format).count();
        assert!(n >= 3, "{format}: {n} fixture(s), want at least 3");
    }
}

#[test]
fn each_example_is_recognised_by_its_own_parser_and_no_other() {
    let mut checked = 0;
    for name in fixture_names() {
        let family = family_of(&name);
        let mine = TAIL.iter().any(|(f, _)| *f == family);
        let other = OTHER_FORMATS.iter().any(|f| name.starts_with(f));
        if !mine && !other {
            continue;
        }
        let parts = load(&name);
        for (format, parser) in TAIL {
            let got = run_parts(*parser, &parts);
            if *format == family {
                let f =
                    got.unwrap_or_else(|| panic!("{format} did not recognise its example {name}"));
                assert_eq!(f.format, *format, "{name}");
                assert!(
                    f.confidence > 0.0 && f.confidence <= 1.0,
                    "{name}: confidence {}",
                    f.confidence
                );
                assert!(
                    f.message.is_some() || f.vendor_code.is_some(),
                    "{name}: nothing extracted"
                );
            } else {
                assert!(got.is_none(), "{format} wrongly claimed {name}: {got:?}");
            }
        }
        checked += 1;
    }
    assert!(checked >= 3 * TAIL.len(), "only {checked} fixtures checked");
}

/// Arbitrary JSON, biased towards the member names error bodies use so the parsers' inner paths run.
fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let key = prop_oneof![
        Just("error".to_string()),
        Just("errors".to_string()),
        Just("code".to_string()),
        Just("message".to_string()),
        Just("type".to_string()),
        Just("status".to_string()),
        Just("detail".to_string()),
        Just("reason".to_string()),
        Just("kind".to_string()),
        Just("jsonrpc".to_string()),
        Just("loc".to_string()),
        Just("details".to_string()),
        Just("source".to_string()),
        Just("root_cause".to_string()),
        Just("name".to_string()),
        Just("debug_id".to_string()),
        Just("more_info".to_string()),
        Just("timestamp".to_string()),
        Just("path".to_string()),
        Just("param".to_string()),
        Just("errorMessages".to_string()),
        Just("errorCode".to_string()),
        Just("fbtrace_id".to_string()),
        Just("field".to_string()),
        "[a-z_]{1,8}",
    ];
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        prop_oneof![
            Just("2.0".to_string()),
            Just("Status".to_string()),
            Just("error".to_string()),
            ".{0,40}"
        ]
        .prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(6, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn arb_headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        Just("server".to_string()),
        Just("content-type".to_string()),
        Just("x-squid-error".to_string()),
        Just("x-envoy-upstream-service-time".to_string()),
        Just("x-shopify-stage".to_string()),
        Just("docker-distribution-api-version".to_string()),
        "[a-z-]{1,12}",
    ];
    prop::collection::vec((name, ".{0,30}"), 0..4)
}

/// Declares, for each parser, a property that it never panics on arbitrary text and arbitrary JSON.
macro_rules! never_panics {
    ($($test:ident => $parser:path),* $(,)?) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(192))]
            $(
                #[test]
                fn $test(text in ".{0,300}", value in arb_json(), headers in arb_headers(), status in 0u16..700) {
                    let json: Option<Value> = crate::json::parse(&text).ok();
                    let _ = $parser(&Body::new(status, &headers, &text, json.as_ref()));
                    let rendered = value.to_string();
                    let tree = crate::json::parse(&rendered).ok();
                    let _ = $parser(&Body::new(status, &headers, &rendered, tree.as_ref()));
                    let sse = format!("event: error\ndata: {rendered}\n\n");
                    let _ = $parser(&Body::new(status, &headers, &sse, None));
                }
            )*
        }
    };
}

never_panics! {
    jsonrpc_never_panics => super::jsonrpc::parse,
    soap_never_panics => super::soap::parse,
    elasticsearch_never_panics => super::elasticsearch::parse,
    salesforce_never_panics => super::salesforce::parse,
    meta_graph_never_panics => super::meta_graph::parse,
    paypal_never_panics => super::paypal::parse,
    shopify_never_panics => super::shopify::parse,
    sendgrid_never_panics => super::sendgrid::parse,
    mailchimp_never_panics => super::mailchimp::parse,
    gitlab_never_panics => super::gitlab::parse,
    atlassian_never_panics => super::atlassian::parse,
    envoy_never_panics => super::envoy::parse,
    squid_never_panics => super::squid::parse,
    fastapi_never_panics => super::fastapi::parse,
    werkzeug_never_panics => super::werkzeug::parse,
    drf_never_panics => super::drf::parse,
    grpc_gateway_never_panics => super::grpc_gateway::parse,
    jsonapi_never_panics => super::jsonapi::parse,
    kubernetes_never_panics => super::kubernetes::parse,
    oci_registry_never_panics => super::oci_registry::parse,
    openai_never_panics => super::openai::parse,
    anthropic_never_panics => super::anthropic::parse,
    twilio_never_panics => super::twilio::parse,
    spring_boot_never_panics => super::spring_boot::parse,
    django_html_never_panics => super::django_html::parse,
    rails_never_panics => super::rails::parse,
    express_never_panics => super::express::parse,
    sse_never_panics => super::sse::parse,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Hostile XML/HTML shapes for the text-scanning parsers.
    #[test]
    fn markup_parsers_never_panic(text in "(<[/a-zA-Z:!?]{0,12}( [a-z]+=\"[^\"]{0,8}\")?/?>|[^<]{0,10}){0,40}") {
        let headers: Vec<(String, String)> = Vec::new();
        for (_, parser) in TAIL {
            let _ = parser(&Body::new(500, &headers, &text, None));
        }
    }
}
