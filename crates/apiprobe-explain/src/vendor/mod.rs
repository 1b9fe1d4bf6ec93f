//! One parser per error-body family. Each looks at a response and, when it recognises its format, returns a
//! [`Finding`]: the API's own code and message, what they name, and the probe code they map to.
//!
//! Adding a family: write `src/vendor/<family>.rs` with `pub(crate) fn parse(b: &Body<'_>) -> Option<Finding>`,
//! declare it below, add one line to [`PARSERS`] (the one registry: the tests, the example folders
//! `tests/cases/explain/<family>_<n>/` and the never-panic properties all follow it), and put its code
//! table in `data/vendors/<vendor>.toml`; `build.rs` fails the build when a parser names a vendor with
//! no table. The pipeline (`crate::reading`) then:
//! 1. runs the parsers in [`PARSERS`] order; the first `Some` wins, so specific families come before
//!    generic shapes (a bare `{"error": "..."}` or an HTML page);
//! 2. maps `vendor_code` through the vendor's table (`[[map]]`, then `[[message]]` rules on `message`);
//! 3. falls back to the parser's own `maps_to`, then to keywords in the message, then to the status entry;
//! 4. adds header evidence, retry timing, the conflict sentence and next steps.
//!
//! A parser never panics and never recurses on input: bodies can be hostile.

mod access;
mod anthropic;
mod atlassian;
#[cfg(test)]
mod cases;
mod django_html;
mod drf;
mod elasticsearch;
mod envoy;
mod express;
mod fastapi;
mod gitlab;
mod grpc_gateway;
mod jsonapi;
mod jsonrpc;
mod kubernetes;
mod mailchimp;
mod maps_status;
mod meta_graph;
mod oci_registry;
mod okta;
mod openai;
mod paypal;
mod rails;
mod salesforce;
mod sendgrid;
mod shopify;
mod soap;
mod spring_boot;
mod squid;
mod sse;
mod success_flag;
mod twilio;
mod twitter;
mod werkzeug;

mod aws;
mod azure;
mod bearer;
mod empty;
mod github;
mod google;
mod graphql;
mod html;
mod oauth;
mod plain;
mod problem_json;
mod slack;
mod stripe;

use crate::json::Value;
pub(crate) use bearer::challenge_finding;

/// What a format parser sees: the status, headers and body of one response, plus a few facts about them
/// worked out once, so that the parsers tried in turn can turn down a body that is not theirs cheaply.
pub(crate) struct Body<'a> {
    /// The HTTP status (200 for errors carried inside a success).
    pub status: u16,
    /// Header names (lower-cased) and values.
    pub headers: &'a [(String, String)],
    /// The body as text (lossy UTF-8; capped, see `crate::reading::MAX_BODY`).
    pub text: &'a str,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<&'a Value<'a>>,
    /// `text` without its leading whitespace.
    pub head: &'a str,
    /// The media type of `Content-Type` without parameters, trimmed, in the case it was sent.
    media: Option<&'a str>,
}

impl<'a> Body<'a> {
    /// A body and the facts the parsers share.
    pub fn new(
        status: u16,
        headers: &'a [(String, String)],
        text: &'a str,
        json: Option<&'a Value<'a>>,
    ) -> Self {
        let media = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.split(';').next().unwrap_or("").trim());
        Body {
            status,
            headers,
            text,
            json,
            head: text.trim_start(),
            media,
        }
    }

    /// The first value of a header, by name, ignoring ASCII case.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the media type of `Content-Type` (parameters aside) is `media`, given in lower case.
    pub fn media_is(&self, media: &str) -> bool {
        self.media.is_some_and(|m| m.eq_ignore_ascii_case(media))
    }
}

/// What a format parser recognised.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Finding {
    /// The parser's name, reported as `format` (`problem_json`, `stripe`, `aws_xml`, ...).
    pub format: &'static str,
    /// The API family whose codes `vendor_code` belongs to; also the key into `data/vendors/*.toml`.
    pub vendor: Option<&'static str>,
    /// The API's own error code.
    pub vendor_code: Option<String>,
    /// A finer code under `vendor_code` (Google `ErrorInfo.reason`, Stripe `decline_code`); looked up in the
    /// vendor table before `vendor_code`.
    pub reason: Option<String>,
    /// The API's human-readable message.
    pub message: Option<String>,
    /// The request field the body names.
    pub field: Option<String>,
    /// The permission or scope the body names.
    pub permission: Option<String>,
    /// The resource the body names.
    pub resource: Option<String>,
    /// The probe code name (or code) the parser itself concluded, when the vendor table has nothing better.
    pub maps_to: Option<String>,
    /// Seconds to wait, when the body says so (Google `RetryInfo`, ...).
    pub retry_after_s: Option<f64>,
    /// Whether the body itself says a retry may work (overrides the catalog entry's default).
    pub retryable: Option<bool>,
    /// Facts that led here, one per item.
    pub evidence: Vec<String>,
    /// How specific the recognition is, 0 to 1.
    pub confidence: f64,
}

