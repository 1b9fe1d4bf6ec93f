//! A headless browser for page tests: Debian's `chromium`, driven over WebDriver by `chromedriver`
//! on 127.0.0.1, with the few commands the tests use.
//!
//! Needs `chromium` and `chromedriver` on PATH (Debian: `apt-get install chromium chromium-driver`).
//! Without them [`Browser::start`] says so and returns `None`, so the test passes, unless
//! `APIPROBE_BROWSER_TEST=require` is set (CI sets it), in which case it panics.
//!
//! Failures panic with the WebDriver error: this is for tests only.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key of an element reference in WebDriver replies.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn find(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
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
    // chromedriver may keep the connection open, so read the head, then Content-Length bytes.
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

/// chromedriver with one browser session. Dropping it ends the session and kills chromedriver
/// (and with it the browser), pass or fail.
pub struct Browser {
    child: Child,
    addr: SocketAddr,
    id: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless chromium at 1280×900; `None` (with a note on stderr)
    /// when they are not installed and `APIPROBE_BROWSER_TEST` is not `require`.
    pub fn start() -> Option<Browser> {
        let required = std::env::var("APIPROBE_BROWSER_TEST").is_ok_and(|v| v == "require");
        let (Some(chromium), Some(chromedriver)) = (find("chromium"), find("chromedriver")) else {
            assert!(
                !required,
                "APIPROBE_BROWSER_TEST=require but chromium or chromedriver is not on PATH"
            );
            eprintln!("skipped: chromium and chromedriver are not on PATH (apt-get install chromium chromium-driver)");
            return None;
        };
        let port = free_port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().expect("profile dir");
        // Owned from here on, so a failed wait still stops chromedriver.
        let mut b = Browser {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            id: String::new(),
            _profile: profile,
        };
        let start = Instant::now();
        while !(TcpStream::connect(b.addr).is_ok()
            && wd(b.addr, "GET", "/status", None)["ready"] == true)
        {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "chromedriver did not become ready"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.to_string_lossy(),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", b._profile.path().display()),
                ]
            }
        } } });
        let v = wd(b.addr, "POST", "/session", Some(&caps));
        b.id = v["sessionId"].as_str().expect("session id").to_owned();
        Some(b)
    }

    /// Any WebDriver command of this session: `path` is below `/session/{id}`.
    pub fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        wd(
            self.addr,
            method,
            &format!("/session/{}{path}", self.id),
            body.as_ref(),
        )
    }

    /// Loads `url`.
    pub fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    /// The address shown.
    pub fn url(&self) -> String {
        self.cmd("GET", "/url", None)
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    /// The first element matching the CSS selector `css` (panics when there is none).
    pub fn element(&self, css: &str) -> String {
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

    /// Types `text` into the element `el`.
    pub fn type_into(&self, el: &str, text: &str) {
        self.cmd(
            "POST",
            &format!("/element/{el}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// Clicks the element `el`.
    pub fn click(&self, el: &str) {
        self.cmd("POST", &format!("/element/{el}/click"), Some(json!({})));
    }

    /// The rendered text of the element `el`.
    pub fn text(&self, el: &str) -> String {
        self.cmd("GET", &format!("/element/{el}/text"), None)
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    /// Runs `script` in the page and returns what it returns.
    pub fn js(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Polls until `f` holds, for up to ten seconds.
    pub fn wait_for(&self, what: &str, f: impl Fn(&Browser) -> bool) {
        let start = Instant::now();
        while !f(self) {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sets the window's size.
    pub fn resize(&self, width: u32, height: u32) {
        self.cmd(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        );
    }

    /// Emulates `prefers-color-scheme: dark` (or light).
    pub fn color_scheme(&self, scheme: &str) {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": "Emulation.setEmulatedMedia",
                         "params": { "features": [{ "name": "prefers-color-scheme", "value": scheme }] } })),
        );
    }

    /// Asserts the page is no wider than the window: nothing to scroll sideways.
    pub fn assert_no_sideways_scroll(&self, page: &str) {
        let v = self.js("return [document.documentElement.scrollWidth, window.innerWidth];");
        let (w, inner) = (v[0].as_f64().unwrap_or(0.0), v[1].as_f64().unwrap_or(0.0));
        assert!(
            w <= inner + 1.0,
            "{page}: the page is {w}px wide in a {inner}px window"
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.id.is_empty() {
            let (addr, path) = (self.addr, format!("/session/{}", self.id));
            let _ = std::panic::catch_unwind(|| wd(addr, "DELETE", &path, None));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
