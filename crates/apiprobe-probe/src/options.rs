//! The options of one check, whoever writes them: a suite's `[[check]]` table (serde), the
//! `apiprobe check` flags (the CLI fills the same struct from clap), or a tool that embeds the table
//! in its own format (`#[serde(flatten)]`). [`CheckOptions::to_spec`] is the one way to a
//! [`CheckSpec`], so a rule such as "a body without a method is a POST" is written once.
//!
//! Values are checked as they are read: a suite's bad duration or expectation is reported at its own
//! line and column, and a bad flag is a usage error.

use crate::spec::{
    parse_duration, parse_request_header, parse_statuses, CheckSpec, HeaderExpect, HttpVersion,
    JsonExpect, ResolveEntry, SpecError, StatusPattern,
};
use serde::de::{self, Deserializer};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a check may take when nothing says (curl has no limit; a probe must end).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything a check can set; `None` (or empty) means "not said here", so a suite's `[defaults]`
/// or the built-in default applies. Field names are the suite keys.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckOptions {
    /// A name for reports.
    pub name: Option<String>,
    /// The URL, parsed when the check runs so a bad one becomes an `INVALID_URL` result.
    pub url: Option<String>,
    /// The method; without one, `POST` when there is a body and `GET` otherwise, as curl does.
    pub method: Option<String>,
    /// Request headers in order (a table in a suite, `-H 'Name: value'` on the command line).
    #[serde(default, deserialize_with = "header_table")]
    pub headers: Vec<(String, String)>,
    /// The request body as text.
    pub body: Option<String>,
    /// The request body read from a file (relative to the suite's folder).
    pub body_file: Option<PathBuf>,
    /// A JSON request body; sets `Content-Type: application/json` unless a header names one.
    pub json_body: Option<JsonBody>,
    /// The whole exchange, redirects included.
    #[serde(default, deserialize_with = "duration")]
    pub timeout: Option<Duration>,
    /// Name resolution plus TCP connect; the timeout when not given.
    #[serde(default, deserialize_with = "duration")]
    pub connect_timeout: Option<Duration>,
    /// Redirects to follow; 0 reports the redirect itself.
    pub max_redirects: Option<u32>,
    /// Extra trusted CA certificates, a PEM file (relative to the suite's folder).
    pub cacert: Option<PathBuf>,
    /// Skip certificate verification.
    pub insecure: Option<bool>,
    /// `"1.1"`, `"2"` or `"auto"`.
    #[serde(default, deserialize_with = "http_version")]
    pub http: Option<HttpVersion>,
    /// `HOST:PORT:ADDR` entries, as curl's `--resolve`.
    #[serde(default, deserialize_with = "resolve_list")]
    pub resolve: Vec<ResolveEntry>,
    /// Statuses that pass (`200`, `"2xx"`, `[200, 204]`); default: any status below 400.
    #[serde(default, deserialize_with = "status_list")]
    pub expect_status: Option<Vec<StatusPattern>>,
    /// `Name: regex` expectations on response headers.
    #[serde(default, deserialize_with = "header_expect_list")]
    pub expect_header: Option<Vec<HeaderExpect>>,
    /// `$.path OP value` expectations on a JSON body.
    #[serde(default, deserialize_with = "json_expect_list")]
    pub expect_json: Option<Vec<JsonExpect>>,
    /// Text the body must contain.
    #[serde(default, deserialize_with = "text_list")]
    pub expect_body_contains: Option<Vec<String>>,
    /// The longest the exchange may take.
    #[serde(default, deserialize_with = "duration")]
    pub max_latency: Option<Duration>,
}

/// A JSON request body, kept as the text sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonBody(String);

impl JsonBody {
    /// Checks that `text` is JSON and keeps it as written.
    pub fn parse(text: &str) -> Result<JsonBody, SpecError> {
        serde_json::from_str::<serde_json::Value>(text)
            .map(|_| JsonBody(text.to_string()))
            .map_err(|e| SpecError::JsonBody(e.to_string()))
    }

    /// The text sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// In a suite, any TOML value is the body: a table becomes a JSON object, a string a JSON string.
impl<'de> Deserialize<'de> for JsonBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        Ok(JsonBody(value.to_string()))
    }
}

