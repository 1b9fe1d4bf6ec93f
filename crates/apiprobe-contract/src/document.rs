//! Loading an OpenAPI document: a file or URL, YAML or JSON, with every `$ref` (inside the document or
//! to sibling files) checked before any request is sent, so a broken document is reported once, with the
//! file, the JSON pointer and the line of the bad reference.

use crate::order::{self, PathOrder};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::Arc;
use url::Url;

/// Largest document (each file) read. Real public documents stay far below this (the biggest we know
/// run to about 15 MB as JSON); a larger file is far more likely a mistake or hostile.
pub const MAX_DOCUMENT_BYTES: u64 = 32 << 20;

/// Longest chain of `$ref`s followed before giving up.
const MAX_REF_CHAIN: usize = 64;

/// Why a document could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The file could not be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        reason: String,
    },
    /// The file is over [`MAX_DOCUMENT_BYTES`].
    #[error("{path} is {size} bytes, over the {limit} byte limit for an OpenAPI document")]
    TooLarge {
        /// The file or URL.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A URL could not be fetched.
    #[error("cannot fetch {url}: {reason}")]
    Fetch {
        /// The URL.
        url: String,
        /// What went wrong, with its catalog code.
        reason: String,
    },
    /// Neither valid JSON nor valid YAML.
    #[error("{path}:{line}:{column}: not valid {syntax}: {reason}")]
    Parse {
        /// The file.
        path: String,
        /// JSON or YAML.
        syntax: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        reason: String,
    },
    /// Valid data, but not an OpenAPI 3.0 or 3.1 document.
    #[error("{path} is not an OpenAPI 3.0 or 3.1 document: {reason}")]
    NotOpenApi {
        /// The file.
        path: String,
        /// What is missing or wrong.
        reason: String,
    },
    /// A `$ref` that leads nowhere.
    #[error("{path}:{line}: $ref '{target}' at {pointer} cannot be resolved: {reason}")]
    UnresolvedRef {
        /// The file holding the `$ref`.
        path: String,
        /// 1-based line of the `$ref` (0 when it could not be found in the text).
        line: usize,
        /// JSON pointer of the object holding the `$ref`.
        pointer: String,
        /// The reference as written.
        target: String,
        /// Why it fails.
        reason: String,
    },
    /// `$ref`s that point at each other without ever reaching a value.
    #[error("{path}:{line}: $ref cycle with no value in it: {chain}")]
    RefCycle {
        /// The file where the cycle starts.
        path: String,
        /// 1-based line of its first `$ref`.
        line: usize,
        /// The references in order, ` -> ` between them.
        chain: String,
    },
}

/// The OpenAPI version, which picks the JSON Schema dialect of its schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// OpenAPI 3.0: an extended subset of JSON Schema draft 4/5 (`nullable`, boolean `exclusiveMinimum`).
    V30,
    /// OpenAPI 3.1: JSON Schema 2020-12.
    V31,
}

/// A place in the loaded files: the file's URI and a JSON pointer into it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Loc {
    /// Absolute URI of the file (`file:///...` or `https://...`).
    pub file: Arc<str>,
    /// JSON pointer, `""` for the whole file.
    pub pointer: String,
}

impl Loc {
    /// The location of member `key` (or array index) of the value here.
    pub fn child(&self, key: &str) -> Loc {
        let mut pointer = String::with_capacity(self.pointer.len() + key.len() + 1);
        pointer.push_str(&self.pointer);
        pointer.push('/');
        pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
        Loc {
            file: self.file.clone(),
            pointer,
        }
    }

    /// The location as a URI with the pointer as fragment, percent-encoded as RFC 6901 section 6 asks.
    pub fn uri(&self) -> String {
        let mut s = String::with_capacity(self.file.len() + self.pointer.len() + 1);
        s.push_str(&self.file);
        s.push('#');
        for b in self.pointer.bytes() {
            if b.is_ascii_alphanumeric() || b"/~-._".contains(&b) {
                s.push(b as char);
            } else {
                s.push_str(&format!("%{b:02X}"));
            }
        }
        s
    }
}

