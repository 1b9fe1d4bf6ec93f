//! The error-quality grade: what an error response the API gave is worth to the caller who must act on it.
//! Each response earns a point per quality it has (a machine-readable code, the broken field named, a
//! standard or documented format, Retry-After on 429/503, no stack trace); each missing quality is a
//! finding. What counts as a standard format and what looks like a stack trace is data, in
//! `data/grading.toml`.

use apiprobe_catalog::Report;
use regex::Regex;
use serde::Deserialize;
use serde_json::Value;
use std::sync::LazyLock;

#[derive(Deserialize)]
struct Rules {
    standard_formats: Vec<String>,
    leak: Vec<LeakRule>,
    #[allow(dead_code)] // read by the tests only: bodies no pattern may match
    clean: Vec<String>,
}

#[derive(Deserialize)]
struct LeakRule {
    name: String,
    pattern: String,
    #[allow(dead_code)] // read by the tests only
    example: String,
}

struct Compiled {
    standard_formats: Vec<String>,
    leaks: Vec<(String, Regex)>,
}

static RULES_TEXT: &str = include_str!("../data/grading.toml");

static RULES: LazyLock<Compiled> = LazyLock::new(|| {
    // The file is embedded and checked by this module's tests; a broken edit fails them, and here it
    // falls back to grading with no rules rather than stopping a run.
    let rules: Rules = toml::from_str(RULES_TEXT).unwrap_or(Rules {
        standard_formats: Vec::new(),
        leak: Vec::new(),
        clean: Vec::new(),
    });
    Compiled {
        standard_formats: rules.standard_formats,
        leaks: rules
            .leak
            .into_iter()
            .filter_map(|l| Regex::new(&l.pattern).ok().map(|r| (l.name, r)))
            .collect(),
    }
});

/// One quality an error response lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miss {
    /// The catalog name of the finding (`ERROR_HAS_NO_CODE`, ...).
    pub name: &'static str,
    /// The message, in the catalog template's words.
    pub message: String,
    /// The field or pointer concerned, when there is one.
    pub field: Option<String>,
    /// Extra facts for `details`.
    pub details: Vec<(&'static str, String)>,
}

/// The grade of one error response.
#[derive(Debug, Clone, Default)]
pub struct Grade {
    /// Points earned.
    pub earned: u32,
    /// Points that could be earned.
    pub possible: u32,
    /// What was missed.
    pub misses: Vec<Miss>,
}

/// What the grader knows besides the response.
pub struct Context<'a> {
    /// The status.
    pub status: u16,
    /// The response headers.
    pub headers: &'a [(String, String)],
    /// The body.
    pub body: &'a [u8],
    /// The field the probe broke (a JSON pointer or parameter name), for a 4xx to a broken request.
    pub broken_field: Option<&'a str>,
    /// `Some(true)` when the body validates against a non-empty schema the document gives for the status.
    pub matches_documented_schema: Option<bool>,
}