impl CheckOptions {
    /// These options over `defaults`: each value said here wins; headers are merged (a header named
    /// here replaces the default of the same name) and `resolve` entries add up. `name` and `url`
    /// belong to one check and are never taken from the defaults.
    pub fn with_defaults(mut self, defaults: &CheckOptions) -> CheckOptions {
        let d = defaults.clone();
        let mut headers: Vec<(String, String)> = d
            .headers
            .into_iter()
            .filter(|(k, _)| !self.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(k)))
            .collect();
        headers.append(&mut self.headers);
        self.resolve.extend(d.resolve);
        // A body of one kind here replaces any kind of body in the defaults.
        let own_body = self.body.is_some() || self.body_file.is_some() || self.json_body.is_some();
        CheckOptions {
            name: self.name,
            url: self.url,
            method: self.method.or(d.method),
            headers,
            body: if own_body { self.body } else { d.body },
            body_file: if own_body {
                self.body_file
            } else {
                d.body_file
            },
            json_body: if own_body {
                self.json_body
            } else {
                d.json_body
            },
            timeout: self.timeout.or(d.timeout),
            connect_timeout: self.connect_timeout.or(d.connect_timeout),
            max_redirects: self.max_redirects.or(d.max_redirects),
            cacert: self.cacert.or(d.cacert),
            insecure: self.insecure.or(d.insecure),
            http: self.http.or(d.http),
            resolve: self.resolve,
            expect_status: self.expect_status.or(d.expect_status),
            expect_header: self.expect_header.or(d.expect_header),
            expect_json: self.expect_json.or(d.expect_json),
            expect_body_contains: self.expect_body_contains.or(d.expect_body_contains),
            max_latency: self.max_latency.or(d.max_latency),
        }
    }

    /// The check these options describe; relative `body_file` and `cacert` paths start at `base`.
    pub fn to_spec(&self, base: &Path) -> Result<CheckSpec, SpecError> {
        self.to_spec_with(base, &mut Vec::new())
    }

    /// As [`CheckOptions::to_spec`], reading each CA file in `checked_ca` only once.
    pub(crate) fn to_spec_with(
        &self,
        base: &Path,
        checked_ca: &mut Vec<PathBuf>,
    ) -> Result<CheckSpec, SpecError> {
        let url = self.url.clone().ok_or(SpecError::MissingUrl)?;
        let mut spec = CheckSpec::new(url);
        spec.name = self.name.clone().unwrap_or_default();
        spec.headers = self.headers.clone();
        let bodies = [
            self.body.is_some(),
            self.body_file.is_some(),
            self.json_body.is_some(),
        ];
        if bodies.iter().filter(|b| **b).count() > 1 {
            return Err(SpecError::TwoBodies);
        }
        if let Some(b) = &self.body {
            spec.body = Some(b.clone().into_bytes());
        }
        if let Some(f) = &self.body_file {
            let path = base.join(f);
            let bytes = std::fs::read(&path).map_err(|e| SpecError::BodyFile {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
            spec.body = Some(bytes);
        }
        if let Some(j) = &self.json_body {
            spec.set_json_body(j.as_str().as_bytes().to_vec());
        }
        // curl's rule: data without a method is a POST.
        spec.method = match (&self.method, &spec.body) {
            (Some(m), _) => m.trim().to_ascii_uppercase(),
            (None, Some(_)) => "POST".into(),
            (None, None) => "GET".into(),
        };
        spec.timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        spec.connect_timeout = self.connect_timeout.unwrap_or(spec.timeout);
        if let Some(n) = self.max_redirects {
            spec.max_redirects = n;
        }
        if let Some(ca) = &self.cacert {
            let path = base.join(ca);
            if !checked_ca.contains(&path) {
                crate::tls::load_cacert(&path).map_err(|e| SpecError::CaFile(e.to_string()))?;
                checked_ca.push(path.clone());
            }
            spec.cacert = Some(path);
        }
        spec.insecure = self.insecure.unwrap_or(false);
        spec.http = self.http.unwrap_or_default();
        spec.resolve = self.resolve.clone();
        spec.expect.status = self.expect_status.clone().unwrap_or_default();
        spec.expect.headers = self.expect_header.clone().unwrap_or_default();
        spec.expect.json = self.expect_json.clone().unwrap_or_default();
        spec.expect.body_contains = self.expect_body_contains.clone().unwrap_or_default();
        spec.expect.max_latency = self.max_latency;
        Ok(spec)
    }
}

/// Reads `"1.1"`, `"2"` or `"auto"` (also `http1.1`, `http2`).
pub fn parse_http_version(s: &str) -> Result<HttpVersion, SpecError> {
    match s.trim() {
        "auto" => Ok(HttpVersion::Auto),
        "1.1" | "http1.1" => Ok(HttpVersion::Http1),
        "2" | "http2" => Ok(HttpVersion::Http2),
        other => Err(SpecError::HttpVersion(other.to_string())),
    }
}

/// A string or a list of strings; numbers are taken as their text (`expect_status = [200, 204]`).
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(Scalar),
    Many(Vec<Scalar>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Str(String),
    Num(i64),
}

impl Scalar {
    fn text(self) -> String {
        match self {
            Scalar::Str(s) => s,
            Scalar::Num(n) => n.to_string(),
        }
    }
}

fn items<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s.text()],
        OneOrMany::Many(v) => v.into_iter().map(Scalar::text).collect(),
    })
}

/// Each item read by `parse`; the first that fails is the error, at the value's place in the file.
fn parsed<'de, D, T>(
    d: D,
    parse: impl Fn(&str) -> Result<Vec<T>, SpecError>,
) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
{
    let mut out = Vec::new();
    for item in items(d)? {
        out.extend(parse(&item).map_err(de::Error::custom)?);
    }
    Ok(Some(out))
}

