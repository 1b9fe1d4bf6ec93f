//! The status pages in a real browser: Debian's `chromium`, headless, driven over WebDriver by
//! `chromedriver`. Opens `/status` at desktop and phone widths, follows a failing check to its page
//! and on to its code's entry in the reference, checks the stylesheet applies under the CSP, nothing
//! overflows sideways, and the dark scheme takes effect.
//!
//! Needs `chromium` and `chromedriver` on PATH (Debian: `apt-get install chromium chromium-driver`).
//! Without them the test says so and passes, unless `APIPROBE_BROWSER_TEST=require` is set (CI sets
//! it), in which case it fails.

mod web_common;

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use web_common::*;

fn find(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| std::path::Path::new(d).join(program))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Kills chromedriver (and with it the browser) when the test ends, pass or fail.
struct Driver {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One WebDriver command over plain HTTP/1.1 to chromedriver on 127.0.0.1.
fn wd(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> Value {
    let payload = body.map(Value::to_string).unwrap_or_default();
    let mut s = TcpStream::connect(addr).expect("chromedriver accepts connections");
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    );
    s.write_all(req.as_bytes()).expect("write");
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).expect("read");
        assert!(n > 0, "chromedriver closed the connection mid-reply");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("chromedriver replies with Content-Length");
    while buf.len() < head_end + len {
        let n = s.read(&mut chunk).expect("read");
        assert!(n > 0, "chromedriver closed the connection mid-body");
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf[head_end..head_end + len]).into_owned();
    let v: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad WebDriver reply ({e}): {text}"));
    if let Some(err) = v["value"].get("error") {
        panic!(
            "WebDriver {method} {path} failed: {err} {}",
            v["value"]["message"]
        );
    }
    v["value"].clone()
}

