//! The loaded catalog and its lookups.

use crate::model::{Category, Entry, Kind};
use crate::source::{self, SourceError, Text};
use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

/// The indexes are looked up for every explained response; their keys come from our own data, so a fast
/// unkeyed hash serves better than SipHash.
type Map<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

static EMBEDDED_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/catalog.json"));

static BUILTIN: LazyLock<Catalog> = LazyLock::new(|| {
    // build.rs produced this JSON from checked data, so failure here is a build bug, not bad input.
    let entries: Vec<Entry> =
        serde_json::from_str(EMBEDDED_JSON).expect("embedded catalog is valid JSON");
    Catalog::from_entries(entries)
});

/// Why a catalog could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The file could not be read at all.
    #[error("cannot read catalog file {path}: {source}")]
    Read {
        /// The path as given.
        path: String,
        /// The I/O failure.
        source: std::io::Error,
    },
    /// The file was read but its contents are wrong; the error points at file:line:col.
    #[error("{0}")]
    Invalid(#[from] SourceError),
}

/// A set of entries with indexes by code, name and status.
#[derive(Debug, Clone)]
pub struct Catalog {
    entries: Vec<Entry>,
    by_code: Map<String, usize>,
    by_name: Map<String, usize>,
    by_alias: Map<(String, String), (usize, usize)>,
}

