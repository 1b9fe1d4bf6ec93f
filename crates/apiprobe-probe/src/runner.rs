//! Running many checks at once: at most `jobs` in flight, each result handed over as it completes,
//! so memory stays flat however many checks a suite has.

use crate::client::Prober;
use crate::spec::CheckSpec;
use apiprobe_catalog::Report;
use std::sync::Arc;
use tokio::task::JoinSet;

/// Runs `checks` with at most `jobs` at a time and calls `on_result(index, report)` as each finishes
/// (completion order; `index` is the check's position in `checks`). Checks are taken from the iterator
/// only as slots free up. Returns early with the callback's error, if any.
pub async fn run_all<E>(
    prober: Arc<Prober>,
    checks: impl IntoIterator<Item = CheckSpec>,
    jobs: usize,
    mut on_result: impl FnMut(usize, Report) -> Result<(), E>,
) -> Result<(), E> {
    let jobs = jobs.max(1);
    let mut set = JoinSet::new();
    let mut checks = checks.into_iter().enumerate();
    let mut exhausted = false;
    loop {
        while set.len() < jobs && !exhausted {
            match checks.next() {
                Some((i, spec)) => {
                    let p = prober.clone();
                    set.spawn(async move { (i, p.check(&spec).await) });
                }
                None => exhausted = true,
            }
        }
        match set.join_next().await {
            None => return Ok(()),
            Some(Ok((i, report))) => on_result(i, report)?,
            Some(Err(e)) => {
                // A check task panicked: report it as a failed check rather than losing it.
                let report = Report {
                    ok: false,
                    message: Some(format!("internal error while running the check: {e}")),
                    ..Report::default()
                };
                on_result(usize::MAX, report)?;
            }
        }
    }
}
