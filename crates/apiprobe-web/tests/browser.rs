//! The site in a real browser: Debian's `chromium`, headless, driven over WebDriver by `chromedriver`.
//! Loads the home page, types into the search box, picks a category, checks the results and the
//! address bar against the server-rendered page, follows an old `/#CODE` link to the full reference and
//! its anchors, then opens an entry page.
//!
//! Needs `chromium` and `chromedriver` on PATH (Debian: `apt-get install chromium chromium-driver`).
//! Without them the test says so and passes, unless `APIPROBE_BROWSER_TEST=require` is set (CI sets it),
//! in which case it fails.

mod common;

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn find(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| std::path::Path::new(d).join(program))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
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
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    // chromedriver may keep the connection open, so read the head, then Content-Length bytes.
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).unwrap();
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
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "chromedriver closed the connection mid-body");
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf[head_end..head_end + len]).into_owned();
    let body = text.as_str();
    let v: Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("bad WebDriver reply ({e}): {text}"));
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
    fn type_into(&self, el: &str, text: &str) {
        self.cmd(
            "POST",
            &format!("/element/{el}/value"),
            Some(json!({ "text": text })),
        );
    }
    fn click(&self, el: &str) {
        self.cmd("POST", &format!("/element/{el}/click"), Some(json!({})));
    }
    fn text(&self, el: &str) -> String {
        self.cmd("GET", &format!("/element/{el}/text"), None)
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
    fn js(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }
    /// Polls until `f` holds, for up to ten seconds.
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
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    // Owned from here on, so a failed wait still stops it.
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

/// The codes and categories of the reference entries the page currently shows, in order.
/// The page's `:target` is entry `id`, and the anchor scrolled it to the top of the window.
fn assert_anchor_on_top(s: &Session, id: &str) {
    let target = s.js("var t = document.querySelector(':target'); return t ? t.id : null;");
    assert_eq!(target, json!(id));
    let top = s.js(&format!(
        "return document.getElementById('{id}').getBoundingClientRect().top;"
    ));
    assert!(
        top.as_f64().is_some_and(|t| t.abs() < 5.0),
        "{id} is at {top}"
    );
}

fn visible(s: &Session) -> Vec<(String, String)> {
    let v = s.js(
        "return Array.from(document.querySelectorAll('#entries > article.entry'))\
         .filter(function (a) { return !a.hidden; })\
         .map(function (a) { return [a.dataset.code, a.dataset.category]; });",
    );
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap_or("").to_owned(),
                        p[1].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every node under the results list: each element's tag and attributes, each text node's exact text.
/// The script's results and the server's must give the same list.
const DOM_SHAPE: &str = "var out = []; (function walk(n) { n.childNodes.forEach(function (c) {\
    if (c.nodeType === 3) { out.push('#' + c.data); return; }\
    if (c.nodeType !== 1) return;\
    var attrs = Array.from(c.attributes).map(function (a) { return a.name + '=' + a.value; }).sort();\
    out.push(c.tagName + ' ' + attrs.join(' ')); walk(c); out.push('/' + c.tagName); }); })\
    (document.getElementById('entries')); return out;";

#[test]
fn search_filter_url_and_entry_page_in_chromium() {
    let required = std::env::var("APIPROBE_BROWSER_TEST").is_ok_and(|v| v == "require");
    let (Some(chromium), Some(chromedriver)) = (find("chromium"), find("chromedriver")) else {
        assert!(
            !required,
            "APIPROBE_BROWSER_TEST=require but chromium or chromedriver is not on PATH"
        );
        eprintln!("skipping: chromium and chromedriver are not installed");
        return;
    };

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(apiprobe_web::serve(listener, common::router(), async {
        let _ = stopped.await;
    }));

    let profile = tempfile::tempdir().unwrap();
    let driver = start_driver(&chromedriver);
    let s = open_session(&driver, &chromium, profile.path());

    s.go(&format!("{base}/"));
    let total = common::catalog().entries().len();
    assert!(
        visible(&s).is_empty(),
        "the home page lists no entries until asked"
    );
    let idle = s.text(&s.element("#result-count"));
    assert_eq!(
        idle,
        format!("{total} entries. Search above, or open the full reference.")
    );

    // Typing searches as you type: no submit, no page load.
    let q = s.element("#q");
    s.click(&q);
    s.type_into(&q, "timeout");
    s.wait_for("the address to carry the query", |s| {
        s.url() == format!("{base}/?q=timeout")
    });
    s.wait_for("results to appear", |s| !visible(s).is_empty());
    let any_category = visible(&s);
    let option = s.element("#category option[value='server']");
    s.click(&option);
    s.wait_for("the address to carry the category", |s| {
        s.url() == format!("{base}/?q=timeout&category=server")
    });
    s.wait_for("only server entries", |s| {
        let v = visible(s);
        !v.is_empty() && v.len() < any_category.len() && v.iter().all(|(_, c)| c == "server")
    });
    let shown = visible(&s);
    assert!(
        shown
            .iter()
            .any(|(code, _)| code == "PRB-3002" || code == "504"),
        "a connect or gateway timeout is among {shown:?}"
    );
    let status = s.text(&s.element("#result-count"));
    assert!(status.contains("match"), "result count says {status:?}");
    let entries_text = s.text(&s.element("#entries"));
    let dom = s.js(DOM_SHAPE);

    // The same address loads the same results from the server, script or not: same entries, same
    // count line, same text and links in each entry.
    s.go(&format!("{base}/?q=timeout&category=server"));
    assert_eq!(
        visible(&s),
        shown,
        "server-side and instant search disagree"
    );
    assert_eq!(s.text(&s.element("#result-count")), status);
    assert_eq!(s.text(&s.element("#entries")), entries_text);
    let server_dom = s.js(DOM_SHAPE);
    assert!(server_dom.as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(
        server_dom, dom,
        "the script's results differ from the server's markup"
    );

    // Nothing found is said, and the list empties.
    let q = s.element("#q");
    s.cmd("POST", &format!("/element/{q}/clear"), Some(json!({})));
    s.type_into(&q, "zzzzqqqqxxxx");
    s.wait_for("the no-results line", |s| {
        s.text(&s.element("#result-count"))
            .starts_with("No entries match")
    });
    assert!(visible(&s).is_empty());
    s.go(&format!("{base}/?q=timeout&category=server"));

    // An old link into the reference on the home page lands on the entry in /reference.
    s.go(&format!("{base}/#PRB-3001"));
    s.wait_for("the move to /reference", |s| {
        s.url() == format!("{base}/reference#PRB-3001")
    });
    s.wait_for("the page to load", |s| {
        s.js("return document.readyState;") == json!("complete")
    });
    let count = s.js("return document.querySelectorAll('article.entry').length;");
    assert_eq!(count, json!(total), "/reference lists every entry");
    let codes = s.js(
        "return Array.from(document.querySelectorAll('article.entry')).map(function (a) { return a.id; }).sort();",
    );
    let mut want: Vec<String> = common::catalog()
        .entries()
        .iter()
        .map(|e| e.code.clone())
        .collect();
    want.sort();
    assert_eq!(codes, json!(want));
    assert_anchor_on_top(&s, "PRB-3001");
    // The contents link to each entry's anchor.
    let chip = s.element(".toc a[href='#404']");
    s.click(&chip);
    s.wait_for("the anchor to change", |s| {
        s.url() == format!("{base}/reference#404")
    });
    assert_anchor_on_top(&s, "404");
    s.go(&format!("{base}/?q=timeout&category=server"));

    // Open the first result's page.
    let first = &shown[0].0;
    let link = s.element(&format!("#entries > article[data-code='{first}'] h3 a"));
    s.click(&link);
    s.wait_for("the entry page", |s| {
        s.url() == format!("{base}/codes/{first}")
    });
    let h1 = s.text(&s.element("h1"));
    assert!(h1.starts_with(first.as_str()), "entry page heading {h1:?}");
    // The copy-link button is shown once the script runs.
    let copy_hidden = s.js("return document.querySelector('button.copy').hidden;");
    assert_eq!(copy_hidden, json!(false));

    drop(s);
    drop(driver);
    let _ = stop.send(());
    runtime.block_on(async {
        let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
    });
}
