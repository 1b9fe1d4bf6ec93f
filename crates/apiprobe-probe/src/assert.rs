//! The assertion phase: each expectation checked against the response, with expected and actual values,
//! and the catalog code and facts that name it when it fails.

use crate::spec::{Expectations, JsonOp};
use apiprobe_catalog::Assertion;
use apiprobe_explain::HttpResponse;
use serde_json::Value;
use std::time::Duration;

/// Longest `actual` value shown in a report; bodies can be large.
const MAX_ACTUAL: usize = 200;

fn clip(s: &str) -> String {
    if s.len() <= MAX_ACTUAL {
        return s.to_string();
    }
    let mut end = MAX_ACTUAL;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// One expectation checked: the result, and the catalog name and message facts for when it failed.
pub(crate) struct Checked {
    pub(crate) assertion: Assertion,
    pub(crate) name: &'static str,
    pub(crate) facts: Vec<(&'static str, String)>,
}

/// Checks every expectation, in a fixed order: status, headers, JSON, body, latency.
pub(crate) fn evaluate(
    expect: &Expectations,
    resp: &HttpResponse,
    total: Duration,
) -> Vec<Checked> {
    let mut out = Vec::new();
    let nothing = || "nothing".to_string();
    if !expect.status.is_empty() {
        let expected: Vec<&str> = expect.status.iter().map(|p| p.as_str()).collect();
        let expected = expected.join(",");
        out.push(Checked {
            facts: vec![
                ("expected", expected.clone()),
                ("actual", resp.status.to_string()),
            ],
            name: "ASSERTION_STATUS",
            assertion: Assertion {
                kind: "status".into(),
                expected,
                actual: Some(resp.status.to_string()),
                passed: expect.status.iter().any(|p| p.matches(resp.status)),
            },
        });
    }
    for h in &expect.headers {
        let values: Vec<&str> = resp
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(&h.name))
            .map(|(_, v)| v.as_str())
            .collect();
        let passed = match &h.pattern {
            None => !values.is_empty(),
            Some(re) => values.iter().any(|v| re.is_match(v)),
        };
        let actual = (!values.is_empty()).then(|| clip(&values.join(", ")));
        let wanted = match &h.pattern {
            None => "a value".to_string(),
            Some(re) => format!("a value matching {}", re.as_str()),
        };
        out.push(Checked {
            facts: vec![
                ("header", h.name.clone()),
                ("expected", wanted),
                ("actual", actual.clone().unwrap_or_else(nothing)),
            ],
            name: "ASSERTION_HEADER",
            assertion: Assertion {
                kind: "header".into(),
                expected: h.text.clone(),
                actual,
                passed,
            },
        });
    }
    if !expect.json.is_empty() {
        let doc: Option<Value> = serde_json::from_slice(&resp.body).ok();
        for j in &expect.json {
            let (actual, passed) = match &doc {
                None => (Some("(body is not JSON)".to_string()), false),
                Some(doc) => {
                    let found = j.path.query(doc).all();
                    let first = found.first().copied();
                    let passed = match (j.op, first) {
                        (JsonOp::Exists, f) => f.is_some(),
                        (_, None) => false,
                        (op, Some(v)) => compare(op, v, &j.value),
                    };
                    (first.map(|v| clip(&v.to_string())), passed)
                }
            };
            let wanted = match j.op {
                JsonOp::Exists => "a value".to_string(),
                _ => j.text[j.path_text.len()..].trim().to_string(),
            };
            out.push(Checked {
                facts: vec![
                    ("path", j.path_text.clone()),
                    ("expected", wanted),
                    ("actual", actual.clone().unwrap_or_else(nothing)),
                ],
                name: "ASSERTION_JSON",
                assertion: Assertion {
                    kind: "json".into(),
                    expected: j.text.clone(),
                    actual,
                    passed,
                },
            });
        }
    }
    for needle in &expect.body_contains {
        let hay = String::from_utf8_lossy(&resp.body);
        let passed = hay.contains(needle.as_str());
        out.push(Checked {
            facts: vec![
                ("comparison", "contain".into()),
                ("expected", needle.clone()),
            ],
            name: "ASSERTION_BODY",
            assertion: Assertion {
                kind: "body".into(),
                expected: format!("contains {needle:?}"),
                actual: Some(if passed {
                    format!("contains {needle:?}")
                } else {
                    format!("{} bytes without it", resp.body.len())
                }),
                passed,
            },
        });
    }
    if let Some(max) = expect.max_latency {
        out.push(Checked {
            facts: vec![
                ("elapsed", format!("{}ms", total.as_millis())),
                ("limit", format!("{}ms", max.as_millis())),
            ],
            name: "ASSERTION_LATENCY",
            assertion: Assertion {
                kind: "latency".into(),
                expected: format!("<= {}ms", max.as_millis()),
                actual: Some(format!("{}ms", total.as_millis())),
                passed: total <= max,
            },
        });
    }
    out
}

/// Compares a found JSON value with the expected one: numbers numerically, strings by text, and a
/// bare string against a non-string value by its JSON text (so `$.id == 42` and `$.id == "42"` both work
/// for a numeric id only when the types agree or the text does).
fn compare(op: JsonOp, actual: &Value, expected: &Value) -> bool {
    use std::cmp::Ordering;
    let ord = match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => a
            .as_f64()
            .zip(b.as_f64())
            .and_then(|(a, b)| a.partial_cmp(&b)),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (a, b) if a == b => Some(Ordering::Equal),
        _ => None,
    };
    match op {
        JsonOp::Eq => ord == Some(Ordering::Equal),
        JsonOp::Ne => ord != Some(Ordering::Equal),
        JsonOp::Lt => ord == Some(Ordering::Less),
        JsonOp::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        JsonOp::Gt => ord == Some(Ordering::Greater),
        JsonOp::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        JsonOp::Exists => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{parse_statuses, HeaderExpect, JsonExpect};

    fn resp(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn each_kind_reports_expected_and_actual() {
        let expect = Expectations {
            status: parse_statuses("2xx").unwrap_or_default(),
            headers: vec![HeaderExpect::parse("content-type: json$").expect("h")],
            json: vec![
                JsonExpect::parse("$.items[1].n > 2").expect("j"),
                JsonExpect::parse("$.missing exists").expect("j"),
            ],
            body_contains: vec!["items".into()],
            max_latency: Some(Duration::from_millis(5)),
        };
        let checked = evaluate(
            &expect,
            &resp(r#"{"items":[{"n":1},{"n":3}]}"#),
            Duration::from_millis(9),
        );
        let a: Vec<&Assertion> = checked.iter().map(|c| &c.assertion).collect();
        let passed: Vec<bool> = a.iter().map(|a| a.passed).collect();
        assert_eq!(passed, vec![true, true, true, false, true, false]);
        assert_eq!(a[2].actual.as_deref(), Some("3"));
        assert_eq!(a[5].actual.as_deref(), Some("9ms"));
    }

    #[test]
    fn json_on_a_non_json_body_fails_with_a_reason() {
        let expect = Expectations {
            json: vec![JsonExpect::parse("$.ok == true").expect("j")],
            ..Expectations::default()
        };
        let a = evaluate(&expect, &resp("<html>"), Duration::ZERO);
        assert!(!a[0].assertion.passed);
        assert_eq!(a[0].assertion.actual.as_deref(), Some("(body is not JSON)"));
        assert_eq!(a[0].name, "ASSERTION_JSON");
        assert_eq!(
            a[0].facts,
            vec![
                ("path", "$.ok".to_string()),
                ("expected", "== true".to_string()),
                ("actual", "(body is not JSON)".to_string())
            ]
        );
    }

    #[test]
    fn comparisons_respect_types() {
        use serde_json::json;
        assert!(compare(JsonOp::Eq, &json!(1.0), &json!(1)));
        assert!(!compare(JsonOp::Eq, &json!("1"), &json!(1)));
        assert!(compare(JsonOp::Ne, &json!("1"), &json!(1)));
        assert!(compare(JsonOp::Lt, &json!("a"), &json!("b")));
        assert!(!compare(JsonOp::Gt, &json!(true), &json!(1)));
    }
}
