//! The message reader: what an error message says in words, for formats no parser knows and for the
//! conditions a vendor's code leaves open. The phrases live in `data/phrases.toml`; each names the
//! condition it means (`maps_to`) and may capture the `field`, `resource` or `permission` the message
//! names. Vendor codes still win over the text; the text wins over the bare status.
//!
//! Cost: a message is at most a few hundred characters, and one pass of a keyword index picks the few
//! phrases whose words occur in it; only those whose match could still add something run their pattern
//! (compiled the first time it is needed). A message read a moment before on the same thread, at the
//! same status, is answered from a small memo of exact texts.

use crate::keywords::Keywords;
use crate::recent::Recent;
use std::sync::{LazyLock, OnceLock};

/// One phrase as `build.rs` checked and wrote it from `data/phrases.toml`.
#[derive(Debug)]
pub(crate) struct PhraseRow {
    /// Words of which at least one must occur (any case) before the pattern is tried.
    keywords: &'static [&'static str],
    /// A regular expression, case-insensitive unless it says `(?-i:...)`; named groups `field`,
    /// `resource`, `permission` capture what the message names.
    pattern: &'static str,
    /// The probe name the phrase means, when it names a condition at all.
    maps_to: Option<&'static str>,
    /// Only with this status class (`4xx`, `5xx`) or exact status.
    status: Option<&'static str>,
    /// The captured field is a header name: spaces become hyphens, words are capitalised.
    header: bool,
}

include!(concat!(env!("OUT_DIR"), "/phrases.rs"));

/// Longest text read; a message is cut to 500 characters before it gets here, a log line may not be.
const MAX_TEXT: usize = 4096;

/// Words a loose pattern may capture where a name should be (`The requested URL was not found`): the
/// sentence's own words, never a resource's name.
const NOT_NAMES: &[&str] = &[
    "was", "is", "were", "are", "has", "have", "been", "be", "not", "the", "a", "an", "it", "this",
    "that", "resource", "object", "item", "entity", "record", "page", "file", "url", "path",
    "route", "endpoint", "user", "value",
];

/// Words a loose pattern may capture where a field's name should be (`The field has an invalid value`).
const NOT_FIELDS: &[&str] = &[
    "the",
    "a",
    "an",
    "this",
    "that",
    "these",
    "those",
    "each",
    "every",
    "one",
    "some",
    "any",
    "no",
    "your",
    "its",
    "their",
    "provided",
    "given",
    "specified",
    "supplied",
    "following",
];

/// Most other conditions kept beside the first.
const MAX_OTHERS: usize = 3;

/// Longest value kept for a field, resource or permission: a longer capture is a sentence, not a name.
const MAX_NAME: usize = 200;

/// One phrase, its pattern compiled on first use: building all of them takes a third of a second in a
/// debug build and tens of milliseconds in a release one, too much for a command that explains one
/// response, whose message has keywords of only a few phrases. After that, reaching a compiled phrase
/// is one atomic load, so batch mode pays nothing for it.
#[derive(Debug)]
struct Phrase {
    row: &'static PhraseRow,
    compiled: OnceLock<Option<Compiled>>,
}

/// A phrase's pattern and which names it can capture.
#[derive(Debug)]
struct Compiled {
    regex: regex::Regex,
    field: bool,
    resource: bool,
    permission: bool,
}

impl Phrase {
    /// The compiled pattern; `None` only past the size limit (a test compiles every phrase).
    fn compiled(&self) -> Option<&Compiled> {
        self.compiled
            .get_or_init(|| {
                let regex = compile(self.row.pattern).ok()?;
                let has = |name: &str| regex.capture_names().any(|n| n == Some(name));
                Some(Compiled {
                    field: has("field"),
                    resource: has("resource"),
                    permission: has("permission"),
                    regex,
                })
            })
            .as_ref()
    }
}

