//! The apiprobe error-code catalog: every HTTP 4xx/5xx status and every probe code, with what each means,
//! its category (`client`, `auth`, `server`), likely causes and fixes.
//!
//! The data lives in `data/*.toml` (entries) and `data/aliases/*.toml` (other tools' names for probe
//! codes). `build.rs` checks them with the same code that checks a user's `--catalog` file and embeds them.
//!
//! - [`Catalog`]: the loaded entries with lookups by code, status, name, alias and free text.
//! - [`Entry`]: one status or probe code.
//! - [`Report`]: the result type every command prints.
//!
//! ```
//! use apiprobe_catalog::{Catalog, Category};
//! let catalog = Catalog::builtin();
//! let e = catalog.get("prb-3001").expect("PRB-3001 exists");
//! assert_eq!(e.category, Category::Server);
//! ```

#![forbid(unsafe_code)]

mod catalog;
mod model;
mod report;
mod search;
mod source;

pub use catalog::{Catalog, CatalogError};
pub use model::{Alias, Category, Entry, Kind, Phase, Variant};
pub use report::{AliasRef, Assertion, LineError, Report, Timings, TlsSummary};
pub use search::Hit;
pub use source::{suggest, SourceError, MAX_FILE_BYTES};
