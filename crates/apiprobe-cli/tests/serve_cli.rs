//! `apiprobe serve` as a user runs it: on 127.0.0.1 port 0, logging what `RUST_LOG` asks for.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

/// A running `apiprobe serve` and the address it printed.
struct Served {
    child: Child,
    stderr: BufReader<std::process::ChildStderr>,
    addr: String,
}

fn serve(rust_log: Option<&str>) -> Served {
    let mut cmd = common::command();
    cmd.args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(filter) = rust_log {
        cmd.env("RUST_LOG", filter);
    }
    let mut child = cmd.spawn().expect("the binary starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("a first line");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    Served {
        child,
        stderr,
        addr,
    }
}

impl Served {
    /// One request on its own connection; returns the status line.
    fn get(&self, path: &str) -> String {
        let mut s = TcpStream::connect(&self.addr).expect("connects");
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
        )
        .expect("writes");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("reads");
        out.lines().next().unwrap_or("").to_owned()
    }

    /// Stops the server and returns what it wrote to stderr after its first line.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut rest = String::new();
        let _ = self.stderr.read_to_string(&mut rest);
        rest
    }
}

#[test]
fn nothing_is_logged_per_request_by_default() {
    let s = serve(None);
    assert_eq!(s.get("/healthz"), "HTTP/1.1 200 OK");
    assert_eq!(s.get("/nope"), "HTTP/1.1 404 Not Found");
    let log = s.stop();
    assert!(!log.contains("request"), "{log}");
}

#[test]
fn rust_log_info_logs_one_line_per_request() {
    let s = serve(Some("info"));
    assert_eq!(s.get("/healthz"), "HTTP/1.1 200 OK");
    assert_eq!(s.get("/api/v1/codes?status="), "HTTP/1.1 400 Bad Request");
    let log = s.stop();
    let lines: Vec<&str> = log.lines().filter(|l| l.contains("request")).collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(lines[0].contains("uri=/healthz") && lines[0].contains("status=200"));
    assert!(lines[1].contains("method=GET") && lines[1].contains("status=400"));
}
