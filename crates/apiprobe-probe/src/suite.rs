//! Suite files: an optional `[defaults]` table and `[[check]]` tables, each turned into a [`CheckSpec`].
//!
//! ```toml
//! [defaults]
//! timeout = "5s"
//! headers = { Authorization = "Bearer ${API_TOKEN}" }
//!
//! [[check]]
//! name = "health"
//! url = "https://api.example.com/healthz"
//! expect_status = "2xx"
//! expect_json = ["$.status == \"ok\""]
//! max_latency = "300ms"
//! ```
//!
//! `${NAME}` is replaced by the environment variable NAME anywhere in a string; an unset variable is an
//! error naming the file, line and column. Every error points at file:line:col.

use crate::options::CheckOptions;
use crate::spec::CheckSpec;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A suite file that cannot be used, with the place to look.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: String,
        /// Why.
        source: std::io::Error,
    },
    /// Something at a known place is wrong.
    #[error("{file}:{line}:{col}: {message}")]
    At {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What is wrong.
        message: String,
    },
}

/// What may come before the first `[[check]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHead {
    defaults: Option<CheckOptions>,
}

/// One `[[check]]` table (with any `[check.x]` sub-tables), parsed on its own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBlock {
    check: Vec<CheckOptions>,
}

/// A checked suite, read lazily: the checks are built one at a time as [`Suite::checks`] is iterated,
/// so running a suite of any size holds only the file text and the checks in flight.
///
/// The file is split at `[[check]]` lines and each table is parsed on its own; `[defaults]` must come
/// before the first `[[check]]`.
#[derive(Debug, Clone)]
pub struct Suite {
    file: String,
    base: PathBuf,
    text: String,
    head_end: usize,
    defaults: CheckOptions,
    len: usize,
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(offset, |p| offset - p - 1) + 1;
    (line, col)
}

/// Whether a line opens a check table: `[[check]]`, possibly followed by a comment.
fn is_check_header(line: &str) -> bool {
    let t = line.trim();
    t.strip_prefix("[[check]]")
        .is_some_and(|rest| rest.trim().is_empty() || rest.trim_start().starts_with('#'))
}

/// Byte ranges of each `[[check]]` table, in order, starting at `from` (the first header).
fn blocks(text: &str, from: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut pos = from;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let start = pos;
        // Skip the header line itself, then stop at the next header.
        let mut cursor = text[start..]
            .find('\n')
            .map_or(text.len(), |n| start + n + 1);
        while cursor < text.len() {
            let line_end = text[cursor..]
                .find('\n')
                .map_or(text.len(), |n| cursor + n + 1);
            if is_check_header(&text[cursor..line_end]) {
                break;
            }
            cursor = line_end;
        }
        pos = cursor;
        Some((start, cursor))
    })
}

/// Replaces `${NAME}` with the variable's value; the first unset name is an error at its position.
fn substitute(
    text: &str,
    file: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, SuiteError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut offset = 0;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let at = offset + start;
        let Some(end) = after.find('}') else {
            let (line, col) = line_col(text, at);
            return Err(SuiteError::At {
                file: file.into(),
                line,
                col,
                message: "'${' is not closed by '}'".into(),
            });
        };
        let name = &after[..end];
        let in_comment = text[..at]
            .rsplit('\n')
            .next()
            .is_some_and(|l| l.trim_start().starts_with('#'));
        if in_comment {
            out.push_str(&rest[start..start + 3 + end]);
        } else if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            match env(name) {
                // The value lands inside a TOML string, so quote what TOML would read specially.
                Some(v) => out.push_str(
                    &v.replace('\\', "\\\\")
                        .replace('"', "\\\"")
                        .replace('\n', "\\n")
                        .replace('\r', "\\r"),
                ),
                None => {
                    let (line, col) = line_col(text, at);
                    return Err(SuiteError::At {
                        file: file.into(),
                        line,
                        col,
                        message: format!(
                            "environment variable {name} is not set (used as ${{{name}}})"
                        ),
                    });
                }
            }
        } else {
            let (line, col) = line_col(text, at);
            return Err(SuiteError::At {
                file: file.into(),
                line,
                col,
                message: format!("'${{{name}}}' is not a variable name (letters, digits, _)"),
            });
        }
        offset += start + 3 + end;
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

