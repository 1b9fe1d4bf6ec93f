// apiprobe reference: instant search, copy-link buttons, and old home-page anchors. Every page works
// without this file; it only saves the page load a search would otherwise cost.
//
// Results are built with DOM calls and textContent only: the page's CSP allows no inline code, and
// catalog text must never be parsed as markup. The markup mirrors entry_article in
// src/view/reference.rs and the count line mirrors count_text in src/view/home.rs.
(function () {
  "use strict";

  // The full reference used to live on the home page, so links such as /#PRB-3001 exist in the wild.
  // Fragments never reach the server; send such visitors to the entry on /reference.
  function followOldAnchor() {
    if (location.pathname !== "/" || location.hash.length < 2) return false;
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return false; }
    if (document.getElementById(id)) return false;
    if (id === "reference") { location.replace("/reference"); return true; }
    if (/^([1-9][0-9]{2}|PRB-[0-9]{4})$/i.test(id)) {
      location.replace("/reference#" + id.toUpperCase());
      return true;
    }
    return false;
  }

  function wireCopy(btn) {
    if (!navigator.clipboard || btn.getAttribute("data-wired")) return;
    btn.setAttribute("data-wired", "1");
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var url = new URL(btn.getAttribute("data-copy"), location.href).href;
      navigator.clipboard.writeText(url).then(function () {
        btn.textContent = "Link copied";
        setTimeout(function () { btn.textContent = "Copy link"; }, 1500);
      }, function () {
        btn.textContent = "Copy failed";
      });
    });
  }

  function setupCopy(root) {
    root.querySelectorAll("button.copy[data-copy]").forEach(wireCopy);
  }

  // el("a", {href: "/x"}, ["text", child]): an element with attributes and children (strings become
  // text nodes).
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function list(items) {
    return el("ul", {}, items.map(function (t) { return el("li", {}, [String(t)]); }));
  }

  function setupSearch() {
    var form = document.getElementById("search");
    var results = document.getElementById("entries");
    var status = document.getElementById("result-count");
    if (!form || !results || !status || !window.fetch || !window.history || !window.URLSearchParams) return;
    var q = form.elements.namedItem("q");
    var category = form.elements.namedItem("category");
    var kind = form.elements.namedItem("kind");
    var total = parseInt(status.getAttribute("data-total"), 10) || 1000;
    var timer = null;
    var seq = 0;

    function chosen(select) { return select.options[select.selectedIndex]; }

    // The text of an option for a value, as the server labels it ("Client error", "HTTP status").
    function label(select, value) {
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === value) return select.options[i].text;
      }
      return value;
    }

    function params() {
      var p = new URLSearchParams();
      if (q.value.trim()) p.set("q", q.value.trim());
      if (category.value) p.set("category", category.value);
      if (kind.value) p.set("kind", kind.value);
      return p;
    }

    function countLine(children) {
      while (status.firstChild) status.removeChild(status.firstChild);
      children.forEach(function (c) {
        status.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
      });
    }

    function showIdle() {
      while (results.firstChild) results.removeChild(results.firstChild);
      countLine([total + " entries. Search above, or ",
        el("a", { href: "/reference" }, ["open the full reference"]), "."]);
    }

    function countText(n, p) {
      var text = n === 0 ? "No entries match" : n === 1 ? "1 entry matches" : n + " entries match";
      if (p.get("q")) text += " \u201c" + p.get("q") + "\u201d";
      if (p.get("category")) text += " in " + chosen(category).getAttribute("data-plural");
      if (p.get("kind")) text += " (" + chosen(kind).getAttribute("data-plural") + " only)";
      return text + ".";
    }

    function related(hit) {
      return el("ul", { "class": "related", "aria-label": "Related codes" },
        hit.related_entries.map(function (r) {
          if (r.title === null || r.title === undefined) return el("li", {}, [r.code]);
          return el("li", {}, [el("a", { href: "/codes/" + encodeURIComponent(r.code), title: r.title }, [r.code])]);
        }));
    }

    function article(hit) {
      var href = "/codes/" + encodeURIComponent(hit.code);
      var head = [
        el("h3", { id: "t-" + hit.code }, [
          el("a", { href: href }, [el("span", { "class": "code" }, [hit.code]), " " + hit.title])
        ]),
        el("span", { "class": "badge badge-" + hit.category }, [label(category, hit.category)]),
        " ",
        el("span", { "class": "kind" }, [label(kind, hit.kind)])
      ];
      if (hit.name) head.push(" ", el("code", { "class": "name" }, [hit.name]));
      var copy = el("button", { "class": "copy", type: "button", "data-copy": href }, ["Copy link"]);
      copy.hidden = true;
      head.push(copy);
      wireCopy(copy);
      var body = [
        el("header", {}, head),
        el("p", {}, [hit.meaning]),
        el("div", { "class": "lists" }, [
          el("div", {}, [el("h4", {}, ["Likely causes"]), list(hit.likely_causes || [])]),
          el("div", {}, [el("h4", {}, ["Fixes"]), list(hit.fixes || [])])
        ])
      ];
      if (hit.related_entries && hit.related_entries.length) {
        body.push(el("div", { "class": "related-row" }, [el("span", {}, ["Related: "]), related(hit)]));
      }
      return el("article", {
        "class": "entry", id: hit.code, "data-code": hit.code, "data-category": hit.category,
        "data-kind": hit.kind, "aria-labelledby": "t-" + hit.code
      }, body);
    }

    function show(hits, p) {
      var frag = document.createDocumentFragment();
      hits.forEach(function (h) { frag.appendChild(article(h)); });
      while (results.firstChild) results.removeChild(results.firstChild);
      results.appendChild(frag);
      countLine([countText(hits.length, p), " ", el("a", { href: "/reference" }, ["Show all entries"])]);
    }

    function update() {
      var p = params();
      var qs = p.toString();
      history.replaceState(null, "", qs ? "/?" + qs : "/");
      var mine = ++seq;
      if (!qs) { showIdle(); return; }
      var api = new URLSearchParams(p);
      api.set("limit", String(total));
      fetch("/api/v1/search?" + api.toString(), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (doc) {
          if (mine !== seq) return; // a newer keystroke already asked again
          show(doc.results || [], p);
        })
        .catch(function () {
          if (mine !== seq) return;
          while (results.firstChild) results.removeChild(results.firstChild);
          countLine(["Search failed; press Search to load the results page."]);
          // Without the script the button submits the form; let it do so now.
          form.setAttribute("data-fallback", "1");
        });
    }

    function soon() {
      clearTimeout(timer);
      timer = setTimeout(update, 120);
    }

    q.addEventListener("input", soon);
    category.addEventListener("change", update);
    kind.addEventListener("change", update);
    form.addEventListener("submit", function (ev) {
      if (form.getAttribute("data-fallback")) return; // the API failed: do a plain page load
      ev.preventDefault();
      clearTimeout(timer);
      update();
    });
  }

  function start() {
    if (followOldAnchor()) return;
    setupCopy(document);
    setupSearch();
  }
  window.addEventListener("hashchange", followOldAnchor);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