impl Compiled {
    /// Whether a match could still change `out`: a condition not yet named (while there is room for
    /// it), or a name `out` still lacks. A phrase that could not is not searched at all, which leaves
    /// the reading exactly as searching it would.
    fn could_add(&self, maps_to: Option<&str>, out: &Reading) -> bool {
        maps_to.is_some_and(|m| out.would_take(m))
            || (self.field && out.field.is_none())
            || (self.resource && out.resource.is_none())
            || (self.permission && out.permission.is_none())
    }
}

fn compile(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(4 << 20)
        .build()
}

#[derive(Debug)]
struct Table {
    phrases: Vec<Phrase>,
    /// Every phrase's keywords.
    keywords: Keywords,
}

static TABLE: LazyLock<Option<Table>> = LazyLock::new(|| load(PHRASES));

/// Indexes the checked rows by keyword. The keywords are plain text: building the automaton fails only
/// past its size limits, far beyond any table; without it the reader reads nothing (a test builds it).
fn load(rows: &'static [PhraseRow]) -> Option<Table> {
    let keywords = Keywords::new(rows.iter().enumerate().flat_map(|(i, row)| {
        // The checked table holds a few hundred phrases; u32 cannot overflow.
        row.keywords.iter().map(move |k| (i as u32, *k))
    }))
    .ok()?;
    let phrases = rows
        .iter()
        .map(|row| Phrase {
            row,
            compiled: OnceLock::new(),
        })
        .collect();
    Some(Table { phrases, keywords })
}

/// What the words of a message say.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Reading {
    /// The probe name of the first phrase that names a condition.
    pub maps_to: Option<String>,
    /// The words that decided it, for the evidence.
    pub said: Option<String>,
    /// Other conditions later phrases name, with their words ("Either the resource does not exist or
    /// the user is not authorized"): the status may tell which of them it is.
    pub others: Vec<(String, String)>,
    /// The request field the message names.
    pub field: Option<String>,
    /// The resource the message names.
    pub resource: Option<String>,
    /// The permission or scope the message names.
    pub permission: Option<String>,
}

impl Reading {
    /// Whether a phrase naming condition `m` adds it: as the condition when none is named yet, else
    /// among the others while there is room and it is not named already.
    fn would_take(&self, m: &str) -> bool {
        match self.maps_to.as_deref() {
            None => true,
            Some(first) => {
                first != m
                    && self.others.len() < MAX_OTHERS
                    && !self.others.iter().any(|(o, _)| o == m)
            }
        }
    }

    /// Whether the message said anything this reader understood.
    pub fn is_empty(&self) -> bool {
        self.maps_to.is_none()
            && self.field.is_none()
            && self.resource.is_none()
            && self.permission.is_none()
    }
}

fn status_fits(rule: Option<&str>, status: u16) -> bool {
    match rule {
        None => true,
        Some("4xx") => (400..500).contains(&status),
        Some("5xx") => (500..600).contains(&status),
        Some(n) => n.parse::<u16>().is_ok_and(|n| n == status),
    }
}

/// A captured name cleaned of the quotes and punctuation around it; `None` when nothing is left.
fn clean(s: &str) -> Option<String> {
    let t = s
        .trim()
        .trim_matches(|c: char| matches!(c, '\'' | '"' | '`' | '‘' | '’' | '“' | '”'))
        .trim_end_matches(['.', ',', ';', ':', ')'])
        .trim();
    (!t.is_empty() && t.len() <= MAX_NAME).then(|| t.to_string())
}

/// A captured resource name, unless it is one of the sentence's own words.
fn resource_name(s: &str) -> Option<String> {
    clean(s).filter(|r| !NOT_NAMES.iter().any(|w| r.eq_ignore_ascii_case(w)))
}

/// Longest quote of the message's words in the evidence.
const MAX_QUOTE: usize = 60;

/// The words that matched, as the evidence quotes them: trimmed, cut at [`MAX_QUOTE`] characters.
fn quoted(s: &str) -> String {
    let t = s.trim();
    match t.char_indices().nth(MAX_QUOTE) {
        Some((i, _)) => format!("{}...", &t[..i]),
        None => t.to_string(),
    }
}