/// Fetches a document by URL; the CLI passes one built on the probe's client.
pub trait Fetch {
    /// The body of a successful GET of `url`, or why there is none.
    fn fetch(&self, url: &Url) -> impl std::future::Future<Output = Result<Vec<u8>, String>>;
}

/// A loaded document and the sibling files it refers to, every `$ref` checked.
#[derive(Debug)]
pub struct Document {
    files: HashMap<Arc<str>, Value>,
    texts: HashMap<Arc<str>, String>,
    root: Arc<str>,
    version: Version,
    order: PathOrder,
    /// The name errors give the root file when it was not read from a path or URL.
    label: Option<String>,
}

impl Document {
    /// Loads `source` (a path, or an http/https URL) and every file its `$ref`s name.
    pub async fn load(source: &str, fetcher: &impl Fetch) -> Result<Document, DocumentError> {
        let root = to_url(source)?;
        let mut files = HashMap::new();
        let mut texts = HashMap::new();
        let mut root_order = None;
        let mut queue = VecDeque::from([root.clone()]);
        while let Some(url) = queue.pop_front() {
            let key: Arc<str> = Arc::from(url.as_str());
            if files.contains_key(&key) {
                continue;
            }
            let bytes = read(&url, fetcher).await?;
            let text = utf8(&display(&url), bytes)?;
            let (value, order) = parse(&display(&url), &text)?;
            root_order.get_or_insert(order);
            for r in refs_in(&value) {
                if let Some(other) = other_file(&url, &r.target) {
                    queue.push_back(other);
                }
            }
            files.insert(key.clone(), value);
            texts.insert(key, text);
        }
        let root_key: Arc<str> = Arc::from(root.as_str());
        let version = version_of(&display(&root), &files[&root_key])?;
        let doc = Document {
            files,
            texts,
            root: root_key,
            version,
            order: root_order.unwrap_or_default(),
            label: None,
        };
        doc.check_refs()?;
        Ok(doc)
    }

