//! The history store on a real SQLite file in a temp dir.

mod common;

use apiprobe_monitor::Store;

#[tokio::test]
async fn sqlite_history_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("h.db");
    let url = format!("sqlite:{}", path.display());
    let store = Store::open(&url).await.expect("open");
    common::history::exercise(&store).await;
    // WAL mode: the log file sits beside the database while it is open.
    assert!(dir.path().join("h.db-wal").exists());
    store.close().await;
    let again = Store::open(&url).await.expect("reopen");
    assert_eq!(again.states().await.expect("states").len(), 1);
}

#[tokio::test]
async fn a_database_that_cannot_be_opened_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A directory where the file should be.
    let e = Store::open(&format!("sqlite:{}", dir.path().display()))
        .await
        .expect_err("not a file");
    assert!(e.to_string().starts_with("database sqlite:"), "{e}");
}
