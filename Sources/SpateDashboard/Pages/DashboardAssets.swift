// The dashboard's stylesheet and script, embedded in the binary (nothing is
// fetched from elsewhere). The stylesheet follows prefers-color-scheme for
// light and dark mode and lays cards out in a grid that folds to one column on
// a phone. The script, by hand and without libraries:
// - writes every <time data-t> and chart tick label in the browser's time zone;
// - every 2 s refreshes each live region (data-live) from its JSON endpoint
//   (data-src); it keeps polling through errors, so the page comes back by
//   itself after the server restarts, and says so in the header meanwhile;
// - submits the job page's key chooser when it changes;
// - draws alert rows and job rows with the same columns as the server does
//   (Fragments.swift), and swaps in the charts the endpoints draw (svg=1);
// - sends Acknowledge/Resolve as POST /api/alerts/ID/ack|resolve with the
//   X-Spate-Dashboard header, only where the server rendered the buttons.

enum DashboardAssets {
    static let stylesheet = #"""
    :root { --bg: #ffffff; --fg: #1b1f24; --muted: #5b6570; --card: #f6f8fa; --line: #d0d7de;
            --s0: #0969da; --s1: #bf3989; --s2: #1a7f37; --s3: #9a6700; --threshold: #cf222e; --mark: rgba(207,34,46,0.12);
            --ok: #1a7f37; --alarm: #cf222e; --warn: #9a6700; --neutral: #6e7781; }
    @media (prefers-color-scheme: dark) {
      :root { --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --card: #161b22; --line: #30363d;
              --s0: #4493f8; --s1: #f778ba; --s2: #3fb950; --s3: #d29922; --threshold: #f85149; --mark: rgba(248,81,73,0.18);
              --ok: #3fb950; --alarm: #f85149; --warn: #d29922; --neutral: #8d96a0; }
    }
    * { box-sizing: border-box; }
    body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
    header { display: flex; flex-wrap: wrap; align-items: center; gap: 16px; padding: 8px 16px; border-bottom: 1px solid var(--line); }
    header nav { display: flex; gap: 12px; }
    a { color: var(--s0); text-decoration: none; }
    a[aria-current] { font-weight: 600; text-decoration: underline; }
    .brand { font-weight: 700; color: var(--fg); }
    .live { margin-left: auto; color: var(--muted); font-size: 12px; }
    .live.down { color: var(--alarm); font-weight: 600; }
    main { padding: 8px 16px 32px; max-width: 1600px; }
    h1 { font-size: 20px; } h2 { font-size: 16px; margin: 20px 0 8px; } h3 { font-size: 15px; margin: 0 0 4px; } h4 { margin: 8px 0 4px; }
    .more { font-size: 12px; font-weight: 400; margin-left: 8px; }
    .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 12px; }
    .card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; min-width: 0; }
    dl { display: grid; grid-template-columns: auto 1fr auto 1fr; gap: 2px 8px; margin: 0 0 6px; color: var(--muted); }
    dd { margin: 0; color: var(--fg); }
    figure { margin: 4px 0; } figcaption { font-size: 12px; color: var(--muted); }
    svg.chart { width: 100%; height: auto; display: block; }
    svg.chart .axis { fill: var(--muted); font-size: 11px; }
    svg.chart .grid { stroke: var(--line); stroke-width: 1; }
    svg.chart .tick { stroke: var(--muted); }
    svg.chart .line { fill: none; stroke-width: 1.8; vector-effect: non-scaling-stroke; }
    svg.chart .s0 { stroke: var(--s0); fill: var(--s0); } svg.chart .s1 { stroke: var(--s1); fill: var(--s1); }
    svg.chart .s2 { stroke: var(--s2); fill: var(--s2); } svg.chart .s3 { stroke: var(--s3); fill: var(--s3); }
    svg.chart polyline.line { fill: none; }
    .key::before { content: ""; display: inline-block; width: 10px; height: 3px; margin: 0 4px 3px 0; vertical-align: middle; }
    .key.k0::before { background: var(--s0); } .key.k1::before { background: var(--s1); }
    .key.k2::before { background: var(--s2); } .key.k3::before { background: var(--s3); }
    svg.chart .threshold { stroke: var(--threshold); stroke-dasharray: 5 4; stroke-width: 1.5; }
    svg.chart .mark { fill: var(--mark); } svg.chart .window { fill: var(--threshold); opacity: 0.7; }
    .scroll { overflow-x: auto; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { color: var(--muted); font-weight: 500; font-size: 12px; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    td.why { max-width: 420px; font-size: 12px; } td.why code { white-space: pre-wrap; word-break: break-all; }
    .explain { display: block; }
    .badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; color: #fff; background: var(--neutral); }
    .badge.ok, .badge.running, .badge.resolved { background: var(--ok); }
    .badge.alarm, .badge.failed, .badge.open { background: var(--alarm); }
    .badge.insufficient_data, .badge.paused, .badge.acknowledged { background: var(--warn); }
    .badges a { margin-right: 12px; }
    button { font: inherit; font-size: 12px; padding: 2px 8px; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: var(--fg); cursor: pointer; }
    form.filters { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: end; margin-bottom: 12px; }
    form.keys { margin: 0 0 8px; } p.note { color: var(--muted); font-size: 0.85em; margin: 4px 0 0; }
    input, select { font: inherit; padding: 2px 6px; background: var(--bg); color: var(--fg); border: 1px solid var(--line); border-radius: 4px; }
    pre { background: var(--card); border: 1px solid var(--line); padding: 8px; overflow-x: auto; white-space: pre-wrap; }
    .error { color: var(--alarm); } .empty { color: var(--muted); }
    .ranges a { margin-right: 10px; }
    ol.history { padding-left: 18px; margin: 0; font-size: 12px; }
    @media (max-width: 600px) {
      .cards { grid-template-columns: 1fr; } main { padding: 4px 8px 24px; }
      dl { grid-template-columns: auto 1fr; }
    }
    """#

    static let script = #"""
    (function () {
      "use strict";
      var canWrite = document.body.dataset.canWrite === "1";
      var live = document.getElementById("live");
      var last = new WeakMap();
      function pad(n) { return String(n).padStart(2, "0"); }
      function esc(s) {
        return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
          return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
        });
      }
      function fmt(v) {
        if (v == null) return "—";
        var a = Math.abs(v);
        if (a >= 1e9) return +(v / 1e9).toPrecision(3) + "G";
        if (a >= 1e6) return +(v / 1e6).toPrecision(3) + "M";
        if (a >= 1e3) return +(v / 1e3).toPrecision(3) + "k";
        return String(+v.toFixed(a < 10 ? 2 : a < 100 ? 1 : 0));
      }
      function ms(v) { return v >= 60000 ? fmt(v / 60000) + " min" : v >= 1000 ? fmt(v / 1000) + " s" : fmt(v) + " ms"; }
      function bytes(v) { var u = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0; while (v >= 1024 && i < 4) { v /= 1024; i++; } return fmt(v) + " " + u[i]; }
      function localize(root) {
        root.querySelectorAll("[data-t]").forEach(function (el) {
          var d = new Date(Number(el.dataset.t));
          if (el.dataset.fmt === "time") el.textContent = pad(d.getHours()) + ":" + pad(d.getMinutes());
          else if (el.dataset.fmt === "date") el.textContent = d.toLocaleDateString(undefined, { month: "short", day: "numeric" });
          else { el.textContent = d.toLocaleString(); el.setAttribute("title", d.toISOString()); }
        });
      }
      function time(t) { return t == null ? "—" : '<time data-t="' + t + '">' + new Date(t).toISOString() + "</time>"; }
      function badge(s) { return '<span class="badge ' + esc(String(s).toLowerCase()) + '">' + esc(s) + "</span>"; }
      function explain(td) {
        var e = null;
        try { e = JSON.parse(td.dataset.explanation || "null"); } catch (err) { return; }
        if (!e || td.querySelector(".explain")) return;
        var inputs = (e.inputs || []).map(function (i) {
          var text = i.input + " " + fmt(i.observed);
          if (i.expected != null) text += " (expected " + fmt(i.expected) + (i.low != null ? ", normal " + fmt(i.low) + "–" + fmt(i.high) : "") + ")";
          return text;
        }).join("; ");
        td.insertAdjacentHTML("afterbegin", '<span class="explain">' + esc(e.detector) +
          (e.grade != null ? " grade " + esc(e.grade) : "") + (inputs ? ": " + esc(inputs) : "") + "</span>");
      }
      function alertRow(a) {
        var src = a.kind === "job" && a.source ? '<a href="/jobs/' + encodeURIComponent(a.source) + '">' + esc(a.source) + "</a>" : esc(a.source);
        var row = '<tr data-id="' + a.id + '"><td>' + a.id + "</td><td>" + time(a.createdAtMs) + "</td><td>" + src + "</td><td>" + esc(a.key) +
          '</td><td class="num">' + (a.score == null ? "" : fmt(a.score)) + "</td><td>" + badge(a.state) + "</td>" +
          '<td class="why" data-explanation="' + esc(JSON.stringify(a.explanation)) + '"><details><summary>row</summary><code>' +
          esc(JSON.stringify(a.row)) + "</code></details></td>";
        if (canWrite) {
          row += '<td class="actions">';
          if (a.state === "open") row += '<button data-action="ack" data-id="' + a.id + '">Acknowledge</button>';
          if (a.state !== "resolved") row += '<button data-action="resolve" data-id="' + a.id + '">Resolve</button>';
          row += "</td>";
        }
        return row + "</tr>";
      }
      function jobRow(j) {
        var state = j.runningIn && j.state === "running" ? "running" : j.state;
        var lag = [j.lagRecords != null ? j.lagRecords + " records" : null, j.lagMs != null ? ms(j.lagMs) : null].filter(Boolean).join(" · ");
        var anomalies = j.anomaliesPerMinute.filter(function (v) { return v != null; }).pop();
        return '<tr data-name="' + esc(j.name) + '"><td><a href="/jobs/' + encodeURIComponent(j.name) + '">' + esc(j.name) + "</a></td><td>" +
          badge(state) + '</td><td class="num">' + (lag || "—") + '</td><td class="num">' + j.recordsIn + '</td><td class="num">' +
          j.recordsOut + '</td><td class="num">' + (anomalies == null ? "—" : fmt(anomalies)) + "</td><td>" + time(j.checkpointAtMs) + "</td></tr>";
      }
      function setChart(root, id, svg) {
        var box = Array.prototype.find.call(root.querySelectorAll("[data-chart]"), function (el) { return el.dataset.chart === id; });
        if (box && svg != null) box.innerHTML = svg;
        return box;
      }
      function names(el, selector) {
        return Array.prototype.map.call(el.querySelectorAll(selector), function (n) { return n.dataset.name; }).join("\n");
      }
      async function reloadSection(el) {
        var response = await fetch(location.href, { cache: "no-store" });
        var doc = new DOMParser().parseFromString(await response.text(), "text/html");
        var fresh = doc.querySelector('[data-live="' + el.dataset.live + '"]');
        if (fresh) { el.innerHTML = fresh.innerHTML; el.querySelectorAll("td.why").forEach(explain); }
      }
      var renderers = {
        alerts: function (el, data) {
          var tbody = el.querySelector("tbody");
          tbody.innerHTML = data.alerts.length ? data.alerts.map(alertRow).join("") : '<tr class="empty"><td colspan="8">no alerts</td></tr>';
          tbody.querySelectorAll("td.why").forEach(explain);
        },
        jobs: function (el, data) {
          var only = el.dataset.only;
          var jobs = data.jobs.filter(function (j) { return only == null || j.name === only; });
          el.querySelector("tbody").innerHTML = jobs.length ? jobs.map(jobRow).join("") :
            '<tr class="empty"><td colspan="7">no jobs (CREATE JOB name AS SELECT …)</td></tr>';
        },
        streams: async function (el, data) {
          if (names(el, "article.stream") !== data.streams.map(function (s) { return s.name; }).join("\n")) return reloadSection(el);
          data.streams.forEach(function (s) {
            setChart(el, "records:" + s.name, s.recordsChart);
            var card = setChart(el, "bytes:" + s.name, s.bytesChart).closest("article");
            card.querySelector('[data-field="bytes"]').textContent = bytes(s.bytes);
            card.querySelector('[data-field="records"]').textContent = s.records;
          });
        },
        "alarm-badges": function (el, data) {
          el.innerHTML = data.alarms.length ? data.alarms.map(function (a) {
            return '<a href="/alarms#alarm-' + encodeURIComponent(a.name) + '">' + esc(a.name) + " " + badge(a.state) + "</a>";
          }).join(" ") : '<span class="empty">no alarms (CREATE ALARM …)</span>';
        },
        alarms: async function (el, data) {
          if (names(el, "article.alarm") !== data.alarms.map(function (a) { return a.name; }).join("\n")) return reloadSection(el);
          data.alarms.forEach(function (a) {
            var card = setChart(el, "alarm:" + a.name, a.chart).closest("article");
            card.querySelector('[data-field="state"]').innerHTML = badge(a.state);
            card.querySelector('[data-field="reason"]').textContent = a.stateReason || "";
            card.querySelector('[data-field="history"]').innerHTML = a.history.map(function (h) {
              return "<li>" + time(h.atMs) + " " + (h.oldState ? badge(h.oldState) + " → " : "") + badge(h.newState) + " " + esc(h.reason) + "</li>";
            }).join("");
          });
        },
        "job-charts": function (el, data) {
          (data.charts || []).forEach(function (svg, i) { setChart(el, "job:" + i, svg); });
        },
        "job-scores": async function (el, data) {
          var offered = Array.prototype.map.call(el.querySelectorAll('select[name="key"] option'), function (o) { return o.value; });
          var keys = data.keys.map(function (k) { return k.key; });
          if (data.key == null) return;
          if (offered.length === 0 || keys.some(function (k) { return offered.indexOf(k) < 0; })) return reloadSection(el);
          setChart(el, "scores", data.chart);
        }
      };
      async function refresh(el) {
        var response = await fetch(el.dataset.src, { cache: "no-store", headers: { "Accept": "application/json" } });
        if (!response.ok) throw new Error(el.dataset.src + ": HTTP " + response.status);
        var text = await response.text();
        if (last.get(el) === text) return;
        last.set(el, text);
        await renderers[el.dataset.live](el, JSON.parse(text));
        localize(el);
      }
      async function poll() {
        try {
          var regions = document.querySelectorAll("[data-live]");
          for (var i = 0; i < regions.length; i++) await refresh(regions[i]);
          live.textContent = "live · updated " + new Date().toLocaleTimeString();
          live.className = "live ok";
        } catch (err) {
          live.textContent = "server unreachable, retrying every 2 s";
          live.className = "live down";
        }
        setTimeout(poll, 2000);
      }
      document.addEventListener("click", async function (event) {
        var button = event.target.closest("button[data-action]");
        if (!button || !canWrite) return;
        button.disabled = true;
        try {
          var response = await fetch("/api/alerts/" + button.dataset.id + "/" + button.dataset.action,
                                     { method: "POST", headers: { "X-Spate-Dashboard": "1" } });
          if (!response.ok) throw new Error((await response.json()).error);
          var tables = document.querySelectorAll('[data-live="alerts"]');
          for (var i = 0; i < tables.length; i++) await refresh(tables[i]);
        } catch (err) {
          button.disabled = false;
          live.textContent = String(err.message || err);
          live.className = "live down";
        }
      });
      document.addEventListener("change", function (event) {
        if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
      });
      localize(document);
      document.querySelectorAll("td.why").forEach(explain);
      setTimeout(poll, 2000);
    })();
    """#
}
