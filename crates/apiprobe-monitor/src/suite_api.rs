//! The `[api]` table and `[[token]]` tables of a monitor suite: who may read and change the monitor
//! through its web API.
//!
//! A token is never written in the suite, only the name of the environment variable holding it, so
//! the file can be committed. Only a SHA-256 digest of each token is kept in memory: comparing
//! digests makes every comparison the same length, and [`ApiAccess::grant`] compares them in constant
//! time against every token, so neither the timing nor the length of a guess tells anything.

use crate::suite::Locator;
use apiprobe_probe::SuiteError;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use toml::Spanned;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// `GET` the monitor API, pages and badges.
    Read,
    /// Also run checks now, pause and resume them.
    ReadWrite,
}

impl Access {
    /// As written in the suite.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::ReadWrite => "read-write",
        }
    }
}

/// One configured token: where it came from and its digest (never the token itself).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// The environment variable it was read from.
    pub env: String,
    /// What it may do.
    pub access: Access,
    digest: [u8; 32],
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiToken")
            .field("env", &self.env)
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}

/// The access rules of the monitor API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiAccess {
    /// Reads need no token (default `true`).
    pub public_read: bool,
    /// The tokens, in file order.
    pub tokens: Vec<ApiToken>,
}

impl Default for ApiAccess {
    fn default() -> Self {
        ApiAccess {
            public_read: true,
            tokens: Vec::new(),
        }
    }
}

/// The outcome of presenting a bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// No configured token matches.
    Invalid,
    /// A token matched, with this access.
    Valid(Access),
}

fn digest(token: &[u8]) -> [u8; 32] {
    Sha256::digest(token).into()
}

impl ApiAccess {
    /// Rules with the given tokens (for tests and embedding): `(token, access)` pairs.
    pub fn with_tokens(public_read: bool, tokens: &[(&str, Access)]) -> ApiAccess {
        ApiAccess {
            public_read,
            tokens: tokens
                .iter()
                .enumerate()
                .map(|(i, (t, a))| ApiToken {
                    env: format!("#{}", i + 1),
                    access: *a,
                    digest: digest(t.as_bytes()),
                })
                .collect(),
        }
    }

    /// What `presented` may do. Every configured token is compared, in constant time, whatever
    /// matches first.
    pub fn grant(&self, presented: &[u8]) -> Grant {
        let wanted = digest(presented);
        let mut best: Option<Access> = None;
        for t in &self.tokens {
            let hit: bool = t.digest.ct_eq(&wanted).into();
            if hit {
                best = best.max(Some(t.access));
            }
        }
        best.map_or(Grant::Invalid, Grant::Valid)
    }

