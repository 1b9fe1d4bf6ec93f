//! The outcome of a run: findings grouped by operation, each a [`Report`] with a catalog code, and the
//! error-quality grade per operation and for the API; as text, JSON lines or JUnit.

use crate::grade::letter;
use crate::operation::Operation;
use apiprobe_catalog::{Catalog, Report};
use apiprobe_probe::JunitReport;
use serde::Serialize;
use std::collections::HashSet;
use std::fmt::Write as _;

/// Everything a run found.
#[derive(Debug, Clone, Serialize)]
pub struct ContractReport {
    /// The document's `info.title`.
    pub title: String,
    /// The document's `openapi` version.
    pub openapi: String,
    /// The base URL probed.
    pub base_url: String,
    /// Requests sent.
    pub requests: u64,
    /// Whether `--max-requests` stopped the run early.
    pub budget_exhausted: bool,
    /// One result per selected operation, in document order.
    pub operations: Vec<OperationResult>,
}

/// What one operation showed.
#[derive(Debug, Clone, Serialize)]
pub struct OperationResult {
    /// The operation id.
    pub id: String,
    /// The method.
    pub method: String,
    /// The path template.
    pub path: String,
    /// Requests sent for it.
    pub requests: u64,
    /// Error-quality points earned.
    pub earned: u32,
    /// Error-quality points possible (0 when it gave no error response).
    pub possible: u32,
    /// Its findings, one per code and place.
    pub findings: Vec<Report>,
    /// How ids were found, and other facts worth a line.
    pub notes: Vec<String>,
    #[serde(skip)]
    seen: HashSet<(String, String, u16)>,
}

impl OperationResult {
    /// An empty result for `op`.
    pub fn new(op: &Operation) -> OperationResult {
        OperationResult {
            id: op.id.clone(),
            method: op.method.clone(),
            path: op.path.clone(),
            requests: 0,
            earned: 0,
            possible: 0,
            findings: Vec::new(),
            notes: Vec::new(),
            seen: HashSet::new(),
        }
    }

    /// The operation's grade letter, `None` when it gave no error response to grade.
    pub fn grade(&self) -> Option<char> {
        letter(self.earned, self.possible)
    }

    /// Adds a finding named `name`, once per code, field and status.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add(
        &mut self,
        catalog: &Catalog,
        name: &str,
        message: String,
        url: &str,
        status: u16,
        field: Option<String>,
        details: Vec<(&str, String)>,
    ) {
        let key = (name.to_string(), field.clone().unwrap_or_default(), status);
        if !self.seen.insert(key) {
            return;
        }
        let mut r = Report::default();
        if let Some(e) = catalog.by_name(name) {
            r.set_entry(e);
            r.next_steps = e.fixes.clone();
            r.phase = e.phase;
        }
        r.name = Some(name.to_string());
        r.ok = false;
        r.url = Some(url.to_string());
        r.status = Some(status);
        r.format = Some("contract".into());
        r.confidence = 1.0;
        r.message = Some(message);
        r.field = field;
        r.details.insert("operation".into(), self.id.clone());
        r.details.insert("method".into(), self.method.clone());
        r.details.insert("path".into(), self.path.clone());
        for (k, v) in details {
            r.details.insert(k.to_string(), v);
        }
        self.findings.push(r);
    }

    /// Adds a finding that arrived whole (a probe failure: no response at all).
    pub(crate) fn push(&mut self, mut r: Report) {
        r.details.insert("operation".into(), self.id.clone());
        self.findings.push(r);
    }

    /// Adds a note, once.
    pub(crate) fn note(&mut self, text: String) {
        if !self.notes.contains(&text) {
            self.notes.push(text);
        }
    }
}

impl ContractReport {
    /// Every finding, operation by operation.
    pub fn findings(&self) -> impl Iterator<Item = &Report> {
        self.operations.iter().flat_map(|o| o.findings.iter())
    }

