//! The data files this crate embeds, checked when it is built: the vendor code tables
//! (`data/vendors/*.toml`), the tool error-line rules (`data/tools/*.toml`), the message reader's
//! phrases (`data/phrases.toml`) and the vendor names the format parsers report (`src/vendor/*.rs`).
//!
//! `build.rs` compiles this file too. A mistake fails the build at file:line:col with a caret (the TOML
//! reader's span), unknown names get a "did you mean", and what passes is written out as Rust rows, so
//! at run time nothing is parsed and nothing can fail. The crate's own tests run the same checks on
//! broken files.

use apiprobe_catalog::{suggest, Catalog, SourceError};
use serde::Deserialize;
use std::fmt::Write as _;
use std::ops::Range;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    vendor: Spanned<String>,
    #[serde(default)]
    source: Option<Spanned<String>>,
    #[serde(default)]
    map: Vec<RawCode>,
    #[serde(default)]
    message: Vec<RawMessage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCode {
    code: Spanned<String>,
    maps_to: Spanned<String>,
    #[serde(default)]
    status: Option<Spanned<u16>>,
    #[serde(default)]
    refine: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMessage {
    contains: Spanned<String>,
    maps_to: Spanned<String>,
    #[serde(default)]
    status: Option<Spanned<u16>>,
}

/// A checked vendor table: the vendor, then `(code, maps_to, status, refine)` rows and `(phrase,
/// maps_to, status)` rows in file order (phrases lower-cased: they match ignoring case). `refine` marks
/// a code that covers several conditions, so the message's words may name the exact one.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub vendor: String,
    pub codes: Vec<(String, String, Option<u16>, bool)>,
    pub messages: Vec<(String, String, Option<u16>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuleFile {
    tool: Spanned<String>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    keyword: Spanned<String>,
    regex: Spanned<String>,
    #[serde(default)]
    code: Option<Spanned<String>>,
    #[serde(default)]
    alias_tool: Option<Spanned<String>>,
    #[serde(default)]
    maps_to: Option<Spanned<String>>,
    confidence: Spanned<f64>,
    #[serde(default)]
    wrapper: bool,
    #[serde(default)]
    code_first: bool,
}

/// A checked tool rule (see `crate::tool::rules::Rule` for what each part means).
#[derive(Debug, Clone, PartialEq)]
pub struct ToolRule {
    pub file: String,
    pub tool: String,
    pub keyword: String,
    pub regex: String,
    pub code: Option<String>,
    pub alias_tool: Option<String>,
    pub maps_to: Option<String>,
    pub confidence: f64,
    pub wrapper: bool,
    pub code_first: bool,
}

#[cfg(test)]
impl ToolRule {
    /// The rule as the crate holds it, borrowed.
    pub fn row(&self) -> crate::tool::rules::RuleRow<'_> {
        crate::tool::rules::RuleRow {
            file: &self.file,
            tool: &self.tool,
            keyword: &self.keyword,
            regex: &self.regex,
            code: self.code.as_deref(),
            alias_tool: self.alias_tool.as_deref(),
            maps_to: self.maps_to.as_deref(),
            confidence: self.confidence,
            wrapper: self.wrapper,
            code_first: self.code_first,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhraseFile {
    #[serde(default)]
    phrase: Vec<RawPhrase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhrase {
    keywords: Spanned<Vec<Spanned<String>>>,
    pattern: Spanned<String>,
    #[serde(default)]
    maps_to: Option<Spanned<String>>,
    #[serde(default)]
    status: Option<Spanned<String>>,
    #[serde(default)]
    header: bool,
}

/// A checked phrase of the message reader (see `crate::message` for what each part means).
#[derive(Debug, Clone, PartialEq)]
pub struct Phrase {
    pub keywords: Vec<String>,
    /// The pattern as the reader compiles it: `\w` already narrowed to ASCII.
    pub pattern: String,
    pub maps_to: Option<String>,
    pub status: Option<String>,
    pub header: bool,
}

/// The named groups a phrase may capture; any other name would be captured and never read.
const PHRASE_GROUPS: [&str; 3] = ["field", "resource", "permission"];

/// A phrase pattern as the message reader compiles it. Names in messages are ASCII; a Unicode `\w`
/// under case folding would make every pattern several times larger for nothing.
pub fn phrase_pattern(pattern: &str) -> String {
    pattern.replace("\\w", "[0-9A-Za-z_]")
}

fn at(file: &str, text: &str, span: Range<usize>, message: String) -> SourceError {
    SourceError::at(file, text, Some(span), message)
}

/// The file name without folders and extension (`data/vendors/aws.toml` -> `aws`).
fn stem(file: &str) -> &str {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    name.strip_suffix(".toml").unwrap_or(name)
}

/// The TOML reader's message at its span; an unknown field also gets the nearest known one (the
/// reader lists them as "expected one of `a`, `b`").
fn toml_error(file: &str, text: &str, e: toml::de::Error) -> SourceError {
    let mut message = e.message().trim().to_string();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or_default();
        let known = rest.split_once("expected").map_or("", |(_, k)| k);
        let hint = suggest(name, known.split('`').skip(1).step_by(2));
        message.push_str(&hint);
    }
    SourceError::at(file, text, e.span(), message)
}

/// A probe-code name (or code) the catalog knows, else an error with the nearest name.
fn known_target(
    file: &str,
    text: &str,
    catalog: &Catalog,
    name: &Spanned<String>,
) -> Result<String, SourceError> {
    let n = name.get_ref();
    if catalog.by_name(n).is_some() || catalog.by_code(n).is_some() {
        return Ok(n.clone());
    }
    Err(at(
        file,
        text,
        name.span(),
        format!(
            "maps_to '{n}' is not a probe-code name or code in the catalog{}",
            catalog.suggest(n)
        ),
    ))
}

fn http_status(
    file: &str,
    text: &str,
    status: Option<&Spanned<u16>>,
) -> Result<Option<u16>, SourceError> {
    match status {
        Some(s) if !(100..=599).contains(s.get_ref()) => Err(at(
            file,
            text,
            s.span(),
            format!("status {} is not an HTTP status (100 to 599)", s.get_ref()),
        )),
        Some(s) => Ok(Some(*s.get_ref())),
        None => Ok(None),
    }
}

fn non_empty(
    file: &str,
    text: &str,
    what: &str,
    v: &Spanned<String>,
) -> Result<String, SourceError> {
    if v.get_ref().trim().is_empty() {
        return Err(at(file, text, v.span(), format!("{what} is empty")));
    }
    Ok(v.get_ref().clone())
}

/// Checks one vendor table file (`file` as shown in messages, its stem is the vendor).
pub fn vendor_table(file: &str, text: &str, catalog: &Catalog) -> Result<Table, SourceError> {
    let raw: RawTable = toml::from_str(text).map_err(|e| toml_error(file, text, e))?;
    let vendor = raw.vendor.get_ref();
    if vendor != stem(file) {
        return Err(at(
            file,
            text,
            raw.vendor.span(),
            format!(
                "vendor '{vendor}' does not match the file name (rename the file or write vendor = \"{}\")",
                stem(file)
            ),
        ));
    }
    if let Some(source) = &raw.source {
        if !source.get_ref().starts_with("https://") {
            return Err(at(
                file,
                text,
                source.span(),
                "source must be an https:// link to the vendor's documentation".to_string(),
            ));
        }
    }
    let mut codes: Vec<(String, String, Option<u16>, bool)> = Vec::new();
    let mut seen: Vec<(String, Option<u16>, Range<usize>)> = Vec::new();
    for row in &raw.map {
        let code = non_empty(file, text, "code", &row.code)?;
        let maps_to = known_target(file, text, catalog, &row.maps_to)?;
        let status = http_status(file, text, row.status.as_ref())?;
        if let Some((_, _, first)) = seen.iter().find(|(c, s, _)| *c == code && *s == status) {
            let line = text[..first.start].matches('\n').count() + 1;
            return Err(at(
                file,
                text,
                row.code.span(),
                format!("code '{code}' is mapped twice (first on line {line})"),
            ));
        }
        seen.push((code.clone(), status, row.code.span()));
        codes.push((code, maps_to, status, row.refine));
    }
    let mut messages = Vec::new();
    for row in &raw.message {
        let contains = non_empty(file, text, "contains", &row.contains)?;
        let maps_to = known_target(file, text, catalog, &row.maps_to)?;
        let status = http_status(file, text, row.status.as_ref())?;
        messages.push((contains.to_lowercase(), maps_to, status));
    }
    Ok(Table {
        vendor: vendor.clone(),
        codes,
        messages,
    })
}

/// Checks one tool rule file (`file` as shown in messages, its stem is the tool).
pub fn tool_rules(file: &str, text: &str, catalog: &Catalog) -> Result<Vec<ToolRule>, SourceError> {
    let raw: RawRuleFile = toml::from_str(text).map_err(|e| toml_error(file, text, e))?;
    let tool = raw.tool.get_ref();
    if tool != stem(file) {
        return Err(at(
            file,
            text,
            raw.tool.span(),
            format!(
                "tool '{tool}' does not match the file name (rename the file or write tool = \"{}\")",
                stem(file)
            ),
        ));
    }
    let alias_tools = catalog.alias_tools();
    let mut out = Vec::new();
    for r in raw.rule {
        let keyword = non_empty(file, text, "keyword", &r.keyword)?;
        let regex = non_empty(file, text, "regex", &r.regex)?;
        if let Err(e) = regex_syntax::parse(&regex) {
            let why = match &e {
                regex_syntax::Error::Parse(p) => p.kind().to_string(),
                regex_syntax::Error::Translate(t) => t.kind().to_string(),
                other => other.to_string(),
            };
            return Err(at(
                file,
                text,
                r.regex.span(),
                format!("regex does not compile: {why}"),
            ));
        }
        let confidence = *r.confidence.get_ref();
        if !(0.0..=1.0).contains(&confidence) {
            return Err(at(
                file,
                text,
                r.confidence.span(),
                format!("confidence {confidence} is not between 0 and 1"),
            ));
        }
        let maps_to = match &r.maps_to {
            Some(m) => Some(known_target(file, text, catalog, m)?),
            None => None,
        };
        if let Some(a) = &r.alias_tool {
            if !alias_tools.contains(&a.get_ref().as_str()) {
                return Err(at(
                    file,
                    text,
                    a.span(),
                    format!(
                        "alias_tool '{}' has no alias table in the catalog{}",
                        a.get_ref(),
                        suggest(a.get_ref(), alias_tools.iter().copied())
                    ),
                ));
            }
        }
        out.push(ToolRule {
            file: stem(file).to_string() + ".toml",
            tool: tool.clone(),
            keyword,
            regex,
            code: r.code.map(Spanned::into_inner),
            alias_tool: r.alias_tool.map(Spanned::into_inner),
            maps_to,
            confidence,
            wrapper: r.wrapper,
            code_first: r.code_first,
        });
    }
    Ok(out)
}

/// Checks the message reader's phrase file: at least one non-empty keyword per phrase, a pattern that
/// compiles (case-insensitive, as the reader builds it) and captures only the groups the reader reads,
/// a `maps_to` that is a probe-code name, and a status that is `4xx`, `5xx` or an HTTP status.
pub fn phrases(file: &str, text: &str, catalog: &Catalog) -> Result<Vec<Phrase>, SourceError> {
    let raw: RawPhraseFile = toml::from_str(text).map_err(|e| toml_error(file, text, e))?;
    let mut out = Vec::with_capacity(raw.phrase.len());
    for p in raw.phrase {
        if p.keywords.get_ref().is_empty() {
            return Err(at(
                file,
                text,
                p.keywords.span(),
                "keywords is empty (the pattern is tried only when one of them occurs)".to_string(),
            ));
        }
        let mut keywords = Vec::with_capacity(p.keywords.get_ref().len());
        for k in p.keywords.get_ref() {
            keywords.push(non_empty(file, text, "keyword", k)?);
        }
        let pattern = phrase_pattern(&non_empty(file, text, "pattern", &p.pattern)?);
        let parsed = regex_syntax::ParserBuilder::new()
            .case_insensitive(true)
            .build()
            .parse(&pattern);
        let hir = match parsed {
            Ok(hir) => hir,
            Err(e) => {
                let why = match &e {
                    regex_syntax::Error::Parse(p) => p.kind().to_string(),
                    regex_syntax::Error::Translate(t) => t.kind().to_string(),
                    other => other.to_string(),
                };
                return Err(at(
                    file,
                    text,
                    p.pattern.span(),
                    format!("pattern does not compile: {why}"),
                ));
            }
        };
        if let Some(name) = group_names(&hir)
            .into_iter()
            .find(|n| !PHRASE_GROUPS.contains(&n.as_str()))
        {
            return Err(at(
                file,
                text,
                p.pattern.span(),
                format!(
                    "group '{name}' is not read (name groups field, resource or permission){}",
                    suggest(&name, PHRASE_GROUPS.iter().copied())
                ),
            ));
        }
        let maps_to = match &p.maps_to {
            Some(m) if catalog.by_name(m.get_ref()).is_none() => {
                return Err(at(
                    file,
                    text,
                    m.span(),
                    format!(
                        "maps_to '{}' is not a probe-code name in the catalog{}",
                        m.get_ref(),
                        catalog.suggest(m.get_ref())
                    ),
                ))
            }
            Some(m) => Some(m.get_ref().clone()),
            None => None,
        };
        let status = match &p.status {
            Some(st) => {
                let v = st.get_ref();
                let fits = matches!(v.as_str(), "4xx" | "5xx")
                    || v.parse::<u16>().is_ok_and(|n| (100..=599).contains(&n));
                if !fits {
                    return Err(at(
                        file,
                        text,
                        st.span(),
                        format!("status '{v}' is not 4xx, 5xx or an HTTP status (100 to 599)"),
                    ));
                }
                Some(v.clone())
            }
            None => None,
        };
        out.push(Phrase {
            keywords,
            pattern,
            maps_to,
            status,
            header: p.header,
        });
    }
    Ok(out)
}

/// The names of a pattern's named groups.
fn group_names(hir: &regex_syntax::hir::Hir) -> Vec<String> {
    use regex_syntax::hir::HirKind;
    let mut names = Vec::new();
    let mut stack = vec![hir];
    while let Some(h) = stack.pop() {
        match h.kind() {
            HirKind::Capture(c) => {
                if let Some(n) = &c.name {
                    names.push(n.to_string());
                }
                stack.push(&c.sub);
            }
            HirKind::Concat(v) | HirKind::Alternation(v) => stack.extend(v.iter()),
            HirKind::Repetition(r) => stack.push(&r.sub),
            _ => {}
        }
    }
    names
}

/// Checks that every vendor name a parser's source sets or compares (`vendor: Some("x")`,
/// `vendor = Some("x")`, `vendor == Some("x")`) has a table among `vendors`.
pub fn parser_vendors(file: &str, source: &str, vendors: &[&str]) -> Result<(), SourceError> {
    for pattern in ["vendor: Some(\"", "vendor = Some(\"", "vendor == Some(\""] {
        for (at_, _) in source.match_indices(pattern) {
            let start = at_ + pattern.len();
            let Some(len) = source[start..].find('"') else {
                continue;
            };
            let name = &source[start..start + len];
            if !vendors.contains(&name) {
                return Err(at(
                    file,
                    source,
                    start..start + len,
                    format!(
                        "vendor '{name}' has no table in data/vendors/ (add data/vendors/{name}.toml){}",
                        suggest(name, vendors.iter().copied())
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A string as a Rust literal.
fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn opt_lit(s: Option<&str>) -> String {
    s.map_or_else(|| "None".to_string(), |s| format!("Some({s:?})"))
}

/// Every table as Rust: `pub(crate) const TABLES: &[TableRows]` (the including module defines
/// `TableRows`).
pub fn tables_rust(tables: &[Table]) -> String {
    let mut out = String::from("/// Every vendor table, checked by `build.rs`.\npub(crate) const TABLES: &[TableRows] = &[\n");
    for t in tables {
        let _ = writeln!(
            out,
            "    TableRows {{\n        vendor: {},\n        codes: &[",
            lit(&t.vendor)
        );
        for (code, maps_to, status, refine) in &t.codes {
            let _ = writeln!(
                out,
                "            ({}, {}, {status:?}, {refine}),",
                lit(code),
                lit(maps_to)
            );
        }
        out.push_str("        ],\n        messages: &[\n");
        for (phrase, maps_to, status) in &t.messages {
            let _ = writeln!(
                out,
                "            ({}, {}, {status:?}),",
                lit(phrase),
                lit(maps_to)
            );
        }
        out.push_str("        ],\n    },\n");
    }
    out.push_str("];\n");
    out
}

/// Every tool rule as Rust: `pub(crate) const RULES: &[RuleRow<'static>]` (the including module
/// defines `RuleRow`).
pub fn rules_rust(rules: &[ToolRule]) -> String {
    let mut out = String::from("/// Every tool rule, checked by `build.rs`.\npub(crate) const RULES: &[RuleRow<'static>] = &[\n");
    for r in rules {
        let _ = writeln!(
            out,
            "    RuleRow {{ file: {}, tool: {}, keyword: {}, regex: {}, code: {}, alias_tool: {}, maps_to: {}, confidence: {:?}, wrapper: {}, code_first: {} }},",
            lit(&r.file),
            lit(&r.tool),
            lit(&r.keyword),
            lit(&r.regex),
            opt_lit(r.code.as_deref()),
            opt_lit(r.alias_tool.as_deref()),
            opt_lit(r.maps_to.as_deref()),
            r.confidence,
            r.wrapper,
            r.code_first,
        );
    }
    out.push_str("];\n");
    out
}

/// Every phrase as Rust: `pub(crate) const PHRASES: &[PhraseRow]` (the including module defines
/// `PhraseRow`).
pub fn phrases_rust(phrases: &[Phrase]) -> String {
    let mut out = String::from(
        "/// Every phrase of the message reader, checked by `build.rs`.\npub(crate) const PHRASES: &[PhraseRow] = &[\n",
    );
    for p in phrases {
        let keywords: Vec<String> = p.keywords.iter().map(|k| lit(k)).collect();
        let _ = writeln!(
            out,
            "    PhraseRow {{ keywords: &[{}], pattern: {}, maps_to: {}, status: {}, header: {} }},",
            keywords.join(", "),
            lit(&p.pattern),
            opt_lit(p.maps_to.as_deref()),
            opt_lit(p.status.as_deref()),
            p.header,
        );
    }
    out.push_str("];\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> &'static Catalog {
        Catalog::builtin()
    }

    fn table_error(file: &str, text: &str) -> String {
        vendor_table(file, text, catalog())
            .expect_err("the table is refused")
            .to_string()
    }

    fn rules_error(file: &str, text: &str) -> String {
        tool_rules(file, text, catalog())
            .expect_err("the rules are refused")
            .to_string()
    }

    #[test]
    fn a_good_table_is_read_in_order_with_phrases_lower_cased() {
        let t = vendor_table(
            "data/vendors/x.toml",
            "vendor = \"x\"\nsource = \"https://x.example/errors\"\n[[map]]\ncode = \"A\"\nmaps_to = \"RATE_LIMITED\"\nstatus = 429\n[[message]]\ncontains = \"Slow Down\"\nmaps_to = \"RATE_LIMITED\"\n",
            catalog(),
        )
        .expect("a good table");
        assert_eq!(t.vendor, "x");
        assert_eq!(
            t.codes,
            vec![("A".into(), "RATE_LIMITED".into(), Some(429), false)]
        );
        assert_eq!(t.messages[0].0, "slow down");
    }

    #[test]
    fn an_unknown_probe_name_is_located_and_a_near_one_suggested() {
        let e = table_error(
            "data/vendors/x.toml",
            "vendor = \"x\"\n\n[[map]]\ncode = \"A\"\nmaps_to = \"RATE_LIMITD\"\n",
        );
        assert!(
            e.starts_with("data/vendors/x.toml:5:11: maps_to 'RATE_LIMITD'"),
            "{e}"
        );
        assert!(e.contains("did you mean 'RATE_LIMITED'?"), "{e}");
        assert!(e.contains("5 | maps_to = \"RATE_LIMITD\""), "{e}");
    }

    #[test]
    fn broken_toml_and_unknown_fields_are_located() {
        let e = table_error("data/vendors/x.toml", "vendor = \"x\"\n[[map]]\ncode = \n");
        assert!(e.starts_with("data/vendors/x.toml:3:"), "{e}");
        let e = table_error(
            "data/vendors/x.toml",
            "vendor = \"x\"\n[[map]]\ncode = \"A\"\nmapsto = \"RATE_LIMITED\"\n",
        );
        assert!(
            e.starts_with("data/vendors/x.toml:4:1: unknown field `mapsto`"),
            "{e}"
        );
        assert!(e.contains("did you mean 'maps_to'?"), "{e}");
    }

    #[test]
    fn a_table_must_name_its_own_vendor_and_map_each_code_once() {
        let e = table_error("data/vendors/aws.toml", "vendor = \"azure\"\n");
        assert!(
            e.starts_with("data/vendors/aws.toml:1:10: vendor 'azure' does not match"),
            "{e}"
        );
        let twice = "vendor = \"x\"\n[[map]]\ncode = \"A\"\nmaps_to = \"CONFLICT\"\n[[map]]\ncode = \"A\"\nmaps_to = \"RATE_LIMITED\"\n";
        let e = table_error("x.toml", twice);
        assert!(
            e.starts_with("x.toml:6:8: code 'A' is mapped twice (first on line 3)"),
            "{e}"
        );
        let e = table_error(
            "x.toml",
            "vendor = \"x\"\n[[map]]\ncode = \"A\"\nmaps_to = \"CONFLICT\"\nstatus = 700\n",
        );
        assert!(
            e.starts_with("x.toml:5:10: status 700 is not an HTTP status"),
            "{e}"
        );
        let e = table_error("x.toml", "vendor = \"x\"\nsource = \"http://x\"\n");
        assert!(
            e.starts_with("x.toml:2:10: source must be an https:// link"),
            "{e}"
        );
    }

    #[test]
    fn broken_rules_are_located() {
        let head = "tool = \"x\"\n[[rule]]\nkeyword = \"refused\"\n";
        let e = rules_error(
            "x.toml",
            &format!("{head}regex = '(unclosed'\nconfidence = 0.5\n"),
        );
        assert!(
            e.starts_with("x.toml:4:9: regex does not compile: unclosed group"),
            "{e}"
        );
        let e = rules_error(
            "x.toml",
            &format!("{head}regex = 'refused'\nconfidence = 2.0\n"),
        );
        assert!(
            e.starts_with("x.toml:5:14: confidence 2 is not between 0 and 1"),
            "{e}"
        );
        let e = rules_error(
            "x.toml",
            &format!("{head}regex = 'refused'\nconfidence = 0.5\nmapsto = \"X\"\n"),
        );
        assert!(e.starts_with("x.toml:6:1: unknown field `mapsto`"), "{e}");
        let e = rules_error(
            "x.toml",
            &format!(
                "{head}regex = 'refused'\nconfidence = 0.5\nmaps_to = \"CONECTION_REFUSED\"\n"
            ),
        );
        assert!(e.contains("did you mean 'CONNECTION_REFUSED'?"), "{e}");
        let e = rules_error(
            "x.toml",
            &format!("{head}regex = 'refused'\nconfidence = 0.5\nalias_tool = \"crul\"\n"),
        );
        assert!(e.starts_with("x.toml:6:14: alias_tool 'crul'"), "{e}");
        assert!(e.contains("did you mean 'curl'?"), "{e}");
        let e = rules_error("y.toml", "tool = \"x\"\n");
        assert!(
            e.starts_with("y.toml:1:8: tool 'x' does not match the file name"),
            "{e}"
        );
        let e = rules_error(
            "x.toml",
            "tool = \"x\"\n[[rule]]\nkeyword = \" \"\nregex = 'a'\nconfidence = 0.5\n",
        );
        assert!(e.starts_with("x.toml:3:11: keyword is empty"), "{e}");
    }

    fn phrases_error(text: &str) -> String {
        phrases("data/phrases.toml", text, catalog())
            .expect_err("the phrases are refused")
            .to_string()
    }

    #[test]
    fn a_good_phrase_is_read_with_its_ascii_word_class() {
        let p = phrases(
            "p.toml",
            "[[phrase]]\nkeywords = [\"no such\"]\npattern = 'no such \\w+: (?P<resource>\\S+)'\nmaps_to = \"RESOURCE_NOT_FOUND\"\nstatus = \"4xx\"\n",
            catalog(),
        )
        .expect("a good phrase");
        assert_eq!(p[0].pattern, "no such [0-9A-Za-z_]+: (?P<resource>\\S+)");
        assert_eq!(p[0].status.as_deref(), Some("4xx"));
        assert!(phrases("p.toml", "", catalog())
            .expect("no phrases")
            .is_empty());
    }

    #[test]
    fn broken_phrases_are_located() {
        let head = "# phrases\n[[phrase]]\nkeywords = [\"x\"]\n";
        let e = phrases_error(&format!("{head}pattern = '(unclosed'\n"));
        assert!(
            e.starts_with("data/phrases.toml:4:11: pattern does not compile: unclosed group"),
            "{e}"
        );
        let e = phrases_error(&format!("{head}pattern = '(?P<feild>x)'\n"));
        assert!(
            e.starts_with("data/phrases.toml:4:11: group 'feild' is not read"),
            "{e}"
        );
        assert!(e.contains("did you mean 'field'?"), "{e}");
        let e = phrases_error(&format!("{head}pattern = 'x'\nmaps_to = \"RATE_LIMITD\"\n"));
        assert!(
            e.starts_with("data/phrases.toml:5:11: maps_to 'RATE_LIMITD'"),
            "{e}"
        );
        assert!(e.contains("did you mean 'RATE_LIMITED'?"), "{e}");
        let e = phrases_error(&format!("{head}pattern = 'x'\nstatus = \"6xx\"\n"));
        assert!(
            e.starts_with("data/phrases.toml:5:10: status '6xx' is not 4xx"),
            "{e}"
        );
        let e = phrases_error(&format!("{head}pattern = 'x'\nstatus = \"700\"\n"));
        assert!(e.starts_with("data/phrases.toml:5:10: status '700'"), "{e}");
        let e = phrases_error("[[phrase]]\nkeywords = []\npattern = 'x'\n");
        assert!(
            e.starts_with("data/phrases.toml:2:12: keywords is empty"),
            "{e}"
        );
        let e = phrases_error("[[phrase]]\nkeywords = [\"a\", \" \"]\npattern = 'x'\n");
        assert!(
            e.starts_with("data/phrases.toml:2:18: keyword is empty"),
            "{e}"
        );
        let e = phrases_error(&format!("{head}pattern = 'x'\nmapsto = \"CONFLICT\"\n"));
        assert!(
            e.starts_with("data/phrases.toml:5:1: unknown field `mapsto`"),
            "{e}"
        );
        assert!(e.contains("did you mean 'maps_to'?"), "{e}");
        let e = phrases_error("phrase = 3\n");
        assert!(e.starts_with("data/phrases.toml:1:10:"), "{e}");
    }

    #[test]
    fn phrases_are_written_as_rust_literals() {
        let p = Phrase {
            keywords: vec!["it's".into(), "q\"".into()],
            pattern: "a\\sb".into(),
            maps_to: Some("CONFLICT".into()),
            status: None,
            header: true,
        };
        let rust = phrases_rust(&[p]);
        assert!(
            rust.contains(r#"PhraseRow { keywords: &["it's", "q\""], pattern: "a\\sb", maps_to: Some("CONFLICT"), status: None, header: true },"#),
            "{rust}"
        );
    }

    #[test]
    fn a_parser_vendor_without_a_table_is_located_with_a_suggestion() {
        let src = "fn parse() {\n    Finding {\n        vendor: Some(\"stripe\"),\n    };\n    f.vendor = Some(\"aws\");\n    if f.vendor == Some(\"stirpe\") {}\n}\n";
        let e = parser_vendors("src/vendor/x.rs", src, &["aws", "stripe"])
            .expect_err("stirpe has no table")
            .to_string();
        assert!(
            e.starts_with("src/vendor/x.rs:6:26: vendor 'stirpe' has no table"),
            "{e}"
        );
        assert!(e.contains("did you mean 'stripe'?"), "{e}");
        assert!(parser_vendors("x.rs", src, &["aws", "stripe", "stirpe"]).is_ok());
    }

    #[test]
    fn rows_are_written_as_rust_literals() {
        let t = Table {
            vendor: "x".into(),
            codes: vec![("q\"\\é".into(), "CONFLICT".into(), Some(409), true)],
            messages: vec![("m".into(), "RATE_LIMITED".into(), None)],
        };
        let rust = tables_rust(&[t]);
        assert!(
            rust.contains("(\"q\\\"\\\\é\", \"CONFLICT\", Some(409), true),"),
            "{rust}"
        );
        assert!(rust.contains("(\"m\", \"RATE_LIMITED\", None),"), "{rust}");
        let rules = tool_rules(
            "x.toml",
            "tool = \"x\"\n[[rule]]\nkeyword = \"a\"\nregex = '(?P<code>\\d+) a'\nconfidence = 0.5\nmaps_to = \"CONFLICT\"\n",
            catalog(),
        )
        .expect("a good rule");
        let rust = rules_rust(&rules);
        assert!(
            rust.contains("RuleRow { file: \"x.toml\", tool: \"x\", keyword: \"a\", regex: \"(?P<code>\\\\d+) a\", code: None, alias_tool: None, maps_to: Some(\"CONFLICT\"), confidence: 0.5, wrapper: false, code_first: false },"),
            "{rust}"
        );
    }
}
