//! The SQLite history going away under a running monitor: its folder renamed away and back, its
//! file deleted. Writes fail with a clear error while it is gone, the runs wait in memory, and every
//! run is stored once it is back; the monitor never stops.

mod common;

use apiprobe_monitor::Store;
use common::watched::{start, suite};
use common::Target;
use std::time::Duration;

async fn stored_runs(db: &str) -> usize {
    let store = Store::open(db).await.expect("open");
    let n = common::newest_runs(&store).await.len();
    store.close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_renamed_away_and_back_loses_no_run() {
    let target = Target::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let s = suite(dir.path(), "faults.toml", &target.url(), 8);
    let folder = dir.path().join("history");
    std::fs::create_dir(&folder).expect("mkdir");
    let db = format!("sqlite:{}", folder.join("h.db").display());
    let m = start(&s, &db);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let away = dir.path().join("history-moved");
    std::fs::rename(&folder, &away).expect("rename away");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    std::fs::rename(&away, &folder).expect("rename back");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (summary, errors) = m.stop().await;
    assert!(
        errors
            .iter()
            .any(|e| e.contains("the file and its folder are gone")),
        "{errors:?}"
    );
    assert!(summary.runs >= 24, "{summary:?}");
    assert_eq!(summary.stored, summary.runs, "{summary:?}");
    assert_eq!(stored_runs(&db).await as u64, summary.runs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_file_is_made_again_and_the_runs_go_on_into_it() {
    let target = Target::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let s = suite(dir.path(), "faults.toml", &target.url(), 8);
    let path = dir.path().join("h.db");
    let db = format!("sqlite:{}", path.display());
    let m = start(&s, &db);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let (summary, _) = m.stop().await;
    assert_eq!(summary.stored, summary.runs, "{summary:?}");
    // The new file has the schema, the runs since the deletion and every check's state.
    let n = stored_runs(&db).await;
    assert!(
        (8..summary.runs as usize).contains(&n),
        "{n} of {summary:?}"
    );
    let store = Store::open(&db).await.expect("open");
    assert_eq!(store.states().await.expect("states").len(), 8);
}