    pub(crate) fn from_raw(
        tokens: &[Spanned<RawToken>],
        api: Option<&RawApi>,
        loc: &Locator,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<ApiAccess, SuiteError> {
        let mut out = ApiAccess {
            public_read: api.and_then(|a| a.public_read).unwrap_or(true),
            tokens: Vec::with_capacity(tokens.len()),
        };
        for t in tokens {
            let raw = t.get_ref();
            let name = raw.env.get_ref();
            let at = raw.env.span().start;
            let valid_name = !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !name.as_bytes()[0].is_ascii_digit();
            if !valid_name {
                return Err(loc.at(
                    at,
                    format!("[[token]] env = \"{name}\": name an environment variable (letters, digits, _)"),
                ));
            }
            let value = env(name).ok_or_else(|| {
                loc.at(
                    at,
                    format!("[[token]]: environment variable {name} is not set"),
                )
            })?;
            if value.trim().len() < 16 {
                return Err(loc.at(
                    at,
                    format!("[[token]]: the token in {name} is shorter than 16 characters; use a long random value"),
                ));
            }
            let access = match raw.access.as_ref().map(|a| a.get_ref().as_str()) {
                None | Some("read") => Access::Read,
                Some("read-write") => Access::ReadWrite,
                Some(other) => {
                    let at = raw.access.as_ref().map_or(at, |a| a.span().start);
                    return Err(loc.at(
                        at,
                        format!("[[token]] access = \"{other}\": use \"read\" or \"read-write\""),
                    ));
                }
            };
            out.tokens.push(ApiToken {
                env: name.clone(),
                access,
                digest: digest(value.trim().as_bytes()),
            });
        }
        Ok(out)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawToken {
    env: Spanned<String>,
    access: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawApi {
    public_read: Option<bool>,
}

#[cfg(test)]
mod tests {
    use crate::suite::MonitorSuite;
    use crate::suite_api::{Access, Grant};
    use std::path::Path;

    fn parse(text: &str) -> Result<MonitorSuite, apiprobe_probe::SuiteError> {
        let env = |n: &str| match n {
            "RO" => Some("read-only-token-0123456789".to_string()),
            "RW" => Some("  read-write-token-0123456789\n".to_string()),
            "SHORT" => Some("abc".to_string()),
            _ => None,
        };
        MonitorSuite::parse(text, "mon.toml", Path::new("."), &env)
    }

    const CHECK: &str = "[[check]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/\"\n";

    #[test]
    fn tokens_and_public_read() {
        let s = parse(&format!(
            "{CHECK}[api]\npublic_read = false\n[[token]]\nenv = \"RO\"\naccess = \"read\"\n[[token]]\nenv = \"RW\"\naccess = \"read-write\"\n"
        ))
        .expect("parses");
        assert!(!s.api.public_read);
        assert_eq!(s.api.tokens.len(), 2);
        assert_eq!(
            s.api.grant(b"read-only-token-0123456789"),
            Grant::Valid(Access::Read)
        );
        // The value is trimmed, as a shell `export X="$(cat file)"` may leave a line break.
        assert_eq!(
            s.api.grant(b"read-write-token-0123456789"),
            Grant::Valid(Access::ReadWrite)
        );
        assert_eq!(s.api.grant(b"read-write-token-012345678"), Grant::Invalid);
        assert_eq!(s.api.grant(b""), Grant::Invalid);
        // The token never shows in debug output.
        assert!(!format!("{:?}", s.api).contains("0123456789"));
    }

    #[test]
    fn defaults_without_tables() {
        let s = parse(CHECK).expect("parses");
        assert!(s.api.public_read && s.api.tokens.is_empty());
        assert_eq!(s.api.grant(b"anything"), Grant::Invalid);
    }

    #[test]
    fn broken_token_tables_name_file_and_line() {
        let cases = [
            (
                "[[token]]\nenv = \"NOPE\"\n",
                "mon.toml:6:7: [[token]]: environment variable NOPE is not set",
            ),
            (
                "[[token]]\nenv = \"RO\"\naccess = \"admin\"\n",
                "mon.toml:7:10: [[token]] access = \"admin\"",
            ),
            (
                "[[token]]\nenv = \"SHORT\"\n",
                "mon.toml:6:7: [[token]]: the token in SHORT is shorter",
            ),
            (
                "[[token]]\nenv = \"A B\"\n",
                "mon.toml:6:7: [[token]] env = \"A B\"",
            ),
            (
                "[[token]]\nenv = \"\"\n",
                "mon.toml:6:7: [[token]] env = \"\"",
            ),
            (
                "[[token]]\nenv = \"RO\"\nvalue = \"x\"\n",
                "mon.toml:7:1: unknown field `value`",
            ),
            (
                "[api]\npublic_read = \"no\"\n",
                "mon.toml:6:15: invalid type",
            ),
            (
                "[api]\nprivate = true\n",
                "mon.toml:6:1: unknown field `private`",
            ),
        ];
        for (tail, want) in cases {
            let text = format!("{CHECK}\n{tail}");
            let e = parse(&text).expect_err(tail).to_string();
            assert!(e.starts_with(want), "{tail:?}\n got: {e}\nwant: {want}");
        }
    }
}