struct Session {
    addr: SocketAddr,
    id: String,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Session {
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        wd(
            self.addr,
            method,
            &format!("/session/{}{path}", self.id),
            body.as_ref(),
        )
    }
    fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }
    fn url(&self) -> String {
        self.cmd("GET", "/url", None)
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
    fn element(&self, css: &str) -> String {
        let v = self.cmd(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element for {css}: {v}"))
            .to_owned()
    }
    fn click(&self, el: &str) {
        self.cmd("POST", &format!("/element/{el}/click"), Some(json!({})));
    }
    fn js(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }
    fn wait_for(&self, what: &str, f: impl Fn(&Session) -> bool) {
        let start = Instant::now();
        while !f(self) {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    fn resize(&self, width: u32, height: u32) {
        self.cmd(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        );
    }
    /// The page is no wider than the window: nothing to scroll sideways.
    fn assert_no_sideways_scroll(&self, page: &str) {
        let v = self.js("return [document.documentElement.scrollWidth, window.innerWidth];");
        let (w, inner) = (v[0].as_f64().unwrap_or(0.0), v[1].as_f64().unwrap_or(0.0));
        assert!(
            w <= inner + 1.0,
            "{page}: the page is {w}px wide in a {inner}px window"
        );
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = std::panic::catch_unwind(|| {
            wd(self.addr, "DELETE", &format!("/session/{}", self.id), None)
        });
    }
}

fn start_driver(chromedriver: &std::path::Path) -> Driver {
    let port = free_port();
    let child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let driver = Driver { child, addr };
    let start = Instant::now();
    loop {
        if TcpStream::connect(addr).is_ok() && wd(addr, "GET", "/status", None)["ready"] == true {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "chromedriver did not become ready"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    driver
}

fn open_session(driver: &Driver, chromium: &std::path::Path, profile: &std::path::Path) -> Session {
    let caps = json!({ "capabilities": { "alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium.to_string_lossy(),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    } } });
    let v = wd(driver.addr, "POST", "/session", Some(&caps));
    Session {
        addr: driver.addr,
        id: v["sessionId"].as_str().expect("session id").to_owned(),
    }
}

/// Serves the seeded fixture on 127.0.0.1 from a runtime of its own; the server lives as long as
/// the returned sender.
fn serve() -> (SocketAddr, std::sync::mpsc::Sender<()>) {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let f = fixture(parse_suite(&suite_text("http://127.0.0.1:9/", "")), None).await;
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            addr_tx
                .send(listener.local_addr().expect("addr"))
                .expect("send addr");
            let stop = async move {
                let _ = tokio::task::spawn_blocking(move || stop_rx.recv()).await;
            };
            let _keep = &f.dir;
            apiprobe_web::serve(listener, f.router.clone(), stop)
                .await
                .expect("serve");
        });
    });
    (addr_rx.recv().expect("server address"), stop_tx)
}

#[test]
fn status_page_to_check_to_code_entry_at_desktop_and_phone_widths() {
    let required = std::env::var("APIPROBE_BROWSER_TEST").is_ok_and(|v| v == "require");
    let (Some(chromium), Some(chromedriver)) = (find("chromium"), find("chromedriver")) else {
        assert!(
            !required,
            "APIPROBE_BROWSER_TEST=require but chromium or chromedriver is not on PATH"
        );
        eprintln!("skipped: chromium and chromedriver are not on PATH (apt-get install chromium chromium-driver)");
        return;
    };
    let (addr, _stop) = serve();
    let base = format!("http://{addr}");
    let profile = tempfile::tempdir().expect("profile dir");
    let driver = start_driver(&chromedriver);
    let s = open_session(&driver, &chromium, profile.path());

    for (width, height, label) in [(1280, 900, "desktop"), (390, 844, "phone")] {
        s.resize(width, height);
        s.go(&format!("{base}/status"));
        s.wait_for("the status page", |s| {
            s.js("return document.title;") == json!("Status - apiprobe")
        });
        // The stylesheets loaded under the CSP: the down pill has its colour, the bar its size.
        let bg = s.js(
            "return getComputedStyle(document.querySelector('.pill.st-down')).backgroundColor;",
        );
        assert!(
            bg.as_str().is_some_and(|c| c != "rgba(0, 0, 0, 0)"),
            "{label}: pill unstyled: {bg}"
        );
        let bar = s.js("var r = document.querySelector('svg.bar').getBoundingClientRect(); return [r.width, r.height];");
        assert!(
            bar[0].as_f64().unwrap_or(0.0) > 200.0 && bar[1].as_f64().unwrap_or(0.0) > 10.0,
            "{label}: bar {bar}"
        );
        // The hostile check name shows as text.
        let names = s.js("return Array.from(document.querySelectorAll('li.check a.name')).map(function (a) { return a.textContent; });");
        assert!(
            names
                .as_array()
                .is_some_and(|n| n.contains(&json!(HOSTILE))),
            "{label}: {names}"
        );
        assert_eq!(
            s.js("return document.querySelectorAll('script').length;"),
            json!(0)
        );
        s.assert_no_sideways_scroll(&format!("{label} /status"));

        // Follow the failing check to its page.
        let link = s.element("li.check a.name[href='/status/db']");
        s.click(&link);
        s.wait_for("the check page", |s| s.url().ends_with("/status/db"));
        let h1 = s.js("return document.querySelector('h1').textContent;");
        assert!(
            h1.as_str()
                .is_some_and(|t| t.starts_with("db") && t.contains("Down")),
            "{label}: {h1}"
        );
        let chart = s.js(
            "var r = document.querySelector('svg.chart').getBoundingClientRect(); return r.width;",
        );
        assert!(
            chart.as_f64().unwrap_or(0.0) > 200.0,
            "{label}: chart {chart}"
        );
        let line = s.js("return getComputedStyle(document.querySelector('polyline.p50')).stroke;");
        assert!(
            line.as_str().is_some_and(|c| c != "none"),
            "{label}: p50 line unstyled: {line}"
        );
        s.assert_no_sideways_scroll(&format!("{label} /status/db"));

        // And on to the code's entry in the reference, served by the same app.
        let code = s.element("#failures ~ table a[href='/codes/503']");
        s.click(&code);
        s.wait_for("the code's entry", |s| s.url().ends_with("/codes/503"));
        let title = s.js("return document.querySelector('h1').textContent;");
        assert!(
            title.as_str().is_some_and(|t| t.contains("503")),
            "{label}: {title}"
        );
    }

    // Dark: the page follows the system's scheme.
    s.cmd(
        "POST",
        "/goog/cdp/execute",
        Some(json!({ "cmd": "Emulation.setEmulatedMedia",
                     "params": { "features": [{ "name": "prefers-color-scheme", "value": "dark" }] } })),
    );
    s.go(&format!("{base}/status"));
    s.wait_for("the status page", |s| {
        s.js("return document.title;") == json!("Status - apiprobe")
    });
    let bg = s.js("return getComputedStyle(document.body).backgroundColor;");
    assert_eq!(bg, json!("rgb(18, 21, 27)"), "dark background");
}