    /// Points over all operations.
    pub fn points(&self) -> (u32, u32) {
        self.operations
            .iter()
            .fold((0, 0), |(e, p), o| (e + o.earned, p + o.possible))
    }

    /// The API's grade letter, `None` when no error response was graded.
    pub fn grade(&self) -> Option<char> {
        let (e, p) = self.points();
        letter(e, p)
    }

    /// The findings as JSON values, each with its operation's grade in `details.operation_grade`.
    pub fn json_findings(&self) -> Vec<Report> {
        let mut out = Vec::new();
        for o in &self.operations {
            for f in &o.findings {
                let mut f = f.clone();
                f.details.insert(
                    "operation_grade".into(),
                    o.grade().map_or_else(|| "-".into(), String::from),
                );
                out.push(f);
            }
        }
        out
    }

    /// Human text: one block per operation, its grade and findings, then the summary.
    pub fn render_text(&self) -> String {
        let mut s = String::new();
        for o in &self.operations {
            let grade = match o.grade() {
                Some(g) => format!("grade {g} ({}/{} points)", o.earned, o.possible),
                None => "no error responses to grade".into(),
            };
            let mark = if o.findings.is_empty() {
                "ok  "
            } else {
                "FAIL"
            };
            let _ = writeln!(
                s,
                "{mark} {} {}  [{}]  {grade}, {} request{}",
                o.method,
                o.path,
                o.id,
                o.requests,
                if o.requests == 1 { "" } else { "s" }
            );
            for f in &o.findings {
                let code = f.code.as_deref().unwrap_or("");
                let name = f.name.as_deref().unwrap_or("");
                let at = f
                    .field
                    .as_deref()
                    .map(|p| format!(" at {}", if p.is_empty() { "(body)" } else { p }))
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "     {code} {name}{at}: {}",
                    f.message.as_deref().unwrap_or("")
                );
            }
            for n in &o.notes {
                let _ = writeln!(s, "     note: {n}");
            }
        }
        let (e, p) = self.points();
        let findings = self.findings().count();
        let failing = self
            .operations
            .iter()
            .filter(|o| !o.findings.is_empty())
            .count();
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{} operation{} checked against {} ({}), {} request{}: {findings} finding{} in {failing} operation{}",
            self.operations.len(),
            plural(self.operations.len() as u64),
            if self.title.is_empty() { "the document" } else { &self.title },
            self.base_url,
            self.requests,
            plural(self.requests),
            plural(findings as u64),
            plural(failing as u64),
        );
        match self.grade() {
            Some(g) => {
                let _ = writeln!(s, "Error quality of the API: grade {g} ({e}/{p} points)");
            }
            None => {
                let _ = writeln!(s, "Error quality of the API: no error responses to grade");
            }
        }
        if self.budget_exhausted {
            let _ = writeln!(
                s,
                "Stopped early: --max-requests was reached; some operations were not fully probed"
            );
        }
        s
    }

    /// JUnit: one test case per operation, failing with all its findings.
    pub fn junit(&self) -> std::io::Result<JunitReport> {
        let mut j = JunitReport::new();
        for o in &self.operations {
            let mut r = Report {
                ok: o.findings.is_empty(),
                ..Report::default()
            };
            if let Some(first) = o.findings.first() {
                r.code = first.code.clone();
                r.name = first.name.clone();
                r.status = first.status;
                r.url = first.url.clone();
                let lines: Vec<String> = o
                    .findings
                    .iter()
                    .map(|f| {
                        format!(
                            "{} {}: {}",
                            f.code.as_deref().unwrap_or(""),
                            f.name.as_deref().unwrap_or(""),
                            f.message.as_deref().unwrap_or("")
                        )
                    })
                    .collect();
                r.message = Some(format!(
                    "{} finding{}: {}",
                    lines.len(),
                    plural(lines.len() as u64),
                    lines.join("; ")
                ));
            }
            j.add(&format!("{} {} ({})", o.method, o.path, o.id), &r)?;
        }
        Ok(j)
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