/// A parser: `None` when the body is not of its family.
pub(crate) type Parser = fn(&Body<'_>) -> Option<Finding>;

/// Every parser, most specific first; the first that recognises a body wins.
pub(crate) const PARSERS: &[(&str, Parser)] = &[
    // The common families first (most traffic, strict marks), then the long tail, then generic shapes.
    // Mailchimp's bodies are problem documents with a mailchimp.com type: the specific reading first.
    ("mailchimp", mailchimp::parse),
    ("problem_json", problem_json::parse),
    ("google", google::parse),
    // Stripe before OpenAI: OpenAI copied Stripe's envelope; Stripe's parser needs a Stripe-only mark.
    ("stripe", stripe::parse),
    ("aws", aws::parse),
    ("azure", azure::parse),
    ("slack", slack::parse),
    ("success_flag", success_flag::parse),
    ("maps_status", maps_status::parse),
    ("twitter", twitter::parse),
    ("graphql", graphql::parse),
    ("github", github::parse),
    ("jsonrpc", jsonrpc::parse),
    ("soap", soap::parse),
    ("kubernetes", kubernetes::parse),
    ("elasticsearch", elasticsearch::parse),
    ("meta_graph", meta_graph::parse),
    ("anthropic", anthropic::parse),
    ("openai", openai::parse),
    ("sse", sse::parse),
    ("twilio", twilio::parse),
    ("paypal", paypal::parse),
    ("salesforce", salesforce::parse),
    ("oci_registry", oci_registry::parse),
    ("okta", okta::parse),
    ("jsonapi", jsonapi::parse),
    ("sendgrid", sendgrid::parse),
    ("grpc_gateway", grpc_gateway::parse),
    ("spring_boot", spring_boot::parse),
    ("atlassian", atlassian::parse),
    ("shopify", shopify::parse),
    ("gitlab", gitlab::parse),
    ("fastapi", fastapi::parse),
    ("drf", drf::parse),
    ("rails", rails::parse),
    ("envoy", envoy::parse),
    ("squid", squid::parse),
    ("werkzeug", werkzeug::parse),
    ("django_html", django_html::parse),
    ("express", express::parse),
    ("oauth", oauth::parse),
    ("html", html::parse),
    ("plain", plain::parse),
    ("empty", empty::parse),
];

/// Every format name a report can carry in `format` from a parser, in [`PARSERS`] order, then the
/// challenge header's (`bearer`, read apart from the body). Example folders under
/// `tests/cases/explain/` are named `<format>_<n>`.
#[cfg(test)]
pub(crate) fn formats() -> impl Iterator<Item = &'static str> {
    PARSERS.iter().map(|(name, _)| *name).chain(["bearer"])
}

/// The generic shapes (an HTML page, plain text, no body, a challenge header): they mean something
/// only on an error status, and may read a body that a specific family reads too, so they come last.
pub(crate) fn is_shape(format: &str) -> bool {
    // A `matches!` on short literals compiles to integer compares, not a `memcmp` per name and parser.
    matches!(format, "html" | "plain" | "empty" | "bearer")
}

/// The pieces joined into one string of exactly their length: evidence lines are built for every response,
/// and `format!` costs its formatting machinery and a guess at the capacity.
pub(crate) fn cat<const N: usize>(parts: [&str; N]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// A number in decimal, for [`cat`].
pub(crate) fn decimal(n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits[i..].iter().map(|&d| char::from(d)).collect()
}

/// A string member of a JSON object.
pub(crate) fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A member as text when it is a non-empty string or a number (codes come as either).
pub(crate) fn code_text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(x) if !x.trim().is_empty() => Some(x.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A message worth keeping: trimmed, at most 500 characters, `None` when blank.
pub(crate) fn msg(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| crate::reading::clip(t, 500).into_owned())
}

/// The text after `prefix` up to the next `close` (`Permission 'x.y' denied` -> `x.y`).
pub(crate) fn between<'a>(text: &'a str, prefix: &str, close: char) -> Option<&'a str> {
    let start = access::find(text, prefix)? + prefix.len();
    let rest = &text[start..];
    let end = rest.find(close)?;
    let got = rest[..end].trim();
    (!got.is_empty()).then_some(got)
}

#[cfg(test)]
mod text {
    use super::*;