impl Suite {
    /// Reads and checks a suite file, with `${VAR}` taken from the process environment.
    pub fn load(path: &Path) -> Result<Suite, SuiteError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SuiteError::Read {
            file: file.clone(),
            source,
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Suite::parse(&text, &file, &base, &|n| std::env::var(n).ok())
    }

    /// Parses and checks suite text; `base` is where relative `cacert` paths start.
    ///
    /// Every check is built once here so that any error is reported before anything runs; the
    /// built checks are dropped again and rebuilt by [`Suite::checks`] when the suite runs.
    pub fn parse(
        text: &str,
        file: &str,
        base: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Suite, SuiteError> {
        let expanded = substitute(text, file, env)?;
        // Substituted values are escaped without adding line breaks, so line numbers still match
        // the file as written.
        let mut pos = 0;
        let mut head_end = expanded.len();
        for line in expanded.split_inclusive('\n') {
            if is_check_header(line) {
                head_end = pos;
                break;
            }
            pos += line.len();
        }
        let head: RawHead = toml::from_str(&expanded[..head_end]).map_err(|e| {
            let (line, col) = line_col(&expanded, e.span().map_or(0, |s| s.start));
            SuiteError::At {
                file: file.into(),
                line,
                col,
                message: e.message().trim_end().to_string(),
            }
        })?;
        let mut suite = Suite {
            file: file.into(),
            base: base.to_path_buf(),
            text: expanded,
            head_end,
            defaults: head.defaults.unwrap_or_default(),
            len: 0,
        };
        let mut len = 0;
        for check in suite.checks() {
            check?;
            len += 1;
        }
        if len == 0 {
            return Err(SuiteError::At {
                file: file.into(),
                line: 1,
                col: 1,
                message: "the suite has no [[check]] tables".into(),
            });
        }
        suite.len = len;
        Ok(suite)
    }

    /// How many checks the suite has.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the suite has no checks (never true for a suite that loaded).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The checks, built one at a time in file order.
    pub fn checks(&self) -> impl Iterator<Item = Result<CheckSpec, SuiteError>> + '_ {
        let mut checked_ca: Vec<PathBuf> = Vec::new();
        blocks(&self.text, self.head_end)
            .enumerate()
            .map(move |(i, (start, end))| self.build_block(i, start, end, &mut checked_ca))
    }

    fn at(&self, offset: usize, message: String) -> SuiteError {
        let (line, col) = line_col(&self.text, offset);
        SuiteError::At {
            file: self.file.clone(),
            line,
            col,
            message,
        }
    }