impl Catalog {
    /// The catalog embedded in the binary, parsed once on first use.
    pub fn builtin() -> &'static Catalog {
        &BUILTIN
    }

    /// Builds a catalog from entries already checked.
    pub fn from_entries(entries: Vec<Entry>) -> Catalog {
        let mut by_code = Map::with_capacity_and_hasher(entries.len(), Default::default());
        let mut by_name = Map::default();
        let mut by_alias = Map::default();
        for (i, e) in entries.iter().enumerate() {
            by_code.insert(e.code.clone(), i);
            if let Some(n) = &e.name {
                by_name.insert(n.clone(), i);
            }
            for (j, a) in e.aliases.iter().enumerate().filter(|(_, a)| !a.shared) {
                by_alias.insert((a.tool.clone(), a.code.clone()), (i, j));
                if let Some(n) = &a.name {
                    by_alias
                        .entry((a.tool.clone(), n.clone()))
                        .or_insert((i, j));
                }
            }
        }
        // Case-insensitive fallbacks, never displacing an exact spelling: case matters for some
        // tools (HAProxy's `sC` and `SC` are different termination states).
        let mut exact: Vec<((String, String), (usize, usize))> =
            by_alias.iter().map(|(k, v)| (k.clone(), *v)).collect();
        exact.sort_unstable_by_key(|(_, at)| *at);
        for ((tool, code), at) in exact {
            by_alias
                .entry((tool, code.to_ascii_lowercase()))
                .or_insert(at);
        }
        Catalog {
            entries,
            by_code,
            by_name,
            by_alias,
        }
    }

    /// This catalog with a user's file added: an entry file adds entries (an existing code is replaced);
    /// an alias file replaces that tool's aliases.
    pub fn extended_with_text(&self, file: &str, bytes: &[u8]) -> Result<Catalog, CatalogError> {
        let text = source::decode(file, bytes)?;
        let texts = [Text { file, text }];
        // An alias file starts with `tool = "..."`; anything else is read as entries.
        let is_alias_file = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .is_some_and(|l| l.starts_with("tool"));
        let entries = if is_alias_file {
            let set = source::parse_aliases(file, text)?;
            let mut base = self.entries.clone();
            base.iter_mut()
                .for_each(|e| e.aliases.retain(|a| a.tool != set.tool()));
            source::assemble(&texts, base, Vec::new(), vec![set])?
        } else {
            let layer = source::parse_entries(file, text)?;
            source::assemble(&texts, self.entries.clone(), vec![layer], Vec::new())?
        };
        Ok(Catalog::from_entries(entries))
    }

    /// This catalog extended with the file at `path` (see [`Catalog::extended_with_text`]).
    pub fn extended_with_file(&self, path: &Path) -> Result<Catalog, CatalogError> {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|source| CatalogError::Read {
            path: shown.clone(),
            source,
        })?;
        if meta.len() > source::MAX_FILE_BYTES as u64 {
            return Err(SourceError {
                file: shown,
                line: 0,
                column: 0,
                message: format!(
                    "file is {} bytes, over the {} byte limit for a catalog file (is this the right file?)",
                    meta.len(),
                    source::MAX_FILE_BYTES
                ),
                line_text: None,
                width: 0,
            }
            .into());
        }
        let bytes = std::fs::read(path).map_err(|source| CatalogError::Read {
            path: shown.clone(),
            source,
        })?;
        self.extended_with_text(&shown, &bytes)
    }

    /// Every entry: HTTP statuses by number, then probe codes by number.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry with this exact code (`404`, `PRB-3001`).
    pub fn by_code(&self, code: &str) -> Option<&Entry> {
        self.by_code.get(code).map(|&i| &self.entries[i])
    }

    /// The entry for an HTTP status.
    pub fn by_status(&self, status: u16) -> Option<&Entry> {
        let mut buf = [0u8; 3];
        if !(100..=999).contains(&status) {
            return None;
        }
        buf[0] = b'0' + (status / 100) as u8;
        buf[1] = b'0' + (status / 10 % 10) as u8;
        buf[2] = b'0' + (status % 10) as u8;
        std::str::from_utf8(&buf).ok().and_then(|s| self.by_code(s))
    }

    /// The probe entry a response with this error status gets when nothing in it names a more exact
    /// condition: the status entry's `default_probe`, else the generic code of the status's category
    /// (`HTTP_CLIENT_ERROR`, `HTTP_AUTH_ERROR`, `HTTP_SERVER_ERROR`) for a status the catalog lacks or
    /// a user's entry without a default. `None` below 400.
    pub fn default_for_status(&self, status: u16) -> Option<&Entry> {
        if let Some(e) = self
            .by_status(status)
            .and_then(|e| e.default_probe.as_deref())
            .and_then(|d| self.by_code(d))
        {
            return Some(e);
        }
        let generic = match Category::for_status(status)? {
            Category::Client => "HTTP_CLIENT_ERROR",
            Category::Auth => "HTTP_AUTH_ERROR",
            Category::Server => "HTTP_SERVER_ERROR",
        };
        self.by_name(generic)
    }

    /// The probe entry with this SCREAMING_SNAKE name.
    pub fn by_name(&self, name: &str) -> Option<&Entry> {
        self.by_name.get(name).map(|&i| &self.entries[i])
    }

    /// Resolves a status, a code in any case (`prb-3001`) or a name in any spelling
    /// (`connection refused`, `connection-refused`); `None` for free text.
    pub fn get(&self, query: &str) -> Option<&Entry> {
        let q = query.trim();
        if q.len() == 3 && q.bytes().all(|b| b.is_ascii_digit()) {
            return self.by_code(q);
        }
        let upper = q.to_ascii_uppercase();
        if let Some(e) = self.by_code(&upper) {
            return Some(e);
        }
        if let Some(rest) = upper.strip_prefix("PRB") {
            let digits = rest.trim_start_matches(['-', '_', ' ']);
            if let Some(e) = self.by_code(&format!("PRB-{digits}")) {
                return Some(e);
            }
        }
        let name: String = upper
            .chars()
            .map(|c| if c == ' ' || c == '-' { '_' } else { c })
            .collect();
        self.by_name(&name)
    }

    /// The probe entry another tool's code maps to (`curl`, `60`), with the alias itself.
    pub fn by_alias(&self, tool: &str, code: &str) -> Option<(&Entry, &crate::model::Alias)> {
        let tool = tool.trim().to_ascii_lowercase();
        let code = code.trim();
        self.by_alias
            .get(&(tool.clone(), code.to_string()))
            .or_else(|| self.by_alias.get(&(tool, code.to_ascii_lowercase())))
            .map(|&(i, j)| (&self.entries[i], &self.entries[i].aliases[j]))
    }

    /// The tools that have aliases, sorted.
    pub fn alias_tools(&self) -> Vec<&str> {
        let mut tools: Vec<&str> = self
            .entries
            .iter()
            .flat_map(|e| e.aliases.iter().map(|a| a.tool.as_str()))
            .collect();
        tools.sort_unstable();
        tools.dedup();
        tools
    }

    /// Entries matching optional category and kind filters, in catalog order.
    pub fn filter(
        &self,
        category: Option<Category>,
        kind: Option<Kind>,
    ) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| {
            category.is_none_or(|c| e.category == c) && kind.is_none_or(|k| e.kind == k)
        })
    }

    /// A " (did you mean 'X'?)" hint for a code or name that was not found.
    pub fn suggest(&self, wanted: &str) -> String {
        source::suggest(
            wanted,
            self.entries
                .iter()
                .flat_map(|e| std::iter::once(e.code.as_str()).chain(e.name.as_deref())),
        )
    }
}