/// Grades one error response, read by `explain` as `explained`.
pub fn grade(explained: &Report, cx: &Context<'_>) -> Grade {
    let mut g = Grade::default();
    let status = cx.status.to_string();
    let point = |g: &mut Grade, ok: bool, miss: Option<Miss>| {
        g.possible += 1;
        if ok {
            g.earned += 1;
        } else if let Some(m) = miss {
            g.misses.push(m);
        }
    };

    let has_code = explained
        .vendor_code
        .as_deref()
        .is_some_and(|c| !c.is_empty());
    point(
        &mut g,
        has_code,
        Some(Miss {
            name: "ERROR_HAS_NO_CODE",
            message: format!("The {status} error carries no machine-readable code, only prose"),
            field: None,
            details: vec![],
        }),
    );

    if let (Some(field), 400..=499) = (cx.broken_field, cx.status) {
        let named = names_field(explained, cx.body, field);
        point(
            &mut g,
            named,
            Some(Miss {
                name: "ERROR_NAMES_NO_FIELD",
                message: format!(
                    "The {status} answer to a request with '{field}' broken does not name that field"
                ),
                field: Some(field.to_string()),
                details: vec![],
            }),
        );
    }

    let format = explained
        .format
        .clone()
        .unwrap_or_else(|| "unrecognised".into());
    let standard =
        RULES.standard_formats.contains(&format) || cx.matches_documented_schema == Some(true);
    let shown = match format.as_str() {
        "plain" => "plain text".to_string(),
        "html" => "an HTML page".to_string(),
        "empty" => "an empty body".to_string(),
        other => format!("in the '{other}' shape"),
    };
    point(
        &mut g,
        standard,
        Some(Miss {
            name: "ERROR_NOT_STANDARD_FORMAT",
            message: format!(
                "The {status} error is {shown}: neither a standard error format nor the shape the document gives for it"
            ),
            field: None,
            details: vec![("format", format.clone())],
        }),
    );

    if matches!(cx.status, 429 | 503) {
        let has = cx
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("retry-after"));
        point(
            &mut g,
            has,
            Some(Miss {
                name: "RETRY_AFTER_MISSING",
                message: format!(
                    "The {status} answer does not say when to retry (no Retry-After header)"
                ),
                field: None,
                details: vec![],
            }),
        );
    }

    let leak = leak_in(cx.body);
    point(
        &mut g,
        leak.is_none(),
        leak.map(|(name, excerpt)| Miss {
            name: "STACK_TRACE_LEAKED",
            message: format!(
                "The {status} answer shows a stack trace or internal detail ({name}: '{excerpt}')"
            ),
            field: None,
            details: vec![("leak", name)],
        }),
    );
    g
}

/// Whether the error names `field` (a JSON pointer like `/quantity` or a parameter name): in what
/// `explain` read as the field, or as a quoted or bare word of the body. In a JSON body the words are
/// those of its values and nested member names: the top-level member names are the error format's own
/// (`status`, `detail`, `code`), and a field sharing one of those names is not named by them.
fn names_field(explained: &Report, body: &[u8], field: &str) -> bool {
    let leaf = field.rsplit('/').next().unwrap_or(field);
    if leaf.is_empty() {
        return true;
    }
    if let Some(f) = &explained.field {
        let f = f.trim_start_matches('#');
        let f_leaf = f.rsplit(['/', '.']).next().unwrap_or(f);
        if f_leaf.trim_matches(['[', ']', '\'', '"']) == leaf {
            return true;
        }
    }
    // Match a whole word, so that `id` is not found inside `invalid`.
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => words_of(&v),
        _ => String::from_utf8_lossy(body).into_owned(),
    };
    let word = Regex::new(&format!(r"(^|[^\w]){}([^\w]|$)", regex::escape(leaf)));
    word.is_ok_and(|w| w.is_match(&text))
}