    /// Parses one in-memory document given as bytes (no sibling files): text that is not UTF-8 is an
    /// error naming the line and column of the first bad byte.
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<Document, DocumentError> {
        if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
            return Err(DocumentError::TooLarge {
                path: name.to_string(),
                size: bytes.len() as u64,
                limit: MAX_DOCUMENT_BYTES,
            });
        }
        Document::from_text(name, &utf8(name, bytes.to_vec())?)
    }

    /// Parses one in-memory document (no sibling files), as tests and fuzzing do.
    pub fn from_text(name: &str, text: &str) -> Result<Document, DocumentError> {
        let (value, order) = parse(name, text)?;
        let version = version_of(name, &value)?;
        let root: Arc<str> = Arc::from("file:///document");
        let doc = Document {
            files: HashMap::from([(root.clone(), value)]),
            texts: HashMap::from([(root.clone(), text.to_string())]),
            root,
            version,
            order,
            label: Some(name.to_string()),
        };
        doc.check_refs()?;
        Ok(doc)
    }

    /// The OpenAPI version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The root file's `paths` members as written, each with its path item's members as written.
    pub(crate) fn path_order(&self) -> &PathOrder {
        &self.order
    }

    /// The root file's location.
    pub fn root(&self) -> Loc {
        Loc {
            file: self.root.clone(),
            pointer: String::new(),
        }
    }

    /// The root file's URI.
    pub fn root_uri(&self) -> &str {
        &self.root
    }

    /// Every loaded file, by URI.
    pub fn files(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.files.iter().map(|(k, v)| (&**k, v))
    }

    /// The value at `loc`, if there is one (no `$ref` followed).
    pub fn get(&self, loc: &Loc) -> Option<&Value> {
        let v = self.files.get(&loc.file)?;
        if loc.pointer.is_empty() {
            Some(v)
        } else {
            v.pointer(&loc.pointer)
        }
    }

    /// Follows `$ref`s from `loc` until a value without one; the location where it ended and the value.
    /// Loading checked every reference, so this fails only for references it could not check
    /// (plain-name fragments such as `#node`); those resolve to nothing.
    pub fn resolve(&self, loc: &Loc) -> Option<(Loc, &Value)> {
        let mut here = loc.clone();
        for _ in 0..MAX_REF_CHAIN {
            let v = self.get(&here)?;
            match v.get("$ref").and_then(Value::as_str) {
                Some(target) => here = self.target_of(&here.file, target).ok()?,
                None => return Some((here, v)),
            }
        }
        None
    }

    /// The value at `loc` with `$ref`s followed, or `Value::Null` when there is none.
    pub fn value(&self, loc: &Loc) -> &Value {
        static NULL: Value = Value::Null;
        self.resolve(loc).map(|(_, v)| v).unwrap_or(&NULL)
    }

    fn target_of(&self, file: &str, target: &str) -> Result<Loc, String> {
        let base = Url::parse(file).map_err(|e| e.to_string())?;
        let (path, fragment) = match target.split_once('#') {
            Some((p, f)) => (p, f),
            None => (target, ""),
        };
        let file: Arc<str> = if path.is_empty() {
            Arc::from(file)
        } else {
            let u = base
                .join(path)
                .map_err(|e| format!("not a valid reference: {e}"))?;
            let key: Arc<str> = Arc::from(u.as_str());
            if !self.files.contains_key(&key) {
                return Err(format!("{} was not loaded", display(&u)));
            }
            key
        };
        let pointer = percent_decode(fragment);
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(format!(
                "'#{fragment}' is a plain-name fragment; only JSON pointers (#/...) are followed"
            ));
        }
        let loc = Loc { file, pointer };
        if self.get(&loc).is_none() {
            return Err(format!(
                "nothing at '{}' in {}",
                loc.pointer,
                self.shown(&loc.file)
            ));
        }
        Ok(loc)
    }

    /// A file as errors name it: its path or URL, or the name given to an in-memory document.
    fn shown(&self, file: &str) -> String {
        match &self.label {
            Some(name) if *file == *self.root => name.clone(),
            _ => short(file),
        }
    }

    /// Every `$ref` resolves, and no chain of `$ref`s loops without reaching a value.
    fn check_refs(&self) -> Result<(), DocumentError> {
        let mut keys: Vec<&Arc<str>> = self.files.keys().collect();
        keys.sort();
        for file in keys {
            for r in refs_in(&self.files[file]) {
                // Found by scanning the text: only for the error, not for each of the thousands of
                // `$ref`s a large document holds.
                let line = || self.line_of(file, &r.target);
                let at = Loc {
                    file: file.clone(),
                    pointer: r.pointer.clone(),
                };
                if let Err(reason) = self.target_of(file, &r.target) {
                    // Plain-name fragments (`#node`, JSON Schema anchors) are left to the validator.
                    if reason.contains("plain-name fragment") {
                        continue;
                    }
                    return Err(DocumentError::UnresolvedRef {
                        path: self.shown(file),
                        line: line(),
                        pointer: display_pointer(&r.pointer),
                        target: r.target,
                        reason,
                    });
                }
                if let Err(chain) = self.check_chain(&at) {
                    return Err(DocumentError::RefCycle {
                        path: self.shown(file),
                        line: line(),
                        chain,
                    });
                }
            }
        }
        Ok(())
    }

    /// Follows the `$ref`s from `start`; the chain, ` -> ` between its references, when it loops.
    fn check_chain(&self, start: &Loc) -> Result<(), String> {
        let mut seen = HashSet::new();
        let mut chain = Vec::new();
        let mut here = start.clone();
        loop {
            let Some(target) = self
                .get(&here)
                .and_then(|v| v.get("$ref"))
                .and_then(Value::as_str)
            else {
                return Ok(());
            };
            chain.push(target.to_string());
            if !seen.insert(here.clone()) || chain.len() > MAX_REF_CHAIN {
                return Err(chain.join(" -> "));
            }
            match self.target_of(&here.file, target) {
                Ok(next) => here = next,
                Err(_) => return Ok(()),
            }
        }
    }

    /// The 1-based line of the first `$ref` naming `target`, for error messages; 0 when not found.
    fn line_of(&self, file: &str, target: &str) -> usize {
        let Some(text) = self.texts.get(file) else {
            return 0;
        };
        text.lines()
            .position(|l| l.contains("$ref") && l.contains(target))
            .map_or(0, |i| i + 1)
    }
}

