//! Checks an API against its OpenAPI document and grades its error responses.
//!
//! - [`Document`]: an OpenAPI 3.0 or 3.1 document (file or URL, YAML or JSON) with every `$ref`
//!   checked, sibling files included; a broken document is a [`DocumentError`] naming file and line.
//! - [`run`]: probes the selected operations with valid requests (the document's examples, then data
//!   generated from the schemas) and broken ones ([`negative`]), through the probe's client; checks each
//!   response's status, media type, body schema and required headers; grades each error response.
//! - [`ContractReport`]: the findings, each an [`apiprobe_catalog::Report`] with a catalog code and the
//!   JSON pointer or field it concerns, grouped by operation, with a grade per operation and for the API.
//! - [`plan`] and [`dry_run`]: the requests a run would send, built without sending any; [`dry_run`]
//!   takes untrusted bytes through loading, request building and schema compiling (the fuzz target
//!   and the property tests call it).
//!
//! ```
//! use apiprobe_contract::Document;
//! let doc = Document::from_text("api.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n").unwrap();
//! assert_eq!(doc.version(), apiprobe_contract::Version::V31);
//! assert!(Document::from_text("api.yaml", "openapi: [").is_err());
//! ```

mod document;
mod fetch;
mod generate;
mod grade;
mod links;
pub mod negative;
mod operation;
mod order;
mod plan;
mod report;
mod request;
mod run;
mod validate;

pub use document::{Document, DocumentError, Fetch, Loc, Version, MAX_DOCUMENT_BYTES};
pub use fetch::ProbeFetch;
pub use operation::{operations, Operation};
pub use plan::{dry_run, plan, DryRun, PlannedRequest};
pub use report::{ContractReport, OperationResult};
pub use run::{base_url, run, select, Options, RunError};