/// `user agent` -> `User-Agent`.
fn header_name(s: &str) -> String {
    s.split([' ', '-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f
                    .to_uppercase()
                    .chain(c.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join("-")
}

/// Reads a message. `status` 0 means unknown (a message copied from a UI): status-bound phrases
/// then do not apply.
pub(crate) fn read(text: &str, status: u16) -> Reading {
    if text.len() > RECENT_MAX_TEXT {
        return read_with(text, status, Search::Useful);
    }
    RECENT.with(|recent| {
        // Only reachable through re-entry, which nothing here does; reading afresh keeps it correct.
        let Ok(mut recent) = recent.try_borrow_mut() else {
            return read_with(text, status, Search::Useful);
        };
        let hash = recent.hash(text.as_bytes()) ^ u64::from(status).wrapping_mul(STATUS_MIX);
        if let Some((_, reading)) = recent
            .get(hash, text.as_bytes())
            .filter(|(kept, _)| *kept == status)
        {
            return reading.clone();
        }
        let reading = read_with(text, status, Search::Useful);
        *recent.keep(hash, text.as_bytes()) = (status, reading.clone());
        reading
    })
}

/// Recent messages per thread. An API's error messages come from a few templates, so most messages
/// in a log were read a moment before (the same "Bad credentials", the same "must not be blank"), even
/// when every line has its own request id and date. Keyed by the exact text and status, so a kept
/// reading is exactly what reading again would give; a message with an id of its own ("Order 64464
/// does not exist") simply takes its slot for a while.
const RECENT_SLOTS: usize = 512;

/// Longest message kept: longer text is read every time.
const RECENT_MAX_TEXT: usize = 512;

/// Spreads the status over the hash, so one text at two statuses takes two slots.
const STATUS_MIX: u64 = 0x9E37_79B9_7F4A_7C15;

thread_local! {
    static RECENT: std::cell::RefCell<Recent<(u16, Reading)>> =
        std::cell::RefCell::new(Recent::new(RECENT_SLOTS));
}

/// Which candidate phrases run their pattern.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Search {
    /// Only those whose match could still add to the reading.
    Useful,
    /// Every one: the plain way, which tests and the `message` fuzz target hold the other to.
    All,
}

/// For the `message` fuzz target: whether reading only the phrases that could still add something
/// reads what reading every candidate phrase reads.
pub(crate) fn skipping_agrees(text: &str, status: u16) -> bool {
    read_with(text, status, Search::Useful) == read_with(text, status, Search::All)
}

fn read_with(text: &str, status: u16, search: Search) -> Reading {
    let mut out = Reading::default();
    let Some(table) = TABLE.as_ref() else {
        return out;
    };
    let mut end = text.len().min(MAX_TEXT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let text = &text[..end];
    let mut candidates = Vec::new();
    // Table order is priority order, and the candidates come in it.
    table.keywords.candidates(text, &mut candidates);
    for i in candidates {
        let p = &table.phrases[i as usize];
        if !status_fits(p.row.status, status) {
            continue;
        }
        let Some(compiled) = p.compiled() else {
            continue;
        };
        if search == Search::Useful && !compiled.could_add(p.row.maps_to, &out) {
            continue;
        }
        let mut matches = compiled.regex.captures_iter(text);
        let Some(caps) = matches.next() else {
            continue;
        };
        if let Some(m) = p.row.maps_to {
            let said = || caps.get(0).map(|m| quoted(m.as_str())).unwrap_or_default();
            if out.would_take(m) {
                if out.maps_to.is_none() {
                    out.maps_to = Some(m.to_string());
                    out.said = Some(said());
                } else {
                    out.others.push((m.to_string(), said()));
                }
            }
        }
        let first_permission = caps.name("permission").and_then(|m| clean(m.as_str()));
        if out.field.is_none() {
            out.field = caps
                .name("field")
                .and_then(|m| clean(m.as_str()))
                .filter(|f| !NOT_FIELDS.iter().any(|w| f.eq_ignore_ascii_case(w)));
            if p.row.header {
                out.field = out.field.map(|f| header_name(&f));
            }
        }
        if out.resource.is_none() && caps.name("resource").is_some() {
            // A sentence's own word in the first match ("Not found: Resource not found: 00u1") may be
            // followed by the name in the next one.
            out.resource = std::iter::once(caps)
                .chain(matches.take(3))
                .find_map(|c| resource_name(c.name("resource")?.as_str()));
        }
        if out.permission.is_none() {
            out.permission = first_permission;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn r(text: &str) -> Reading {
        read(text, 400)
    }

    #[test]
    fn the_table_loads_and_every_phrase_compiles_to_a_catalog_name() {
        let catalog = apiprobe_catalog::Catalog::builtin();
        let table = TABLE.as_ref().expect("the keyword automaton builds");
        assert_eq!(table.phrases.len(), PHRASES.len());
        for (i, p) in table.phrases.iter().enumerate() {
            if let Err(e) = compile(p.row.pattern) {
                panic!("phrase {}: {e}", i + 1);
            }
            if let Some(m) = p.row.maps_to {
                assert!(catalog.by_name(m).is_some(), "{m} is not a probe name");
            }
        }
    }

    #[test]
    fn every_keyword_finds_its_phrase() {
        let table = TABLE.as_ref().expect("the keyword index builds");
        let mut got = Vec::new();
        for (i, row) in PHRASES.iter().enumerate() {
            for k in row.keywords {
                table.keywords.candidates(&k.to_ascii_uppercase(), &mut got);
                assert!(
                    got.contains(&(i as u32)),
                    "keyword {k:?} of phrase {}",
                    i + 1
                );
            }
        }
    }

    #[test]
    fn a_kept_reading_is_the_reading_of_that_text_at_that_status() {
        // Each text at several statuses in turn, twice: the second round comes from the memo.
        for _ in 0..2 {
            for text in MESSAGES {
                for status in [0, 400, 401, 404, 408, 503] {
                    assert_eq!(
                        read(text, status),
                        read_with(text, status, Search::All),
                        "{text:?} at {status}"
                    );
                }
            }
        }
        let long = format!(
            "Field 'email' must not be blank {}",
            "x".repeat(RECENT_MAX_TEXT)
        );
        assert_eq!(read(&long, 400).field.as_deref(), Some("email"));
    }

    #[test]
    fn the_embedded_rows_are_the_checked_file() {
        let checked = crate::embedded::phrases(
            "data/phrases.toml",
            include_str!("../data/phrases.toml"),
            apiprobe_catalog::Catalog::builtin(),
        )
        .expect("phrases.toml passes its checks");
        assert_eq!(checked.len(), PHRASES.len());
        for (c, row) in checked.iter().zip(PHRASES) {
            assert_eq!(c.pattern, row.pattern);
            assert_eq!(c.maps_to.as_deref(), row.maps_to);
        }
    }

    #[test]
    fn required_fields_in_the_usual_spellings() {
        for (text, field) in [
            ("Field 'email' must not be blank", "email"),
            ("\"name\" is required", "name"),
            ("max_tokens: Field required", "max_tokens"),
            ("must have required property 'name'", "name"),
            (
                "Required input 'mandatory-parameter' not provided",
                "mandatory-parameter",
            ),
            ("The parameter \"note_id\" is required.", "note_id"),
            ("Missing required parameter: customer", "customer"),
            ("label: Label must be specified", "label"),
            (
                "Error in `inputs.context`: field required",
                "inputs.context",
            ),
            (
                "Invalid request.  \"email\", \"name\" weren't supplied.",
                "email",
            ),
            (
                "account_holder_name must be present when creating",
                "account_holder_name",
            ),
            (
                "providerType: The field cannot be left blank",
                "providerType",
            ),
        ] {
            let got = r(text);
            assert_eq!(
                got.maps_to.as_deref(),
                Some("MISSING_REQUIRED_FIELD"),
                "{text}"
            );
            assert_eq!(got.field.as_deref(), Some(field), "{text}");
        }
    }

    #[test]
    fn invalid_values_name_their_field() {
        for (text, field) in [
            ("1 validation error detected: Value 'foobar' at 'gatewayARN' failed to satisfy constraint: Member must have length greater than or equal to 50", "gatewayARN"),
            ("\"age\" must be a number", "age"),
            ("Invalid request.  For 'properties/auto_trigger_checks', {} is not an array.", "auto_trigger_checks"),
            ("Invalid new_owner", "new_owner"),
            ("body/name must be string", "name"),
            ("to parameter is not a valid address", "to"),
            ("Invalid target field tempProperty", "tempProperty"),
            ("RSA key length in the 'jwks' is less than '2,048' bits", "jwks"),
        ] {
            let got = r(text);
            assert_eq!(got.maps_to.as_deref(), Some("INVALID_FIELD_VALUE"), "{text}");
            assert_eq!(got.field.as_deref(), Some(field), "{text}");
        }
    }

    #[test]
    fn missing_things_name_their_resource() {
        for (text, resource) in [
            (
                "No such customer: 'cus_K9Fo2BpabkGWva'",
                "cus_K9Fo2BpabkGWva",
            ),
            ("Could not find fine tune: 123", "123"),
            ("The model 'ft:123' does not exist", "ft:123"),
            ("No run step found with id 'step_123'.", "step_123"),
            ("DBInstance foobar not found.", "foobar"),
            ("The user with name foobar cannot be found.", "foobar"),
            ("Stack: foobar does not exist", "foobar"),
            ("Cannot find Load Balancer foobar", "foobar"),
            ("Unknown domain: foobar", "foobar"),
            ("Order 42 does not exist", "42"),
            (
                "No such object: gcsfs-testing/mapping/nonexistent",
                "gcsfs-testing/mapping/nonexistent",
            ),
            (
                "File/Folder does not exist: /dir/foo/bar [id][time]",
                "/dir/foo/bar",
            ),
        ] {
            let got = r(text);
            assert_eq!(got.maps_to.as_deref(), Some("RESOURCE_NOT_FOUND"), "{text}");
            assert_eq!(got.resource.as_deref(), Some(resource), "{text}");
        }
    }

    #[test]
    fn permissions_in_the_usual_spellings() {
        for (text, permission) in [
            ("Permission 'storage.objects.get' denied on resource", "storage.objects.get"),
            ("a@b.com does not have storage.buckets.delete access to the project.", "storage.buckets.delete"),
            ("User: arn:aws:iam::1:user/x is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k", "s3:GetObject"),
            ("The client 'x' with object id 'y' does not have authorization to perform action 'Microsoft.Storage/storageAccounts/read' over scope '/subscriptions/1' or the scope is invalid.", "Microsoft.Storage/storageAccounts/read"),
            ("Having the 'rak_charge_write' permission would allow this request to continue.", "rak_charge_write"),
            ("Must have admin rights to Repository.", "admin"),
        ] {
            let got = r(text);
            assert_eq!(got.permission.as_deref(), Some(permission), "{text}");
            assert!(got.maps_to.is_some(), "{text}");
        }
        let aws = r("User: u is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k because no policy allows it");
        assert_eq!(aws.resource.as_deref(), Some("arn:aws:s3:::b/k"));
    }

    #[test]
    fn conditions_without_names() {
        for (text, status, name) in [
            (
                "The access token is missing or invalid",
                401,
                "TOKEN_INVALID",
            ),
            ("You have exceeded your quota", 429, "QUOTA_EXCEEDED"),
            ("API rate limit exceeded for 1.2.3.4", 403, "RATE_LIMITED"),
            ("upstream request timeout", 504, "GATEWAY_TIMEOUT"),
            ("The service is down for maintenance", 503, "MAINTENANCE"),
            ("A user with this email already exists", 409, "CONFLICT"),
            ("The refresh token has been revoked", 400, "TOKEN_REVOKED"),
            ("Internal error, please retry", 500, "INTERNAL_ERROR"),
        ] {
            assert_eq!(read(text, status).maps_to.as_deref(), Some(name), "{text}");
        }
    }

    #[test]
    fn more_conditions_in_words() {
        for (text, status, name) in [
            ("Duplicate object", 400, "CONFLICT"),
            ("label: There is already an admin role with this name.", 400, "CONFLICT"),
            ("Expand query is malformed.", 400, "INVALID_QUERY_PARAMETER"),
            ("Provisioning is not supported.", 400, "BUSINESS_RULE_VIOLATION"),
            ("The transaction can no longer be refunded.", 200, "BUSINESS_RULE_VIOLATION"),
            ("The maximum allowed amount of monthly API requests has been reached.", 200, "QUOTA_EXCEEDED"),
            ("The permissions requested are not granted to this installation.", 422, "PERMISSION_DENIED"),
            ("'Expiration time' claim ('exp') must be a numeric value representing the future time", 401, "TOKEN_EXPIRED"),
            ("Content type 'text/plain' is not supported", 415, "UNSUPPORTED_MEDIA_TYPE"),
            ("The field has an invalid value", 400, "INVALID_FIELD_VALUE"),
        ] {
            assert_eq!(read(text, status).maps_to.as_deref(), Some(name), "{text}");
        }
        // A determiner is never a field's name.
        assert_eq!(r("The field has an invalid value").field, None);
        let got = r("Not found: Resource not found: 00usfhrjbkppPBkoY4x6 (User)");
        assert_eq!(got.resource.as_deref(), Some("00usfhrjbkppPBkoY4x6"));
        let got = r("A secret with (name/id) kv-secret-1 was not found in this key vault.");
        assert_eq!(got.resource.as_deref(), Some("kv-secret-1"));
        let got = read("Message Batch msgbatch_01AH has no available results.", 404);
        assert_eq!(got.resource.as_deref(), Some("msgbatch_01AH"));
        assert_eq!(
            read("Message Batch msgbatch_01AH has no results.", 400).resource,
            None
        );
    }

    #[test]
    fn headers_are_named_as_headers() {
        let got = r("Missing or invalid User Agent string.");
        assert_eq!(got.field.as_deref(), Some("User-Agent"));
        assert_eq!(got.maps_to.as_deref(), Some("INVALID_HEADER"));
        let got = read("If-Match header required", 428);
        assert_eq!(got.field.as_deref(), Some("If-Match"));
    }

    #[test]
    fn broken_huge_and_hostile_text() {
        assert!(r("").is_empty());
        assert!(r("\u{0}\u{1}\u{feff}").is_empty());
        assert!(r("everything went fine").is_empty());
        // A huge message is read only in its first part, and a capture cannot be a whole sentence.
        let huge = format!("Field '{}' is required", "a".repeat(100_000));
        assert_eq!(r(&huge).field, None);
        let long = "é".repeat(5000) + " not found";
        let _ = r(&long);
        let _ = r(&"'".repeat(10_000));
        let _ = r(&"No such ".repeat(2_000));
    }

    /// Real messages in the usual spellings, which tests join so that several phrases fire at once.
    const MESSAGES: &[&str] = &[
        "Field 'email' must not be blank",
        "\"name\" is required",
        "max_tokens: Field required",
        "must have required property 'name'",
        "The parameter \"note_id\" is required.",
        "Missing required parameter: customer",
        "label: Label must be specified",
        "1 validation error detected: Value 'foobar' at 'gatewayARN' failed to satisfy constraint: Member must have length greater than or equal to 50",
        "\"age\" must be a number",
        "Invalid request.  For 'properties/auto_trigger_checks', {} is not an array.",
        "Invalid new_owner",
        "body/name must be string",
        "to parameter is not a valid address",
        "Invalid target field tempProperty",
        "RSA key length in the 'jwks' is less than '2,048' bits",
        "Could not find fine tune: 123",
        "The model 'ft:123' does not exist",
        "No run step found with id 'step_123'.",
        "DBInstance foobar not found.",
        "The user with name foobar cannot be found.",
        "Stack: foobar does not exist",
        "Cannot find Load Balancer foobar",
        "Unknown domain: foobar",
        "Order 42 does not exist",
        "Permission 'storage.objects.get' denied on resource",
        "a@b.com does not have storage.buckets.delete access to the project.",
        "User: arn:aws:iam::1:user/x is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k",
        "The client 'x' with object id 'y' does not have authorization to perform action 'Microsoft.Storage/storageAccounts/read' over scope '/subscriptions/1' or the scope is invalid.",
        "Having the 'rak_charge_write' permission would allow this request to continue.",
        "Must have admin rights to Repository.",
        "You have exceeded your quota",
        "API rate limit exceeded for 1.2.3.4",
        "upstream request timeout",
        "The service is down for maintenance",
        "A user with this email already exists",
        "The refresh token has been revoked",
        "Internal error, please retry",
        "Duplicate object",
        "label: There is already an admin role with this name.",
        "Expand query is malformed.",
        "Provisioning is not supported.",
        "The transaction can no longer be refunded.",
        "The maximum allowed amount of monthly API requests has been reached.",
        "The permissions requested are not granted to this installation.",
        "'Expiration time' claim ('exp') must be a numeric value representing the future time",
        "Content type 'text/plain' is not supported",
        "The field has an invalid value",
        "Either the resource does not exist or the user is not authorized",
        "Not found: Resource not found: 00u1",
        "The access token is missing or invalid",
        "The requested URL was not found on this server",
        "Header If-Match is required",
    ];

    proptest! {
        #[test]
        fn never_panics(text in "(?s).{0,400}", status in 0u16..1000) {
            let _ = read(&text, status);
        }

        #[test]
        fn searching_only_useful_phrases_reads_what_searching_all_reads(
            parts in proptest::collection::vec(prop_oneof![
                4 => proptest::sample::select(MESSAGES).prop_map(str::to_string),
                2 => proptest::sample::select(
                    PHRASES.iter().flat_map(|p| p.keywords.iter().copied()).collect::<Vec<&str>>()
                ).prop_map(str::to_string),
                1 => prop_oneof![Just(". "), Just(" "), Just(": "), Just("'"), Just(" and ")]
                    .prop_map(str::to_string),
                1 => "[a-zA-Z_.:]{1,10}",
            ], 0..8),
            status in proptest::sample::select(vec![0u16, 400, 401, 403, 404, 408, 409, 422, 429, 500, 503]),
        ) {
            let text = parts.concat();
            prop_assert_eq!(
                read_with(&text, status, Search::Useful),
                read_with(&text, status, Search::All),
                "{:?} at {}", text, status
            );
        }

        #[test]
        fn never_panics_on_phrase_like_text(parts in proptest::collection::vec(prop_oneof![
            Just("Field ".to_string()), Just("'".to_string()), Just("\"".to_string()),
            Just(" is required".to_string()), Just(" not found".to_string()), Just("No such ".to_string()),
            Just(": ".to_string()), Just("Value '".to_string()), Just("' at '".to_string()),
            Just(" failed to satisfy constraint".to_string()), Just("Permission '".to_string()),
            Just("' denied".to_string()), "[a-zé_.:/-]{0,12}",
        ], 0..30)) {
            let text: String = parts.concat();
            let got = read(&text, 400);
            for v in [&got.field, &got.resource, &got.permission].into_iter().flatten() {
                prop_assert!(!v.is_empty() && v.len() <= MAX_NAME);
            }
        }
    }
}
