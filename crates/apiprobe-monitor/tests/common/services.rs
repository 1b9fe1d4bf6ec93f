//! Real PostgreSQL, Prometheus and Alertmanager processes on 127.0.0.1, started from the Debian
//! binaries into temp dirs and stopped on drop.
//!
//! A missing binary skips the test with a message, unless `APIPROBE_SERVICES_TEST=require` (CI),
//! where it fails it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Whether missing services fail the test instead of skipping it.
pub fn required() -> bool {
    std::env::var("APIPROBE_SERVICES_TEST").is_ok_and(|v| v == "require")
}

/// Finds a binary, or says why the test is skipped (panics when services are required).
pub fn find(candidates: &[&str], what: &str) -> Option<PathBuf> {
    for c in candidates {
        if c.contains('*') {
            if let Some(p) = glob_first(c) {
                return Some(p);
            }
        } else if Path::new(c).is_file() {
            return Some(PathBuf::from(c));
        }
    }
    let msg = format!(
        "{what} not found (looked for {}); install it (Debian: see .ci/run) or set APIPROBE_SERVICES_TEST=require to make this a failure",
        candidates.join(", ")
    );
    if required() {
        panic!("{msg}");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

/// The highest-versioned match of a pattern with one `*` directory (`/usr/lib/postgresql/*/bin/x`).
fn glob_first(pattern: &str) -> Option<PathBuf> {
    let (dir, rest) = pattern.split_once('*')?;
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| PathBuf::from(format!("{}{}", e.path().display(), rest)))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop()
}

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Waits until something accepts TCP connections on `port`.
pub async fn wait_port(port: u16, secs: u64) -> bool {
    let end = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < end {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a PostgreSQL tool, as the `postgres` user when we are root (initdb refuses root).
fn pg_command(bin: &Path, args: &[&str]) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin).args(args);
        c
    } else {
        let mut c = Command::new(bin);
        c.args(args);
        c
    }
}

/// A PostgreSQL cluster in a temp dir.
pub struct Postgres {
    pub url: String,
    pub port: u16,
    pg_ctl: PathBuf,
    data: PathBuf,
    _dir: tempfile::TempDir,
}

impl Postgres {
    /// Starts a new cluster, or `None` (skipped) when PostgreSQL is not installed.
    pub async fn start() -> Option<Postgres> {
        let initdb = find(&["/usr/lib/postgresql/*/bin/initdb"], "PostgreSQL (initdb)")?;
        let pg_ctl = initdb.with_file_name("pg_ctl");
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        if is_root() {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "cannot hand the temp dir to the postgres user");
        }
        let data_s = data.display().to_string();
        let out = pg_command(
            &initdb,
            &[
                "-D",
                &data_s,
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        )
        .stdout(Stdio::null())
        .output()
        .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = free_port();
        let opts = format!(
            "-k {} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
            dir.path().display()
        );
        let log = dir.path().join("log").display().to_string();
        let out = pg_command(
            &pg_ctl,
            &["-D", &data_s, "-o", &opts, "-l", &log, "-w", "start"],
        )
        .stdout(Stdio::null())
        .output()
        .expect("run pg_ctl");
        assert!(
            out.status.success(),
            "pg_ctl start failed: {} {}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(dir.path().join("log")).unwrap_or_default()
        );
        assert!(wait_port(port, 20).await, "PostgreSQL did not listen");
        Some(Postgres {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            port,
            pg_ctl,
            data,
            _dir: dir,
        })
    }

    /// Stops the server at once (a database that disappears).
    pub fn stop(&self) {
        let data = self.data.display().to_string();
        let _ = pg_command(&self.pg_ctl, &["-D", &data, "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// Starts it again on the same port.
    pub fn restart(&self) {
        let data = self.data.display().to_string();
        let sock = self
            .data
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let opts = format!(
            "-k {sock} -p {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
            self.port
        );
        let log = format!("{sock}/log");
        let _ = pg_command(
            &self.pg_ctl,
            &["-D", &data, "-o", &opts, "-l", &log, "-w", "start"],
        )
        .stdout(Stdio::null())
        .status();
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A child process killed on drop.
pub struct Proc {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Prometheus scraping `target` (host:port) every second.
pub async fn prometheus(target: &str) -> Option<Proc> {
    let bin = find(&["/usr/bin/prometheus"], "Prometheus")?;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: apiprobe\n    static_configs:\n      - targets: ['{target}']\n"
        ),
    )
    .expect("write config");
    let port = free_port();
    let child = Command::new(bin)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prometheus");
    let p = Proc {
        child,
        port,
        _dir: dir,
    };
    assert!(wait_port(port, 30).await, "Prometheus did not listen");
    Some(p)
}

/// Alertmanager with one receiver that sends nowhere, clustering off.
pub async fn alertmanager() -> Option<Proc> {
    let bin = find(
        &["/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager"],
        "Alertmanager",
    )?;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("alertmanager.yml");
    std::fs::write(
        &config,
        "route:\n  receiver: nowhere\nreceivers:\n  - name: nowhere\n",
    )
    .expect("write config");
    let port = free_port();
    let child = Command::new(bin)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--cluster.listen-address=")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start alertmanager");
    let p = Proc {
        child,
        port,
        _dir: dir,
    };
    assert!(wait_port(port, 30).await, "Alertmanager did not listen");
    Some(p)
}
