//! Reading catalog data files: TOML text in, validated entries out, every problem located at file:line:col.
//!
//! This file is also compiled into `build.rs` (with `model.rs`), so the embedded catalog is checked by
//! exactly the code that checks a user's `--catalog` file.

use crate::model::{Alias, Category, Entry, Kind, Phase, Variant};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// The largest data file we read; a catalog is a few hundred kilobytes, anything near this is a mistake.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

/// A problem in a catalog data file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line, 0 when the problem is the whole file.
    pub line: usize,
    /// 1-based column (in characters), 0 when the problem is the whole file.
    pub column: usize,
    /// What is wrong, lower-case, no trailing period.
    pub message: String,
    /// The offending line of text, when there is one.
    pub line_text: Option<String>,
    /// How wide the caret should be under `line_text`.
    pub width: usize,
}

impl SourceError {
    fn whole_file(file: &str, message: impl Into<String>) -> Self {
        SourceError {
            file: file.to_string(),
            line: 0,
            column: 0,
            message: message.into(),
            line_text: None,
            width: 0,
        }
    }

    /// A problem at byte `span` of `text` (the whole file when `None`), as line, column and caret.
    pub fn at(
        file: &str,
        text: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        let Some(span) = span else {
            return SourceError::whole_file(file, message);
        };
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[..start].matches('\n').count() + 1;
        let column = text[line_start..start].chars().count() + 1;
        let line_text = text[line_start..line_end].trim_end_matches('\r');
        let end = span.end.clamp(start, line_end);
        let width = text[start..floor_char_boundary(text, end)]
            .chars()
            .count()
            .max(1);
        SourceError {
            file: file.to_string(),
            line,
            column,
            message: message.into(),
            line_text: Some(truncate(line_text, 200)),
            width,
        }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            return write!(f, "{}: {}", self.file, self.message);
        }
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        if let Some(text) = &self.line_text {
            let gutter = self.line.to_string().len();
            let pad: String = text
                .chars()
                .take(self.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(
                f,
                "\n{:gutter$} |\n{} | {}\n{:gutter$} | {}{}",
                "",
                self.line,
                text,
                "",
                pad,
                "^".repeat(self.width.min(80)),
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for SourceError {}

/// Bytes of a data file to text, refusing what cannot be a catalog.
pub fn decode<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, SourceError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(SourceError::whole_file(
            file,
            format!(
                "file is {} bytes, over the {} byte limit for a catalog file (is this the right file?)",
                bytes.len(),
                MAX_FILE_BYTES
            ),
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|b| **b == b'\n').count() + 1;
            let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
            Err(SourceError {
                file: file.to_string(),
                line,
                column,
                message: format!(
                    "invalid UTF-8 at byte {} (catalog files are UTF-8 TOML text; is this a binary file?)",
                    e.valid_up_to()
                ),
                line_text: None,
                width: 0,
            })
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryFile {
    #[serde(default)]
    entry: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    code: Spanned<String>,
    title: Spanned<String>,
    category: Spanned<Category>,
    meaning: Spanned<String>,
    likely_causes: Spanned<Vec<String>>,
    fixes: Spanned<Vec<String>>,
    retryable: bool,
    related: Option<Spanned<Vec<String>>>,
    origin: Option<Spanned<String>>,
    reference: Option<Spanned<String>>,
    #[serde(default)]
    variants: Vec<Variant>,
    default_probe: Option<Spanned<String>>,
    name: Option<Spanned<String>>,
    phase: Option<Phase>,
    statuses: Option<Spanned<Vec<u16>>>,
    message: Option<Spanned<String>>,
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AliasFile {
    tool: Spanned<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    alias: Vec<RawAlias>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlias {
    code: Spanned<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    text: Option<String>,
    maps_to: Spanned<String>,
    /// Further probe codes the tool reports with this same code (curl exits 28 for every timeout).
    #[serde(default)]
    also: Vec<Spanned<String>>,
    #[serde(default)]
    source: Option<String>,
}

/// An entry with where it was written, kept until the whole catalog is assembled.
#[derive(Debug, Clone)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    file: String,
    text_span: Range<usize>,
    related_span: Range<usize>,
}

/// One alias file, parsed but not yet attached to entries.
#[derive(Debug, Clone)]
pub struct AliasSet {
    file: String,
    tool: String,
    aliases: Vec<AliasRow>,
}

/// One `[[alias]]` row: the alias, the code it maps to and the codes it also names, with their spans.
#[derive(Debug, Clone)]
struct AliasRow {
    alias: Alias,
    targets: Vec<(String, Range<usize>)>,
}

fn toml_error(file: &str, text: &str, e: toml::de::Error) -> SourceError {
    let message = e.message().trim().trim_end_matches('.').to_string();
    SourceError::at(file, text, e.span(), message)
}

/// Parses one entry file (`[[entry]]` tables) and checks each entry on its own.
pub fn parse_entries(file: &str, text: &str) -> Result<Vec<Located<Entry>>, SourceError> {
    if text.trim().is_empty() {
        return Err(SourceError::whole_file(
            file,
            "file is empty (expected [[entry]] tables; see the catalog data README)",
        ));
    }
    let parsed: EntryFile = toml::from_str(text).map_err(|e| toml_error(file, text, e))?;
    if parsed.entry.is_empty() {
        return Err(SourceError::whole_file(
            file,
            "file has no [[entry]] tables",
        ));
    }
    parsed
        .entry
        .into_iter()
        .map(|raw| check_entry(file, text, raw))
        .collect()
}

fn err<T>(
    file: &str,
    text: &str,
    span: Range<usize>,
    msg: impl Into<String>,
) -> Result<T, SourceError> {
    Err(SourceError::at(file, text, Some(span), msg))
}

fn is_screaming_snake(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && !s.ends_with('_')
        && !s.contains("__")
}

fn check_entry(file: &str, text: &str, raw: RawEntry) -> Result<Located<Entry>, SourceError> {
    let code_span = raw.code.span();
    let code = raw.code.into_inner();
    let category_span = raw.category.span();
    let category = raw.category.into_inner();
    for (what, value) in [("title", &raw.title), ("meaning", &raw.meaning)] {
        if value.get_ref().trim().is_empty() {
            return err(
                file,
                text,
                value.span(),
                format!("{what} of {code} is empty"),
            );
        }
    }
    check_list(file, text, &code, "likely_causes", &raw.likely_causes, 2)?;
    check_list(file, text, &code, "fixes", &raw.fixes, 1)?;
    let Some(related) = raw.related else {
        return err(
            file,
            text,
            code_span,
            format!("entry {code} needs 'related' (a list of codes; [] when none)"),
        );
    };
    for r in related.get_ref() {
        if r.trim().is_empty() || r == &code {
            return err(
                file,
                text,
                related.span(),
                format!("related of {code} lists '{r}', which is empty or the entry itself"),
            );
        }
    }
    let statuses = raw
        .statuses
        .unwrap_or_else(|| Spanned::new(code_span.clone(), Vec::new()));
    let kind = if code.starts_with("PRB-") {
        Kind::Probe
    } else {
        Kind::Http
    };
    let mut entry = Entry {
        code: code.clone(),
        kind,
        title: raw.title.into_inner().trim().to_string(),
        category,
        meaning: raw.meaning.get_ref().trim().to_string(),
        likely_causes: raw.likely_causes.into_inner(),
        fixes: raw.fixes.into_inner(),
        retryable: raw.retryable,
        related: related.get_ref().clone(),
        status: None,
        origin: None,
        reference: None,
        variants: raw.variants,
        default_probe: None,
        name: None,
        phase: None,
        statuses: Vec::new(),
        message: None,
        aliases: Vec::new(),
        source: raw.source,
    };
    match kind {
        Kind::Http => {
            let status: u16 = match code.parse() {
                Ok(s) if code.len() == 3 && (400..=599).contains(&s) => s,
                _ => {
                    return err(file, text, code_span, format!(
                        "code '{code}' is neither an HTTP error status (400..=599) nor a probe code (PRB-CNNN)"
                    ))
                }
            };
            let expected = Category::for_status(status).unwrap_or(Category::Server);
            if category != expected {
                return err(file, text, category_span, format!(
                    "status {status} must be category '{expected}' (401, 403, 407 and 511 are auth, other 4xx client, 5xx server)"
                ));
            }
            for (what, field) in [
                ("name", raw.name.is_some()),
                ("phase", raw.phase.is_some()),
                ("message", raw.message.is_some()),
            ] {
                if field {
                    return err(
                        file,
                        text,
                        code_span,
                        format!("HTTP entry {code} cannot have '{what}' (only probe codes do)"),
                    );
                }
            }
            let origin = raw.origin.ok_or_else(|| {
                SourceError::at(
                    file,
                    text,
                    Some(code_span.clone()),
                    format!("HTTP entry {code} needs an 'origin' (IANA, nginx, Cloudflare, ...)"),
                )
            })?;
            let reference = raw.reference.ok_or_else(|| SourceError::at(file, text, Some(code_span.clone()), format!("HTTP entry {code} needs a 'reference' (the defining RFC or vendor document)")))?;
            if origin.get_ref().trim().is_empty() {
                return err(
                    file,
                    text,
                    origin.span(),
                    format!("origin of {code} is empty"),
                );
            }
            if reference.get_ref().trim().is_empty() {
                return err(
                    file,
                    text,
                    reference.span(),
                    format!("reference of {code} is empty"),
                );
            }
            for v in &entry.variants {
                if v.origin.trim().is_empty()
                    || v.meaning.trim().is_empty()
                    || v.title.trim().is_empty()
                {
                    return err(
                        file,
                        text,
                        code_span,
                        format!("a variant of {code} has an empty origin, title or meaning"),
                    );
                }
            }
            if let Some(d) = &raw.default_probe {
                if d.get_ref().trim().is_empty() {
                    return err(
                        file,
                        text,
                        d.span(),
                        format!("default_probe of {code} is empty"),
                    );
                }
            }
            entry.default_probe = raw.default_probe.map(|d| d.into_inner().trim().to_string());
            entry.status = Some(status);
            entry.origin = Some(origin.into_inner());
            entry.reference = Some(reference.into_inner());
        }
        Kind::Probe => {
            let digits = &code[4..];
            if digits.len() != 3 + 1
                || !digits.chars().all(|c| c.is_ascii_digit())
                || !matches!(&digits[..1], "1" | "2" | "3")
            {
                return err(file, text, code_span, format!("probe code '{code}' must look like PRB-CNNN with C = 1 (client), 2 (auth) or 3 (server)"));
            }
            if !digits.starts_with(category.digit()) {
                return err(file, text, category_span, format!(
                    "probe code {code} starts with {} but category is '{category}' (which needs PRB-{}NNN)",
                    &digits[..1], category.digit()
                ));
            }
            let name = raw.name.ok_or_else(|| {
                SourceError::at(
                    file,
                    text,
                    Some(code_span.clone()),
                    format!("probe entry {code} needs a 'name' (SCREAMING_SNAKE)"),
                )
            })?;
            if !is_screaming_snake(name.get_ref()) {
                return err(
                    file,
                    text,
                    name.span(),
                    format!(
                        "name '{}' of {code} is not SCREAMING_SNAKE_CASE",
                        name.get_ref()
                    ),
                );
            }
            let phase = raw.phase.ok_or_else(|| {
                SourceError::at(
                    file,
                    text,
                    Some(code_span.clone()),
                    format!(
                        "probe entry {code} needs a 'phase' ({})",
                        Phase::ALL
                            .iter()
                            .map(|p| p.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
            let message = raw.message.ok_or_else(|| {
                SourceError::at(
                    file,
                    text,
                    Some(code_span.clone()),
                    format!("probe entry {code} needs a 'message' template"),
                )
            })?;
            check_template(file, text, &code, &message)?;
            for s in statuses.get_ref() {
                if !(200..=599).contains(s) {
                    return err(
                        file,
                        text,
                        statuses.span(),
                        format!("statuses of {code} lists {s}, which is not a 2xx to 5xx status"),
                    );
                }
            }
            if raw.origin.is_some()
                || raw.reference.is_some()
                || !entry.variants.is_empty()
                || raw.default_probe.is_some()
            {
                return err(file, text, code_span, format!("probe entry {code} cannot have origin, reference, variants or default_probe (only HTTP entries do)"));
            }
            entry.name = Some(name.into_inner());
            entry.phase = Some(phase);
            entry.statuses = statuses.into_inner();
            entry.message = Some(message.into_inner());
        }
    }
    Ok(Located {
        value: entry,
        file: file.to_string(),
        text_span: code_span,
        related_span: related.span(),
    })
}

fn check_list(
    file: &str,
    text: &str,
    code: &str,
    what: &str,
    list: &Spanned<Vec<String>>,
    min: usize,
) -> Result<(), SourceError> {
    if list.get_ref().len() < min {
        return err(
            file,
            text,
            list.span(),
            format!(
                "{what} of {code} needs at least {min} item(s), found {}",
                list.get_ref().len()
            ),
        );
    }
    if list.get_ref().iter().any(|s| s.trim().is_empty()) {
        return err(
            file,
            text,
            list.span(),
            format!("{what} of {code} has an empty item"),
        );
    }
    Ok(())
}

fn check_template(
    file: &str,
    text: &str,
    code: &str,
    message: &Spanned<String>,
) -> Result<(), SourceError> {
    let m = message.get_ref();
    if m.trim().is_empty() {
        return err(
            file,
            text,
            message.span(),
            format!("message template of {code} is empty"),
        );
    }
    let mut depth = 0i32;
    let mut name = String::new();
    for c in m.chars() {
        match c {
            '{' if depth == 0 => {
                depth = 1;
                name.clear();
            }
            '}' if depth == 1 => {
                depth = 0;
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                {
                    return err(file, text, message.span(), format!("message template of {code} has a bad placeholder '{{{name}}}' (use {{snake_case}})"));
                }
            }
            '{' | '}' => {
                return err(
                    file,
                    text,
                    message.span(),
                    format!("message template of {code} has unbalanced braces"),
                )
            }
            c if depth == 1 => name.push(c),
            _ => {}
        }
    }
    if depth != 0 {
        return err(
            file,
            text,
            message.span(),
            format!("message template of {code} has an unclosed '{{'"),
        );
    }
    Ok(())
}

impl AliasSet {
    /// The tool this file names aliases for.
    pub fn tool(&self) -> &str {
        &self.tool
    }
}

/// Parses one alias file (`tool = "..."` and `[[alias]]` tables).
pub fn parse_aliases(file: &str, text: &str) -> Result<AliasSet, SourceError> {
    if text.trim().is_empty() {
        return Err(SourceError::whole_file(
            file,
            "alias file is empty (expected tool = \"...\" and [[alias]] tables)",
        ));
    }
    let parsed: AliasFile = toml::from_str(text).map_err(|e| toml_error(file, text, e))?;
    let tool = parsed.tool.get_ref().trim().to_ascii_lowercase();
    if tool.is_empty()
        || !tool
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return err(
            file,
            text,
            parsed.tool.span(),
            "tool must be a short lower-case name like 'curl' or 'node'",
        );
    }
    let _ = parsed.source;
    let mut seen = HashSet::new();
    let mut aliases = Vec::new();
    for raw in parsed.alias {
        let code = raw.code.get_ref().trim().to_string();
        if code.is_empty() {
            return err(file, text, raw.code.span(), "alias code is empty");
        }
        // Case matters for some tools (HAProxy's `sC` and `SC` are different termination states).
        if !seen.insert(code.clone()) {
            return err(
                file,
                text,
                raw.code.span(),
                format!("{tool} code '{code}' is listed twice"),
            );
        }
        let _ = raw.source;
        let alias = Alias {
            tool: tool.clone(),
            code,
            name: raw.name,
            text: raw.text,
            shared: false,
        };
        let targets = std::iter::once(&raw.maps_to)
            .chain(&raw.also)
            .map(|t| (t.get_ref().trim().to_string(), t.span()))
            .collect();
        aliases.push(AliasRow { alias, targets });
    }
    Ok(AliasSet {
        file: file.to_string(),
        tool,
        aliases,
    })
}

/// A file's text, kept so cross-file problems can still point at a line.
pub struct Text<'a> {
    /// The file name.
    pub file: &'a str,
    /// Its contents.
    pub text: &'a str,
}

fn locate(texts: &[Text<'_>], file: &str, span: Range<usize>, message: String) -> SourceError {
    match texts.iter().find(|t| t.file == file) {
        Some(t) => SourceError::at(file, t.text, Some(span), message),
        None => SourceError::whole_file(file, message),
    }
}

struct Origin {
    file: String,
    code: Range<usize>,
    related: Range<usize>,
}

/// Fails on the first HTTP entry without a `default_probe`. The built-in catalog requires one for every
/// status (every failure carries a probe code); a user's file may leave it out, and such a status then
/// gets the generic code of its category.
#[allow(dead_code)] // used by build.rs only
pub fn require_defaults(texts: &[Text<'_>], entries: &[Located<Entry>]) -> Result<(), SourceError> {
    match entries
        .iter()
        .find(|l| l.value.kind == Kind::Http && l.value.default_probe.is_none())
    {
        Some(l) => Err(locate(
            texts,
            &l.file,
            l.text_span.clone(),
            format!(
                "HTTP entry {} needs a 'default_probe': the probe code a response with this status gets when nothing in it says more",
                l.value.code
            ),
        )),
        None => Ok(()),
    }
}

/// Merges entry files in order (later files override earlier entries with the same code), attaches
/// aliases, and checks what only the whole catalog can show: unique names, known related codes,
/// distinct meanings.
pub fn assemble(
    texts: &[Text<'_>],
    base: Vec<Entry>,
    layers: Vec<Vec<Located<Entry>>>,
    alias_sets: Vec<AliasSet>,
) -> Result<Vec<Entry>, SourceError> {
    let mut entries: Vec<Entry> = base;
    let mut index: HashMap<String, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.code.clone(), i))
        .collect();
    // Where each entry read from a file was written, so whole-catalog problems can point at it.
    let mut where_of: HashMap<String, Origin> = HashMap::new();
    for layer in layers {
        let mut in_layer: HashMap<String, String> = HashMap::new();
        for l in layer {
            let code = l.value.code.clone();
            if let Some(first_file) = in_layer.get(&code) {
                return Err(locate(
                    texts,
                    &l.file,
                    l.text_span.clone(),
                    format!("duplicate code {code} (already defined in {first_file})"),
                ));
            }
            in_layer.insert(code.clone(), l.file.clone());
            where_of.insert(
                code.clone(),
                Origin {
                    file: l.file.clone(),
                    code: l.text_span.clone(),
                    related: l.related_span.clone(),
                },
            );
            match index.get(&code) {
                Some(&i) => {
                    let mut value = l.value;
                    if value.aliases.is_empty() {
                        value.aliases = std::mem::take(&mut entries[i].aliases);
                    }
                    entries[i] = value;
                }
                None => {
                    index.insert(code, entries.len());
                    entries.push(l.value);
                }
            }
        }
    }
    entries.sort_by_key(|e| sort_key(&e.code));
    let fail = |code: &str, related: bool, message: String| -> SourceError {
        match where_of.get(code) {
            Some(o) => locate(
                texts,
                &o.file,
                if related {
                    o.related.clone()
                } else {
                    o.code.clone()
                },
                message,
            ),
            None => SourceError::whole_file("<catalog>", message),
        }
    };
    let mut names: HashMap<&str, &str> = HashMap::new();
    let mut meanings: HashMap<String, &str> = HashMap::new();
    let codes: HashSet<&str> = entries.iter().map(|e| e.code.as_str()).collect();
    let name_set: HashSet<&str> = entries.iter().filter_map(|e| e.name.as_deref()).collect();
    for e in &entries {
        if let Some(name) = e.name.as_deref() {
            if let Some(other) = names.insert(name, &e.code) {
                // Point at whichever of the two was written in a file we can show (the user's).
                let (here, there) = if where_of.contains_key(e.code.as_str()) {
                    (e.code.as_str(), other)
                } else {
                    (other, e.code.as_str())
                };
                return Err(fail(
                    here,
                    false,
                    format!("name {name} of {here} is already used by {there}"),
                ));
            }
        }
        let norm = e
            .meaning
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if let Some(other) = meanings.insert(norm, &e.code) {
            return Err(fail(&e.code, false, format!("meaning of {} is word for word the meaning of {other}; say what is specific to this code", e.code)));
        }
        for r in &e.related {
            if !codes.contains(r.as_str()) && !name_set.contains(r.as_str()) {
                return Err(fail(
                    &e.code,
                    true,
                    format!(
                        "related code '{r}' of {} is not in the catalog{}",
                        e.code,
                        suggest(r, codes.iter().copied().chain(name_set.iter().copied()))
                    ),
                ));
            }
        }
    }
    let by_ref: HashMap<String, usize> = entries
        .iter()
        .enumerate()
        .flat_map(|(i, e)| {
            let mut keys = vec![(e.code.clone(), i)];
            if let Some(n) = &e.name {
                keys.push((n.clone(), i));
            }
            keys
        })
        .collect();
    // A status's default is written by probe name or code; it is stored as the code.
    let mut defaults: Vec<(usize, String)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let Some(wanted) = e.default_probe.as_deref() else {
            continue;
        };
        match by_ref
            .get(wanted)
            .or_else(|| by_ref.get(&wanted.to_ascii_uppercase()))
        {
            Some(&j) if entries[j].kind == Kind::Probe => {
                defaults.push((i, entries[j].code.clone()))
            }
            Some(_) => {
                return Err(fail(
                    &e.code,
                    false,
                    format!(
                        "default_probe of {} is '{wanted}', an HTTP status; a default names a probe code",
                        e.code
                    ),
                ))
            }
            None => {
                return Err(fail(
                    &e.code,
                    false,
                    format!(
                        "default_probe '{wanted}' of {} is not a probe code in the catalog{}",
                        e.code,
                        suggest(wanted, by_ref.keys().map(String::as_str))
                    ),
                ))
            }
        }
    }
    for (i, code) in defaults {
        entries[i].default_probe = Some(code);
    }
    let mut attach: Vec<(usize, Alias)> = Vec::new();
    for set in alias_sets {
        for AliasRow { alias, targets } in set.aliases {
            // The first target is the one the tool's code reads as; the others share the code.
            for (n, (target, span)) in targets.into_iter().enumerate() {
                let alias = Alias {
                    shared: n > 0,
                    ..alias.clone()
                };
                match by_ref.get(&target).or_else(|| by_ref.get(&target.to_ascii_uppercase())) {
                    Some(&i) if entries[i].kind == Kind::Probe => attach.push((i, alias)),
                    Some(_) => return Err(locate(texts, &set.file, span, format!("{} alias '{}' maps to {target}, an HTTP status; aliases map to probe codes", set.tool, alias.code))),
                    None => return Err(locate(texts, &set.file, span, format!("{} alias '{}' maps to unknown code '{target}'{}", set.tool, alias.code, suggest(&target, by_ref.keys().map(String::as_str))))),
                }
            }
        }
    }
    for (i, alias) in attach {
        entries[i].aliases.push(alias);
    }
    Ok(entries)
}

/// Sort order: HTTP statuses by number, then probe codes by number.
pub fn sort_key(code: &str) -> (u8, String) {
    if code.starts_with("PRB-") {
        (1, code.to_string())
    } else {
        (0, code.to_string())
    }
}

/// " (did you mean 'X'?)" for the nearest candidate, or nothing when none is close.
pub fn suggest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let w = wanted.to_ascii_uppercase();
    candidates
        .map(|c| (levenshtein(&w, &c.to_ascii_uppercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min()
        .map(|(_, c)| format!(" (did you mean '{c}'?)"))
        .unwrap_or_default()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screaming_snake_names() {
        assert!(is_screaming_snake("CONNECTION_REFUSED"));
        assert!(is_screaming_snake("HTTP2_ERROR"));
        for bad in ["", "connection_refused", "_X", "X_", "A__B", "A-B", "1ABC"] {
            assert!(!is_screaming_snake(bad), "{bad}");
        }
    }

    #[test]
    fn error_display_has_location_and_caret() {
        let text = "a = 1\nbad = [\n";
        let e = SourceError::at("f.toml", text, Some(6..9), "oops");
        assert_eq!(e.to_string(), "f.toml:2:1: oops\n  |\n2 | bad = [\n  | ^^^");
    }

    #[test]
    fn error_location_survives_multibyte_text_and_out_of_range_spans() {
        let text = "título = \"é\"\n";
        let e = SourceError::at("f.toml", text, Some(3..200), "x");
        assert_eq!((e.line, e.column), (1, 3));
        let e = SourceError::at("f.toml", text, Some(10_000..10_001), "x");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        let names = ["CONNECTION_REFUSED", "TOKEN_EXPIRED"];
        assert_eq!(
            suggest("CONECTION_REFUSED", names.iter().copied()),
            " (did you mean 'CONNECTION_REFUSED'?)"
        );
        assert_eq!(suggest("ZZZ", names.iter().copied()), "");
    }

    #[test]
    fn template_placeholders_are_checked() {
        let check = |m: &str| {
            let text = format!("message = {m:?}");
            let spanned = Spanned::new(0..text.len(), m.to_string());
            check_template("f", &text, "PRB-1001", &spanned).is_ok()
        };
        assert!(check("Field '{field}' is required"));
        assert!(!check("Field '{Field}' is required"));
        assert!(!check("Field '{field' is required"));
        assert!(!check("Field } is"));
        assert!(!check(""));
    }
}