    #[test]
    fn decimal_writes_every_digit() {
        for n in [0, 7, 10, 429, 1_000_000, u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }

    #[test]
    fn cat_joins_in_order() {
        assert_eq!(cat(["a", "", "bc", "d"]), "abcd");
    }

    #[test]
    fn media_is_ignores_case_and_parameters() {
        let headers = vec![(
            "Content-Type".to_string(),
            " Application/Problem+JSON ; charset=utf-8".to_string(),
        )];
        let b = Body::new(400, &headers, "", None);
        assert!(b.media_is("application/problem+json"));
        assert!(!Body::new(400, &[], "", None).media_is("application/problem+json"));
    }
}

#[cfg(test)]
mod never_panic {
    //! Every parser, and the whole pipeline, on arbitrary text, arbitrary JSON shaped like error bodies,
    //! arbitrary headers and hostile markup: an answer or `None`, never a panic.
    use super::*;
    use proptest::prelude::*;

    /// Arbitrary JSON, biased towards the member names and values error bodies use, so the parsers'
    /// inner paths run.
    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        let key = prop::sample::select(
            &[
                "error",
                "errors",
                "code",
                "message",
                "status",
                "details",
                "@type",
                "reason",
                "ok",
                "type",
                "title",
                "detail",
                "invalid-params",
                "innererror",
                "innerError",
                "__type",
                "extensions",
                "path",
                "fieldViolations",
                "retryDelay",
                "error_description",
                "documentation_url",
                "odata.error",
                "data",
                "kind",
                "jsonrpc",
                "loc",
                "source",
                "root_cause",
                "name",
                "debug_id",
                "more_info",
                "timestamp",
                "param",
                "errorMessages",
                "errorCode",
                "fbtrace_id",
                "field",
            ][..],
        )
        .prop_map(str::to_string)
        .boxed()
        .prop_union("[a-z_]{1,8}".boxed());
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            prop_oneof![
                prop::sample::select(
                    &[
                        "type.googleapis.com/google.rpc.RetryInfo",
                        "type.googleapis.com/google.rpc.ErrorInfo",
                        "invalid_token",
                        "card_error",
                        "30s",
                        "https://docs.github.com/x",
                        "2.0",
                        "Status",
                        "error",
                    ][..]
                )
                .prop_map(str::to_string),
                ".{0,40}",
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
            prop::sample::select(
                &[
                    "content-type",
                    "www-authenticate",
                    "proxy-authenticate",
                    "server",
                    "x-amzn-errortype",
                    "x-ms-request-id",
                    "retry-after",
                    "x-ratelimit-remaining",
                    "x-ratelimit-reset",
                    "date",
                    "cf-ray",
                    "x-squid-error",
                    "x-envoy-upstream-service-time",
                    "x-shopify-stage",
                    "docker-distribution-api-version",
                ][..]
            )
            .prop_map(str::to_string),
            "[a-z-]{1,12}",
        ];
        let value = prop_oneof![
            prop::sample::select(
                &[
                    "application/problem+json",
                    "Bearer error=\"invalid_token\", scope=\"a b\"",
                    "0",
                    "Wed, 21 Oct 2015 07:28:00 GMT",
                    "nginx",
                ][..]
            )
            .prop_map(str::to_string),
            ".{0,40}",
        ];
        prop::collection::vec((name, value), 0..5)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn parsers_never_panic(text in "(?s).{0,300}", value in arb_json(), headers in arb_headers(), status in 0u16..1000) {
            let json: Option<Value> = crate::json::parse(&text).ok();
            let rendered = value.to_string();
            let tree = crate::json::parse(&rendered).ok();
            let sse = format!("event: error\ndata: {rendered}\n\n");
            for (_, parse) in PARSERS {
                let _ = parse(&Body::new(status, &headers, &text, json.as_ref()));
                let _ = parse(&Body::new(status, &headers, &rendered, tree.as_ref()));
                let _ = parse(&Body::new(status, &headers, &sse, None));
            }
            let _ = challenge_finding(&Body::new(status, &headers, &text, None));
        }

        #[test]
        fn the_pipeline_never_panics(body in prop::collection::vec(any::<u8>(), 0..400), value in arb_json(), headers in arb_headers(), status in 100u16..1000) {
            let catalog = apiprobe_catalog::Catalog::builtin();
            let r = crate::reading::explain_parts(catalog, status, &headers, &body, crate::reading::Steps::All);
            prop_assert!((0.0..=1.0).contains(&r.confidence));
            let r = crate::reading::explain_parts(catalog, status, &headers, value.to_string().as_bytes(), crate::reading::Steps::All);
            prop_assert!((0.0..=1.0).contains(&r.confidence));
        }

        #[test]
        fn markup_never_panics(text in "(<[/a-zA-Z:!?]{0,12}( [a-z]+=\"[^\"]{0,8}\")?/?>|[^<]{0,12}|Error 10[0-9]{2}|<center>nginx</center>){0,40}", status in 400u16..600) {
            let headers = vec![("server".to_string(), "cloudflare".to_string()), ("x-ms-request-id".to_string(), "1".to_string())];
            for (_, parse) in PARSERS {
                let _ = parse(&Body::new(status, &headers, &text, None));
            }
        }
    }
}