/// A `$ref` found in a file: where it is and what it names.
struct RefSite {
    pointer: String,
    target: String,
}

/// Every `$ref` string in `v`, with the pointer of the object holding it. Iterative, so a deeply nested
/// hostile file cannot exhaust the stack (the parsers already cap nesting at 128).
fn refs_in(v: &Value) -> Vec<RefSite> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), v)];
    while let Some((pointer, v)) = stack.pop() {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(t)) = m.get("$ref") {
                    out.push(RefSite {
                        pointer: pointer.clone(),
                        target: t.clone(),
                    });
                }
                for (k, child) in m {
                    if k == "$ref" {
                        continue;
                    }
                    let key = k.replace('~', "~0").replace('/', "~1");
                    stack.push((format!("{pointer}/{key}"), child));
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    stack.push((format!("{pointer}/{i}"), child));
                }
            }
            _ => {}
        }
    }
    out.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    out
}

/// The file a reference names, when it names another file than `base`.
fn other_file(base: &Url, target: &str) -> Option<Url> {
    let path = target.split('#').next().unwrap_or("");
    if path.is_empty() {
        return None;
    }
    let mut u = base.join(path).ok()?;
    u.set_fragment(None);
    matches!(u.scheme(), "file" | "http" | "https").then_some(u)
}

fn to_url(source: &str) -> Result<Url, DocumentError> {
    if source.starts_with("http://") || source.starts_with("https://") {
        return Url::parse(source).map_err(|e| DocumentError::Fetch {
            url: source.to_string(),
            reason: e.to_string(),
        });
    }
    let path = Path::new(source);
    let abs = std::fs::canonicalize(path).map_err(|e| DocumentError::Read {
        path: source.to_string(),
        reason: e.to_string(),
    })?;
    Url::from_file_path(&abs).map_err(|()| DocumentError::Read {
        path: source.to_string(),
        reason: "not an absolute path".into(),
    })
}

async fn read(url: &Url, fetcher: &impl Fetch) -> Result<Vec<u8>, DocumentError> {
    if url.scheme() == "file" {
        let path = url.to_file_path().map_err(|()| DocumentError::Read {
            path: url.to_string(),
            reason: "not a local path".into(),
        })?;
        let err = |e: std::io::Error| DocumentError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let size = std::fs::metadata(&path).map_err(err)?.len();
        if size > MAX_DOCUMENT_BYTES {
            return Err(DocumentError::TooLarge {
                path: path.display().to_string(),
                size,
                limit: MAX_DOCUMENT_BYTES,
            });
        }
        return std::fs::read(&path).map_err(err);
    }
    let body = fetcher
        .fetch(url)
        .await
        .map_err(|reason| DocumentError::Fetch {
            url: url.to_string(),
            reason,
        })?;
    if body.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(DocumentError::TooLarge {
            path: url.to_string(),
            size: body.len() as u64,
            limit: MAX_DOCUMENT_BYTES,
        });
    }
    Ok(body)
}

