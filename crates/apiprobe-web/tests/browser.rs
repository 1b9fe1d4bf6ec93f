//! The site in a real browser: Debian's `chromium`, headless, driven over WebDriver by `chromedriver`.
//! Loads the home page, types into the search box, picks a category, checks the results and the
//! address bar against the server-rendered page, follows an old `/#CODE` link to the full reference and
//! its anchors, then opens an entry page.
//!
//! Needs `chromium` and `chromedriver` ([`apiprobe_testkit::browser`]); without them the test passes
//! unless `APIPROBE_BROWSER_TEST=require` is set.

mod common;

use apiprobe_testkit::browser::Browser;
use serde_json::json;
use std::time::Duration;

/// The codes and categories of the reference entries the page currently shows, in order.
/// The page's `:target` is entry `id`, and the anchor scrolled it to the top of the window.
fn assert_anchor_on_top(s: &Browser, id: &str) {
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

fn visible(s: &Browser) -> Vec<(String, String)> {
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
    let Some(s) = Browser::start() else {
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
    let _ = stop.send(());
    runtime.block_on(async {
        let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
    });
}