    fn build_block(
        &self,
        i: usize,
        start: usize,
        end: usize,
        checked_ca: &mut Vec<PathBuf>,
    ) -> Result<CheckSpec, SuiteError> {
        let block: RawBlock = toml::from_str(&self.text[start..end]).map_err(|e| {
            let offset = start + e.span().map_or(0, |s| s.start);
            let mut message = e.message().trim_end().to_string();
            if message.contains("`defaults`") {
                message.push_str(" ([defaults] must come before the first [[check]])");
            }
            self.at(offset, message)
        })?;
        let Some(c) = block.check.into_iter().next() else {
            return Err(self.at(start, "empty [[check]] table".into()));
        };
        let label = c.name.clone().unwrap_or_else(|| format!("#{}", i + 1));
        let spec = c
            .with_defaults(&self.defaults)
            .to_spec_with(&self.base, checked_ca)
            .map_err(|e| self.at(start, format!("check '{label}': {e}")))?;
        Ok(CheckSpec {
            name: label,
            ..spec
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<CheckSpec>, SuiteError> {
        let env = |n: &str| (n == "TOKEN").then(|| "s3cr\"et".to_string());
        let suite = Suite::parse(text, "suite.toml", Path::new("."), &env)?;
        let checks: Vec<CheckSpec> = suite.checks().collect::<Result<_, _>>()?;
        assert_eq!(checks.len(), suite.len());
        Ok(checks)
    }

    #[test]
    fn defaults_apply_and_checks_override() {
        let s = parse(
            "[defaults]\ntimeout = \"2s\"\nheaders = { Authorization = \"Bearer ${TOKEN}\" }\nexpect_status = \"2xx\"\n\n\
             [[check]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/\"\n\n\
             [[check]]\nurl = \"http://127.0.0.1:1/x\"\nexpect_status = [200, 204]\ntimeout = \"1s\"\n",
        )
        .expect("parses");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name, "a");
        assert_eq!(s[1].name, "#2");
        assert_eq!(s[0].timeout.as_secs(), 2);
        assert_eq!(s[1].timeout.as_secs(), 1);
        assert_eq!(s[0].headers[0].1, "Bearer s3cr\"et");
        assert_eq!(s[1].expect.status.len(), 2);
    }

    #[test]
    fn unknown_variable_names_file_line_and_column() {
        let e = parse("[[check]]\nurl = \"http://h/${NOPE}\"\n").expect_err("fails");
        assert_eq!(
            e.to_string(),
            "suite.toml:2:17: environment variable NOPE is not set (used as ${NOPE})"
        );
    }

    #[test]
    fn sub_tables_stay_with_their_check_and_late_defaults_are_refused() {
        let s = parse("[[check]] # first\nurl = \"http://h/\"\n[check.headers]\nX-A = \"1\"\n\n[[check]]\nurl = \"http://h/2\"\n")
            .expect("parses");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].headers, vec![("X-A".to_string(), "1".to_string())]);
        let e = parse("[[check]]\nurl = \"http://h/\"\n[defaults]\ntimeout = \"1s\"\n")
            .expect_err("fails");
        assert!(e.to_string().contains("[defaults] must come before"), "{e}");
    }

    #[test]
    fn variables_in_comments_are_left_alone() {
        assert!(parse("# uses ${NOPE} later\n[[check]]\nurl = \"http://h/\"\n").is_ok());
    }

    #[test]
    fn bad_values_point_at_themselves_and_missing_ones_at_their_check() {
        let e = parse("[[check]]\nurl = \"http://h/\"\n\n[[check]]\nname = \"b\"\nurl = \"http://h/\"\nexpect_json = \"ok == 1\"\n")
            .expect_err("fails");
        let msg = e.to_string();
        assert!(
            msg.starts_with("suite.toml:7:15: JSON expectation 'ok == 1'"),
            "{msg}"
        );
        let e = parse("[[check]]\nname = \"c\"\nbody = \"x\"\n").expect_err("fails");
        assert_eq!(e.to_string(), "suite.toml:1:1: check 'c': 'url' is missing");
    }

    #[test]
    fn a_body_without_a_method_is_posted_as_check_d_does() {
        let s = parse("[defaults]\nbody = \"x\"\n[[check]]\nurl = \"http://h/\"\n[[check]]\nurl = \"http://h/\"\nmethod = \"put\"\n")
            .expect("parses");
        assert_eq!(
            (s[0].method.as_str(), s[1].method.as_str()),
            ("POST", "PUT")
        );
        assert_eq!(s[0].body.as_deref(), Some(&b"x"[..]));
    }

    #[test]
    fn syntax_and_unknown_keys_are_located() {
        let e = parse("[[check]]\nurl = \"http://h/\"\nexpect_stauts = 200\n").expect_err("fails");
        assert!(
            e.to_string()
                .starts_with("suite.toml:3:1: unknown field `expect_stauts`"),
            "{e}"
        );
        let e = parse("[[check]]\nurl = \"http://h/\n").expect_err("fails");
        assert!(e.to_string().starts_with("suite.toml:2:"), "{e}");
        assert!(parse("").is_err());
        assert!(parse("[[check]]\nname = \"x\"\n").is_err());
    }
}
