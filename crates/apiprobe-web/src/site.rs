//! Everything rendered once at startup: pages, JSON documents and static files, each an [`Asset`].

use crate::asset::{Asset, CACHE_CATALOG, CSS, HTML, JS, JSON, SVG};
use crate::view::{self, Filter};
use apiprobe_catalog::{Catalog, Category, Entry, Kind};
use serde::Serialize;
use std::collections::HashMap;

/// The stylesheet, with the print rules in it.
pub(crate) const APP_CSS: &str = include_str!("../static/app.css");
/// The script: instant search and copy-link buttons. The pages work without it.
pub(crate) const APP_JS: &str = include_str!("../static/app.js");
/// The icon.
pub(crate) const FAVICON: &str = include_str!("../static/favicon.svg");

/// An entry as listed by `/api/v1/codes` and `/api/v1/search`: enough to show and link it.
#[derive(Debug, Serialize)]
pub(crate) struct Summary<'a> {
    pub(crate) code: &'a str,
    pub(crate) kind: Kind,
    pub(crate) category: Category,
    pub(crate) title: &'a str,
    pub(crate) name: Option<&'a str>,
    pub(crate) status: Option<u16>,
    pub(crate) retryable: bool,
    pub(crate) meaning: &'a str,
    /// The entry's own JSON document.
    pub(crate) url: String,
}

impl<'a> Summary<'a> {
    pub(crate) fn of(e: &'a Entry) -> Summary<'a> {
        Summary {
            code: &e.code,
            kind: e.kind,
            category: e.category,
            title: &e.title,
            name: e.name.as_deref(),
            status: e.status,
            retryable: e.retryable,
            meaning: &e.meaning,
            url: format!("/api/v1/codes/{}", e.code),
        }
    }
}

/// The `/api/v1/codes` document.
#[derive(Debug, Serialize)]
pub(crate) struct CodeList<'a> {
    pub(crate) count: usize,
    pub(crate) codes: Vec<Summary<'a>>,
}

impl<'a> CodeList<'a> {
    pub(crate) fn of(entries: impl Iterator<Item = &'a Entry>) -> CodeList<'a> {
        let codes: Vec<Summary<'a>> = entries.map(Summary::of).collect();
        CodeList {
            count: codes.len(),
            codes,
        }
    }
}

/// Serializes a value we built ourselves; only a bug could make this fail, and then the client gets 500.
pub(crate) fn to_json(value: &impl Serialize) -> Result<Vec<u8>, crate::AppError> {
    serde_json::to_vec(value)
        .map_err(|e| crate::AppError::Internal(format!("serializing JSON: {e}")))
}

/// The pre-rendered site.
#[derive(Debug)]
pub(crate) struct Site {
    /// `/` with no query: the landing page and the search form, without the entries.
    pub(crate) home: Asset,
    /// `/reference`: every entry in full.
    pub(crate) reference: Asset,
    pub(crate) explain: Asset,
    /// `/api/v1/codes` for each combination of category and kind filters.
    pub(crate) lists: HashMap<(Option<Category>, Option<Kind>), Asset>,
    /// `/codes/{code}` pages by exact code.
    pub(crate) pages: HashMap<String, Asset>,
    /// `/api/v1/codes/{code}` documents by exact code.
    pub(crate) entries: HashMap<String, Asset>,
    pub(crate) css: Asset,
    pub(crate) js: Asset,
    pub(crate) favicon: Asset,
    pub(crate) openapi: Asset,
    pub(crate) health: Asset,
}

impl Site {
    /// Renders everything that does not depend on a request.
    pub(crate) fn render(catalog: &Catalog) -> Site {
        let home = view::home_page(catalog, &Filter::default()).into_string();
        let reference = view::reference_page(catalog).into_string();
        let explain = view::explain_page(&view::ExplainForm::default(), None).into_string();
        let mut lists = HashMap::new();
        let cats = std::iter::once(None).chain(Category::ALL.iter().copied().map(Some));
        for c in cats {
            let kinds = std::iter::once(None).chain(Kind::ALL.iter().copied().map(Some));
            for k in kinds {
                let doc = CodeList::of(catalog.filter(c, k));
                lists.insert((c, k), json_asset(&doc));
            }
        }
        let mut pages = HashMap::new();
        let mut entries = HashMap::new();
        for e in catalog.entries() {
            let page = view::entry_page(catalog, e).into_string();
            pages.insert(e.code.clone(), Asset::new(HTML, CACHE_CATALOG, page));
            entries.insert(e.code.clone(), json_asset(e));
        }
        let health = serde_json::json!({ "status": "ok", "entries": catalog.entries().len() });
        Site {
            home: Asset::new(HTML, CACHE_CATALOG, home),
            reference: Asset::new(HTML, CACHE_CATALOG, reference),
            explain: Asset::new(HTML, CACHE_CATALOG, explain),
            lists,
            pages,
            entries,
            css: Asset::new(CSS, CACHE_CATALOG, APP_CSS),
            js: Asset::new(JS, CACHE_CATALOG, APP_JS),
            favicon: Asset::new(SVG, CACHE_CATALOG, FAVICON),
            openapi: json_asset(&crate::routes::openapi::document()),
            health: Asset::new(JSON, "no-cache", to_json(&health).unwrap_or_default()),
        }
    }

    /// Compresses the documents most clients ask for.
    pub(crate) fn warm(&self) {
        self.home.warm();
        self.reference.warm();
        self.css.warm();
        self.js.warm();
        if let Some(all) = self.lists.get(&(None, None)) {
            all.warm();
        }
    }
}

fn json_asset(value: &impl Serialize) -> Asset {
    // Values rendered here are our own types; serde_json cannot fail on them.
    Asset::new(JSON, CACHE_CATALOG, to_json(value).unwrap_or_default())
}
