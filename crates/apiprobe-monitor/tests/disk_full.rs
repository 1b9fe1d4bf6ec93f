//! A disk that fills under a running monitor, made real with a file-size limit on this test's own
//! process (its own binary): SQLite's writes fail, the runs wait in memory, and once there is room
//! again every one of them is stored.
#![cfg(target_os = "linux")]

mod common;

use apiprobe_monitor::Store;
use common::watched::{start, suite};
use common::Target;
use std::time::Duration;

fn set_file_size_limit(bytes: Option<u64>) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain system calls on a local struct.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_FSIZE, &mut lim), 0);
        lim.rlim_cur = bytes.map_or(lim.rlim_max, |b| b as libc::rlim_t);
        assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &lim), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_keeps_the_runs_until_there_is_room_again() {
    // Past the limit a write fails with EFBIG, as on a full disk, instead of killing the process.
    // SAFETY: ignoring a signal.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let target = Target::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = suite(dir.path(), "full.toml", &target.url(), 8);
    let db = format!("sqlite:{}", dir.path().join("h.db").display());
    let monitor = start(&suite, &db);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // No file may grow past 32 KiB: the history no longer fits.
    set_file_size_limit(Some(32 * 1024));
    tokio::time::sleep(Duration::from_millis(3000)).await;
    set_file_size_limit(None);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (summary, errors) = monitor.stop().await;
    assert!(!errors.is_empty(), "the writes never failed: {summary:?}");
    assert!(errors[0].starts_with("database sqlite:"), "{errors:?}");
    assert!(summary.runs >= 24, "{summary:?}");
    assert_eq!(summary.stored, summary.runs, "{summary:?} {errors:?}");
    let store = Store::open(&db).await.expect("open");
    let n = common::newest_runs(&store).await.len();
    assert_eq!(n as u64, summary.runs);
}