/// The text of a file, or an error at the line and column of its first byte that is not UTF-8.
fn utf8(path: &str, bytes: Vec<u8>) -> Result<String, DocumentError> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let good = &e.as_bytes()[..at];
        let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        DocumentError::Parse {
            path: path.to_string(),
            syntax: "UTF-8",
            line: good.iter().filter(|b| **b == b'\n').count() + 1,
            column: at - line_start + 1,
            reason: format!("byte {at} is not UTF-8"),
        }
    })
}

/// JSON when it looks like JSON (for its exact line and column), YAML otherwise; with the order of
/// its paths as written.
fn parse(path: &str, text: &str) -> Result<(Value, PathOrder), DocumentError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let parsed = if trimmed.starts_with('{') {
            order::json_object(trimmed)
        } else {
            serde_json::from_str(trimmed).map(|v| (v, PathOrder::new()))
        };
        return parsed.map_err(|e| DocumentError::Parse {
            path: path.to_string(),
            syntax: "JSON",
            line: e.line() + (text.len() - trimmed.len()).min(1) * leading_lines(text),
            column: e.column(),
            reason: e.to_string(),
        });
    }
    if let Some(line) = too_deep(text) {
        return Err(DocumentError::Parse {
            path: path.to_string(),
            syntax: "YAML",
            line,
            column: 0,
            reason: format!("brackets nested deeper than {MAX_FLOW_DEPTH} levels"),
        });
    }
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text).map_err(|e| DocumentError::Parse {
            path: path.to_string(),
            syntax: "YAML",
            line: e.location().map_or(0, |l| l.line()),
            column: e.location().map_or(0, |l| l.column()),
            reason: e.to_string(),
        })?;
    let order = order::yaml(&yaml);
    Ok((yaml_to_json(path, yaml)?, order))
}

/// Deepest `[`/`{` nesting accepted in YAML. The YAML parser stops at 128 levels only after reading the
/// whole nest, in time that grows with its square; real documents stay far below.
const MAX_FLOW_DEPTH: usize = 128;

/// The line where flow brackets nest deeper than [`MAX_FLOW_DEPTH`], outside quoted text and comments.
fn too_deep(text: &str) -> Option<usize> {
    let (mut depth, mut line, mut quote, mut comment) = (0usize, 1usize, None::<u8>, false);
    let mut prev = b' ';
    for &b in text.as_bytes() {
        match (quote, b) {
            (_, b'\n') => {
                line += 1;
                comment = false;
            }
            _ if comment => {}
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'#') if prev.is_ascii_whitespace() => comment = true,
            (None, b'[' | b'{') => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some(line);
                }
            }
            (None, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        prev = b;
    }
    None
}

fn leading_lines(text: &str) -> usize {
    let t = text.trim_start_matches('\u{feff}');
    t[..t.len() - t.trim_start().len()].matches('\n').count()
}

