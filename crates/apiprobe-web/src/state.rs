//! What every handler shares: the catalog and the site rendered from it.

use crate::site::Site;
use apiprobe_catalog::Catalog;
use std::sync::Arc;

/// The loaded catalog and every page and document rendered from it at startup.
#[derive(Debug, Clone)]
pub struct AppState {
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) site: Arc<Site>,
}

impl AppState {
    /// Renders the site from `catalog`. Compressed forms are made on first use; call
    /// [`AppState::warm`] to make them now.
    pub fn new(catalog: Arc<Catalog>) -> AppState {
        let site = Arc::new(Site::render(&catalog));
        AppState { catalog, site }
    }

    /// Compresses the most requested documents now, so no client waits for it.
    pub fn warm(&self) {
        self.site.warm();
    }

    /// The catalog being served.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }
}