/// The text of a JSON error document that can name a field: every string, number and nested member
/// name, one per line; not the top-level member names.
fn words_of(v: &Value) -> String {
    let mut out = String::new();
    let mut stack: Vec<(&Value, bool)> = vec![(v, true)];
    while let Some((v, top)) = stack.pop() {
        match v {
            Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            Value::Number(n) => {
                out.push_str(&n.to_string());
                out.push('\n');
            }
            Value::Array(a) => stack.extend(a.iter().map(|x| (x, false))),
            Value::Object(m) => {
                for (k, x) in m {
                    if !top {
                        out.push_str(k);
                        out.push('\n');
                    }
                    stack.push((x, false));
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }
    out
}

/// The first stack-trace pattern the body matches: its name and the matched text, shortened.
fn leak_in(body: &[u8]) -> Option<(String, String)> {
    let raw = String::from_utf8_lossy(body);
    // In JSON a trace sits in an escaped string; the patterns see its decoded text too.
    let mut text = raw.to_string();
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        let mut stack = vec![&v];
        while let Some(v) = stack.pop() {
            match v {
                Value::String(s) => {
                    text.push('\n');
                    text.push_str(s);
                }
                Value::Array(a) => stack.extend(a),
                Value::Object(m) => stack.extend(m.values()),
                _ => {}
            }
        }
    }
    RULES.leaks.iter().find_map(|(name, re)| {
        re.find(&text).map(|m| {
            let excerpt: String = m.as_str().trim().chars().take(60).collect();
            (name.clone(), excerpt)
        })
    })
}

/// A letter for a share of points: A from 90 %, B from 80 %, C from 70 %, D from 60 %, else F.
pub fn letter(earned: u32, possible: u32) -> Option<char> {
    if possible == 0 {
        return None;
    }
    let pct = f64::from(earned) * 100.0 / f64::from(possible);
    Some(match pct {
        p if p >= 90.0 => 'A',
        p if p >= 80.0 => 'B',
        p if p >= 70.0 => 'C',
        p if p >= 60.0 => 'D',
        _ => 'F',
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_file_is_valid_and_each_example_matches_its_own_pattern() {
        let rules: Rules = toml::from_str(RULES_TEXT).expect("data/grading.toml parses");
        assert!(!rules.standard_formats.is_empty());
        for l in &rules.leak {
            let re = Regex::new(&l.pattern)
                .unwrap_or_else(|e| panic!("pattern of '{}' does not compile: {e}", l.name));
            assert!(re.is_match(&l.example), "'{}' misses its example", l.name);
        }
        assert_eq!(RULES.leaks.len(), rules.leak.len());
        for c in &rules.clean {
            assert_eq!(leak_in(c.as_bytes()), None, "clean text matched: {c}");
        }
    }

    #[test]
    fn finds_a_trace_inside_a_json_string() {
        let body = br#"{"detail":"boom\n    at createOrder (/app/src/orders.js:14:9)"}"#;
        assert_eq!(leak_in(body).unwrap().0, "Node.js stack frame");
    }

    #[test]
    fn field_named_by_explain_or_as_a_word() {
        let mut r = Report::default();
        assert!(!names_field(&r, b"{\"detail\":\"invalid request\"}", "/id"));
        assert!(names_field(&r, b"{\"detail\":\"'id' is required\"}", "/id"));
        r.field = Some("#/order/quantity".into());
        assert!(names_field(&r, b"{}", "/quantity"));
        // A field named like a member of the error format is not named by that member.
        let r = Report::default();
        let problem = br#"{"status":400,"detail":"invalid type: string, expected a number","code":"PRB-1101"}"#;
        assert!(!names_field(&r, problem, "/status"));
        assert!(!names_field(&r, problem, "/detail"));
        let named = br##"{"status":400,"detail":"status: invalid type","errors":[{"pointer":"#/status"}]}"##;
        assert!(names_field(&r, named, "/status"));
        // ASP.NET's errors map names the field as a nested member name.
        assert!(names_field(
            &r,
            br#"{"errors":{"Name":["required"]}}"#,
            "/Name"
        ));
        assert!(names_field(&r, b"status must be a number", "/status"));
    }

    #[test]
    fn grades_and_letters() {
        let r = Report {
            vendor_code: Some("validation".into()),
            format: Some("problem_json".into()),
            ..Report::default()
        };
        let cx = Context {
            status: 429,
            headers: &[],
            body: b"{}",
            broken_field: None,
            matches_documented_schema: None,
        };
        let g = grade(&r, &cx);
        assert_eq!((g.earned, g.possible), (3, 4));
        assert_eq!(g.misses[0].name, "RETRY_AFTER_MISSING");
        assert_eq!(letter(3, 4), Some('C'));
        assert_eq!(letter(9, 10), Some('A'));
        assert_eq!(letter(0, 0), None);
    }
}