/// YAML to JSON values. YAML allows keys JSON does not: numbers and booleans become their text (OpenAPI's
/// `200:` response keys are the common case); a key that is a list or map is an error.
fn yaml_to_json(path: &str, v: serde_yaml_ng::Value) -> Result<Value, DocumentError> {
    use serde_yaml_ng::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(seq) => Value::Array(
            seq.into_iter()
                .map(|x| yaml_to_json(path, x))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(m) => {
            let mut out = Map::with_capacity(m.len());
            for (k, v) in m {
                let key = match order::yaml_key(&k) {
                    Some(key) => key,
                    None => {
                        return Err(DocumentError::Parse {
                            path: path.to_string(),
                            syntax: "YAML",
                            line: 0,
                            column: 0,
                            reason: "a mapping key is a list or a mapping, which JSON cannot hold"
                                .into(),
                        })
                    }
                };
                out.insert(key, yaml_to_json(path, v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(path, t.value)?,
    })
}

fn version_of(path: &str, v: &Value) -> Result<Version, DocumentError> {
    let not = |reason: String| DocumentError::NotOpenApi {
        path: path.to_string(),
        reason,
    };
    let Some(obj) = v.as_object() else {
        return Err(not("the top level is not a mapping".into()));
    };
    if obj.contains_key("swagger") {
        return Err(not(
            "it is Swagger 2.0; convert it to OpenAPI 3 first (for example with swagger2openapi)"
                .into(),
        ));
    }
    let version = match obj.get("openapi") {
        Some(Value::String(s)) => s.as_str(),
        Some(other) => return Err(not(format!("'openapi' is {other}, not a version string"))),
        None => return Err(not("it has no 'openapi' version field".into())),
    };
    let version = if version.starts_with("3.0") {
        Version::V30
    } else if version.starts_with("3.1") {
        Version::V31
    } else {
        return Err(not(format!("version '{version}' is not 3.0.x or 3.1.x")));
    };
    match obj.get("paths") {
        Some(Value::Object(_)) | None => Ok(version),
        Some(_) => Err(not("'paths' is not a mapping".into())),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A file URI shown as a path; other URIs as they are.
pub(crate) fn short(uri: &str) -> String {
    Url::parse(uri).map_or_else(|_| uri.to_string(), |u| display(&u))
}

fn display(u: &Url) -> String {
    match u.to_file_path() {
        Ok(p) if u.scheme() == "file" => p.display().to_string(),
        _ => u.to_string(),
    }
}

fn display_pointer(p: &str) -> String {
    if p.is_empty() {
        "the top level".into()
    } else {
        format!("'#{p}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        Document::from_text("doc", text).unwrap_err().to_string()
    }

    #[test]
    fn reads_yaml_with_numeric_response_keys() {
        let doc = Document::from_text(
            "doc",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n",
        )
        .unwrap();
        assert_eq!(doc.version(), Version::V30);
        let loc = doc.root().child("paths").child("/a").child("get");
        assert!(doc.value(&loc.child("responses").child("200")).is_object());
    }

    #[test]
    fn unresolvable_ref_names_pointer_and_line() {
        let e = err("openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n    A:\n      $ref: '#/components/schemas/Missing'\n");
        assert!(e.contains(":6:"), "{e}");
        assert!(e.contains("#/components/schemas/A"), "{e}");
        assert!(
            e.contains("nothing at '/components/schemas/Missing'"),
            "{e}"
        );
    }

    #[test]
    fn ref_cycles_are_refused() {
        let e = err(
            r##"{"openapi":"3.1.0","paths":{},"components":{"schemas":{"A":{"$ref":"#/components/schemas/B"},"B":{"$ref":"#/components/schemas/A"}}}}"##,
        );
        assert!(e.contains("$ref cycle"), "{e}");
    }

    #[test]
    fn recursive_schemas_are_not_cycles() {
        Document::from_text("doc", r##"{"openapi":"3.1.0","paths":{},"components":{"schemas":{"Node":{"type":"object","properties":{"children":{"type":"array","items":{"$ref":"#/components/schemas/Node"}}}}}}}"##).unwrap();
    }

    #[test]
    fn bad_documents_get_clear_errors() {
        assert!(err("openapi: [3.1").contains("not valid YAML"));
        assert!(err("{\"openapi\": ").contains("doc:1:"));
        assert!(err("swagger: '2.0'\n").contains("Swagger 2.0"));
        assert!(err("hello: world\n").contains("no 'openapi'"));
        assert!(err("openapi: 4.0.0\n").contains("not 3.0.x or 3.1.x"));
        assert!(err("").contains("not an OpenAPI"));
        assert!(err("- 1\n- 2\n").contains("top level"));
    }

    #[test]
    fn loc_uri_encodes_braces() {
        let loc = Document::from_text("d", "openapi: 3.1.0\npaths: {}\n")
            .unwrap()
            .root()
            .child("paths")
            .child("/items/{id}");
        assert_eq!(loc.uri(), "file:///document#/paths/~1items~1%7Bid%7D");
    }
}
