//! Query parameters of the monitor routes, read strictly: an unknown, repeated or malformed parameter
//! is a 400 naming it, never a silent default.

use super::problem::ApiError;
use apiprobe_catalog::Catalog;

/// The parameters of one request, as `(name, value)` pairs.
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Reads `query`, allowing only the names in `allowed`, each at most once.
    pub(crate) fn parse(query: Option<&str>, allowed: &[&str]) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
            .map_err(|e| {
                ApiError::BadQuery(format!("the query string is not form-encoded: {e}"))
            })?;
        for (i, (k, _)) in pairs.iter().enumerate() {
            if !allowed.contains(&k.as_str()) {
                let shown: String = k.chars().take(40).collect();
                return Err(ApiError::BadQuery(if allowed.is_empty() {
                    format!("'{shown}' is not a parameter here; this route takes none")
                } else {
                    format!(
                        "'{shown}' is not a parameter here; use {}",
                        allowed.join(", ")
                    )
                }));
            }
            if pairs[..i].iter().any(|(p, _)| p == k) {
                return Err(ApiError::BadQuery(format!("'{k}' is given more than once")));
            }
        }
        Ok(Params(pairs))
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A look-back window such as `24h`, `7d` or `90d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    /// Its length in milliseconds.
    pub ms: i64,
}

/// The windows [`Window::parse`] accepts, for the OpenAPI document: 1h to 9600h, 1d to 400d, 1w to
/// 57w, no leading zeros.
pub(crate) const WINDOW_PATTERN: &str = "^(?:[1-9][0-9]{0,2}|[1-8][0-9]{3}|9[0-5][0-9]{2}|9600)h$|^(?:[1-9][0-9]?|[1-3][0-9]{2}|400)d$|^(?:[1-9]|[1-4][0-9]|5[0-7])w$";
/// Unix milliseconds as [`time`] reads them (the other form is RFC 3339).
pub(crate) const MILLIS_PATTERN: &str = "^[0-9]{1,15}$";
/// A cursor as [`cursor`] reads it.
pub(crate) const CURSOR_PATTERN: &str = "^[1-9][0-9]{0,17}$";

/// A whole number of at most `max_digits` ASCII digits, without sign or leading zeros (`0` alone
/// is zero).
fn whole(v: &str, max_digits: usize) -> Option<i64> {
    let ok = !v.is_empty()
        && v.len() <= max_digits
        && v.bytes().all(|b| b.is_ascii_digit())
        && (v == "0" || !v.starts_with('0'));
    ok.then(|| v.parse().ok()).flatten()
}

pub(crate) const HOUR_MS: i64 = 3_600_000;
pub(crate) const DAY_MS: i64 = 86_400_000;
/// The longest window: daily rollups are kept about this long.
const MAX_WINDOW_DAYS: i64 = 400;

impl Window {
    pub(crate) const DAY: Window = Window { ms: DAY_MS };
    pub(crate) const MONTH: Window = Window { ms: 30 * DAY_MS };

    /// `N` followed by `h`, `d` or `w`, from one hour to 400 days, `N` without leading zeros:
    /// exactly the values [`WINDOW_PATTERN`] matches.
    pub(crate) fn parse(name: &str, value: &str) -> Result<Window, ApiError> {
        let bad = || {
            let shown: String = value.chars().take(40).collect();
            ApiError::BadQuery(format!(
                "{name}='{shown}': use a number of hours, days or weeks such as 24h, 7d, 30d, 12w (1h to {MAX_WINDOW_DAYS}d)"
            ))
        };
        let unit = value.chars().last().ok_or_else(bad)?;
        let digits = &value[..value.len() - unit.len_utf8()];
        let n = whole(digits, 4).ok_or_else(bad)?;
        let ms = match unit {
            'h' => n * HOUR_MS,
            'd' => n * DAY_MS,
            'w' => n * 7 * DAY_MS,
            _ => return Err(bad()),
        };
        if !(HOUR_MS..=MAX_WINDOW_DAYS * DAY_MS).contains(&ms) {
            return Err(bad());
        }
        Ok(Window { ms })
    }

    /// The window's own name, shortest form (`36h`, `7d`, `2w` is `14d`).
    pub(crate) fn label(self) -> String {
        if self.ms % DAY_MS == 0 {
            format!("{}d", self.ms / DAY_MS)
        } else {
            format!("{}h", self.ms / HOUR_MS)
        }
    }
}

/// The window named `name`, or `default`.
pub(crate) fn window(p: &Params, name: &str, default: Window) -> Result<Window, ApiError> {
    p.get(name).map_or(Ok(default), |v| Window::parse(name, v))
}

/// A time: RFC 3339 (`2026-01-02T03:04:05Z`) or unix milliseconds.
pub(crate) fn time(p: &Params, name: &str) -> Result<Option<i64>, ApiError> {
    let Some(v) = p.get(name) else {
        return Ok(None);
    };
    if v.len() <= 15 && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(ms) = v.parse::<i64>() {
            return Ok(Some(ms));
        }
    }
    chrono::DateTime::parse_from_rfc3339(v)
        .map(|t| Some(t.timestamp_millis()))
        .map_err(|_| {
            let shown: String = v.chars().take(40).collect();
            ApiError::BadQuery(format!(
                "{name}='{shown}': use RFC 3339 (2026-01-02T03:04:05Z) or unix milliseconds"
            ))
        })
}

/// A count from 1 to `max`, or `default`.
pub(crate) fn limit(p: &Params, default: i64, max: i64) -> Result<i64, ApiError> {
    let Some(v) = p.get("limit") else {
        return Ok(default);
    };
    match whole(v, 7) {
        Some(n) if (1..=max).contains(&n) => Ok(n),
        _ => {
            let shown: String = v.chars().take(40).collect();
            Err(ApiError::BadQuery(format!(
                "limit='{shown}': use a whole number from 1 to {max}"
            )))
        }
    }
}

/// The `cursor` of a page of runs, as returned in `next_cursor`.
pub(crate) fn cursor(p: &Params) -> Result<Option<i64>, ApiError> {
    let Some(v) = p.get("cursor") else {
        return Ok(None);
    };
    match whole(v, 18) {
        Some(n) if n > 0 => Ok(Some(n)),
        _ => {
            let shown: String = v.chars().take(40).collect();
            Err(ApiError::BadQuery(format!(
                "cursor='{shown}' is not a cursor of this API; pass next_cursor from the previous page as it came"
            )))
        }
    }
}

/// A catalog code, status or name, as the code runs are stored with; one the catalog does not have
/// is not found (404), as at `/api/v1/codes/{code}`.
pub(crate) fn code(p: &Params, catalog: &Catalog) -> Result<Option<String>, ApiError> {
    let Some(v) = p.get("code") else {
        return Ok(None);
    };
    match catalog.get(v) {
        Some(e) => Ok(Some(e.code.clone())),
        None => Err(ApiError::UnknownCode(format!(
            "{}{}",
            v.chars().take(40).collect::<String>(),
            catalog.suggest(v)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        assert_eq!(Window::parse("w", "24h").expect("24h").ms, DAY_MS);
        for (v, label) in [
            ("1h", "1h"),
            ("24h", "1d"),
            ("36h", "36h"),
            ("30d", "30d"),
            ("2w", "14d"),
            ("400d", "400d"),
        ] {
            assert_eq!(Window::parse("window", v).expect(v).label(), label);
        }
        for v in [
            "",
            "h",
            "0h",
            "30",
            "30m",
            "-1d",
            "401d",
            "1e3d",
            "99999999999d",
            "３d",
            "1dd",
            "1 d",
            "d1",
            "01d",
            "+1d",
            "58w",
            "9601h",
        ] {
            let e = Window::parse("window", v).expect_err(v);
            assert!(e.to_string().contains("use a number"), "{e}");
        }
    }

    #[test]
    fn strict_parameters() {
        let catalog = Catalog::builtin();
        let p = Params::parse(
            Some("limit=5&since=2026-01-02T03:04:05Z&code=PRB-2001&cursor=9"),
            &["limit", "since", "code", "cursor"],
        )
        .expect("ok");
        assert_eq!(limit(&p, 100, 1000).expect("limit"), 5);
        assert_eq!(time(&p, "since").expect("since"), Some(1_767_323_045_000));
        assert_eq!(
            code(&p, catalog).expect("code").as_deref(),
            Some("PRB-2001")
        );
        assert_eq!(cursor(&p).expect("cursor"), Some(9));
        let by_name = Params::parse(Some("code=MISSING_CREDENTIALS"), &["code"]).expect("ok");
        assert_eq!(
            code(&by_name, catalog).expect("code").as_deref(),
            Some("PRB-2001")
        );
        for (q, allowed) in [
            ("limit=1&limit=2", &["limit"][..]),
            ("bogus=1", &["limit"][..]),
            ("x=1", &[][..]),
            ("%zz", &["limit"][..]),
        ] {
            assert!(Params::parse(Some(q), allowed).is_err(), "{q}");
        }
        for q in [
            "limit=0",
            "limit=1001",
            "limit=-1",
            "limit=abc",
            "limit=",
            "limit=1e2",
            "limit=+5",
            "limit=05",
        ] {
            let p = Params::parse(Some(q), &["limit"]).expect("parses");
            assert!(limit(&p, 100, 1000).is_err(), "{q}");
        }
        for q in [
            "cursor=0",
            "cursor=-5",
            "cursor=abc",
            "cursor=+5",
            "cursor=99999999999999999999",
            "cursor=07",
        ] {
            let p = Params::parse(Some(q), &["cursor"]).expect("parses");
            assert!(cursor(&p).is_err(), "{q}");
        }
        for q in [
            "since=yesterday",
            "since=",
            "since=2026-13-01T00:00:00Z",
            "since=<script>",
        ] {
            let p = Params::parse(Some(q), &["since"]).expect("parses");
            assert!(time(&p, "since").is_err(), "{q}");
        }
        let p = Params::parse(Some("code=NOT_A_CODE"), &["code"]).expect("parses");
        assert!(code(&p, catalog).is_err());
    }
}
