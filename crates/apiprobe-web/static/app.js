// apiprobe reference: instant search and copy-link buttons. Every page works without this file;
// it only saves the page load a search would otherwise cost.
(function () {
  "use strict";

  function setupCopy() {
    document.querySelectorAll("button.copy[data-copy]").forEach(function (btn) {
      if (!navigator.clipboard) return;
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
    });
  }

  function setupSearch() {
    var form = document.getElementById("search");
    var list = document.getElementById("entries");
    var status = document.getElementById("result-count");
    if (!form || !list || !status || !window.fetch || !window.history) return;
    var q = form.elements.namedItem("q");
    var category = form.elements.namedItem("category");
    var kind = form.elements.namedItem("kind");
    var original = Array.prototype.slice.call(list.children);
    var total = original.length;
    var timer = null;
    var seq = 0;

    function params() {
      var p = new URLSearchParams();
      if (q.value.trim()) p.set("q", q.value.trim());
      if (category.value) p.set("category", category.value);
      if (kind.value) p.set("kind", kind.value);
      return p;
    }

    function show(codes, p) {
      var byCode = {};
      original.forEach(function (el) { byCode[el.getAttribute("data-code")] = el; el.hidden = true; });
      var frag = document.createDocumentFragment();
      codes.forEach(function (c) {
        var el = byCode[c];
        if (el) { el.hidden = false; frag.appendChild(el); delete byCode[c]; }
      });
      original.forEach(function (el) { if (byCode[el.getAttribute("data-code")]) frag.appendChild(el); });
      list.appendChild(frag);
      var n = codes.length;
      var text = n + (n === 1 ? " entry matches" : " entries match");
      if (p.get("q")) text += " \u201c" + p.get("q") + "\u201d";
      if (p.get("category")) text += " in " + category.options[category.selectedIndex].text.toLowerCase() + "s";
      if (p.get("kind")) text += " (" + kind.options[kind.selectedIndex].text.toLowerCase() + "s only)";
      status.textContent = text + ".";
    }

    function showAll() {
      var frag = document.createDocumentFragment();
      original.forEach(function (el) { el.hidden = false; frag.appendChild(el); });
      list.appendChild(frag);
      status.textContent = total + " entries";
    }

    function update() {
      var p = params();
      var qs = p.toString();
      history.replaceState(null, "", qs ? "/?" + qs : "/");
      if (!qs) { seq++; showAll(); return; }
      var mine = ++seq;
      var api = new URLSearchParams(p);
      api.set("limit", String(total || 1000));
      fetch("/api/v1/search?" + api.toString(), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (doc) {
          if (mine !== seq) return; // a newer keystroke already asked again
          show(doc.results.map(function (e) { return e.code; }), p);
        })
        .catch(function () {
          if (mine === seq) status.textContent = "Search failed; press Search to load the results page.";
        });
    }

    function soon() {
      clearTimeout(timer);
      timer = setTimeout(update, 120);
    }

    q.addEventListener("input", soon);
    category.addEventListener("change", update);
    kind.addEventListener("change", update);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); clearTimeout(timer); update(); });
  }

  function start() { setupCopy(); setupSearch(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
