//! The status pages in a real browser: Debian's `chromium`, headless, driven over WebDriver by
//! `chromedriver`. Opens `/status` at desktop and phone widths, follows a failing check to its page
//! and on to its code's entry in the reference, checks the stylesheet applies under the CSP, nothing
//! overflows sideways, and the dark scheme takes effect.
//!
//! Needs `chromium` and `chromedriver` ([`apiprobe_testkit::browser`]); without them the test passes
//! unless `APIPROBE_BROWSER_TEST=require` is set.

mod web_common;

use apiprobe_testkit::browser::Browser;
use serde_json::json;
use std::net::SocketAddr;
use web_common::*;

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
    let Some(s) = Browser::start() else {
        return;
    };
    let (addr, _stop) = serve();
    let base = format!("http://{addr}");

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
    s.color_scheme("dark");
    s.go(&format!("{base}/status"));
    s.wait_for("the status page", |s| {
        s.js("return document.title;") == json!("Status - apiprobe")
    });
    let bg = s.js("return getComputedStyle(document.body).backgroundColor;");
    assert_eq!(bg, json!("rgb(18, 21, 27)"), "dark background");
}