fn status_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<StatusPattern>>, D::Error> {
    parsed(d, parse_statuses)
}

fn header_expect_list<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<HeaderExpect>>, D::Error> {
    parsed(d, |s| HeaderExpect::parse(s).map(|h| vec![h]))
}

fn json_expect_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<JsonExpect>>, D::Error> {
    parsed(d, |s| JsonExpect::parse(s).map(|j| vec![j]))
}

fn text_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    items(d).map(Some)
}

fn resolve_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ResolveEntry>, D::Error> {
    Ok(parsed(d, |s| ResolveEntry::parse(s).map(|r| vec![r]))?.unwrap_or_default())
}

fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let text = String::deserialize(d)?;
    parse_duration(&text).map(Some).map_err(de::Error::custom)
}

fn http_version<'de, D: Deserializer<'de>>(d: D) -> Result<Option<HttpVersion>, D::Error> {
    let text = String::deserialize(d)?;
    parse_http_version(&text)
        .map(Some)
        .map_err(de::Error::custom)
}

/// `headers = { Name = "value" }`, in the order written; each must be a valid header.
fn header_table<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    struct Visit;
    impl<'de> de::Visitor<'de> for Visit {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a table of header names and values")
        }
        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((k, v)) = map.next_entry::<String, String>()? {
                out.push(parse_request_header(&format!("{k}: {v}")).map_err(de::Error::custom)?);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Visit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(toml_text: &str) -> CheckOptions {
        toml::from_str(toml_text).expect("options parse")
    }

    #[test]
    fn a_body_without_a_method_is_a_post_and_a_method_wins() {
        let spec = |t: &str| options(t).to_spec(Path::new(".")).expect("spec");
        assert_eq!(spec("url = \"http://h/\"").method, "GET");
        assert_eq!(spec("url = \"http://h/\"\nbody = \"x\"").method, "POST");
        assert_eq!(
            spec("url = \"http://h/\"\njson_body = { a = 1 }").method,
            "POST"
        );
        assert_eq!(
            spec("url = \"http://h/\"\nbody = \"x\"\nmethod = \"put\"").method,
            "PUT"
        );
    }

    #[test]
    fn json_bodies_keep_their_text_and_set_the_content_type() {
        let s = options("url = \"http://h/\"\njson_body = { b = [1, 2], a = \"x\" }")
            .to_spec(Path::new("."))
            .expect("spec");
        assert_eq!(s.body.as_deref(), Some(&br#"{"a":"x","b":[1,2]}"#[..]));
        assert_eq!(
            s.headers,
            vec![("Content-Type".into(), "application/json".into())]
        );
        assert_eq!(
            JsonBody::parse(" {\"z\": 1} ").map(|j| j.0),
            Ok(" {\"z\": 1} ".into())
        );
        assert!(JsonBody::parse("{").is_err());
    }

    #[test]
    fn defaults_fill_what_a_check_leaves_out() {
        let d = options("timeout = \"2s\"\nheaders = { A = \"1\", B = \"2\" }\nbody = \"d\"\nresolve = [\"h:80:127.0.0.1\"]");
        let c = options("url = \"http://h/\"\nheaders = { b = \"3\" }\njson_body = 1\nresolve = \"i:80:127.0.0.1\"")
            .with_defaults(&d);
        let s = c.to_spec(Path::new(".")).expect("one body: the check's");
        assert_eq!(s.timeout, Duration::from_secs(2));
        assert_eq!(s.connect_timeout, Duration::from_secs(2));
        let names: Vec<&str> = s.headers.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["A", "b", "Content-Type"]);
        assert_eq!(s.body.as_deref(), Some(&b"1"[..]));
        assert_eq!(s.resolve.len(), 2);
    }

    #[test]
    fn bad_values_are_refused_where_they_are_read() {
        for bad in [
            "timeout = \"soon\"",
            "expect_status = \"abc\"",
            "expect_json = [\"ok == 1\"]",
            "expect_header = \"Bad Name: x\"",
            "resolve = [\"nope\"]",
            "http = \"3\"",
            "headers = { \"Bad Name\" = \"x\" }",
            "method = 1",
            "colour = \"red\"",
        ] {
            assert!(toml::from_str::<CheckOptions>(bad).is_err(), "{bad}");
        }
        let two = options("url = \"http://h/\"\nbody = \"a\"\njson_body = 1");
        assert_eq!(
            two.to_spec(Path::new(".")).err(),
            Some(SpecError::TwoBodies)
        );
        assert_eq!(
            CheckOptions::default().to_spec(Path::new(".")).err(),
            Some(SpecError::MissingUrl)
        );
    }

    #[test]
    fn lists_take_one_value_or_many() {
        let o = options("expect_status = [200, \"3xx\"]\nexpect_body_contains = \"ok\"");
        assert_eq!(o.expect_status.map(|v| v.len()), Some(2));
        assert_eq!(o.expect_body_contains, Some(vec!["ok".to_string()]));
        let o = options("expect_status = \"200,204\"");
        assert_eq!(o.expect_status.map(|v| v.len()), Some(2));
    }
}
