/**
 * The dashboard's inline stylesheet and script. They are constants so their SHA-256 hashes (the CSP allows exactly
 * these two blocks) never change between responses. The script builds the page with DOM APIs and `textContent`
 * only, never HTML strings, so data cannot inject markup.
 */
export const DASHBOARD_STYLE = `
:root{color-scheme:light dark;--bg:#0f1419;--panel:#1a2129;--fg:#e6e6e6;--muted:#8b98a5;--pass:#3fb950;--warn:#d29922;--fail:#f85149;--accent:#58a6ff}
@media (prefers-color-scheme:light){:root{--bg:#f6f8fa;--panel:#fff;--fg:#1f2328;--muted:#59636e;--accent:#0969da}}
*{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;background:var(--bg);color:var(--fg)}
header{display:flex;flex-wrap:wrap;gap:1rem;align-items:baseline;padding:1rem 1.5rem;border-bottom:1px solid var(--muted)}
h1{font-size:1.2rem;margin:0}h2{font-size:1rem;margin:0 0 .5rem}.muted{color:var(--muted)}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1rem;padding:1rem 1.5rem}
section{background:var(--panel);border-radius:8px;padding:1rem;overflow-x:auto}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(120px,1fr));gap:.75rem}
.kpi .value{font-size:1.6rem;font-variant-numeric:tabular-nums}.kpi .label{color:var(--muted);font-size:.8rem}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid rgba(128,128,128,.25)}
th{color:var(--muted);font-weight:500}td.num,th.num{text-align:right}
.status{display:inline-block;padding:0 .5rem;border-radius:999px;font-weight:600;font-size:.8rem}
.status.pass{background:var(--pass);color:#000}.status.warn{background:var(--warn);color:#000}.status.fail{background:var(--fail);color:#000}
svg.spark{width:100%;height:60px}svg.spark polyline{fill:none;stroke:var(--accent);stroke-width:2}
#stale{color:var(--fail)}
`;

export const DASHBOARD_SCRIPT = `
(function () {
  'use strict';
  var root = document.getElementById('dashboard');
  var endpoint = root.getAttribute('data-endpoint');
  var refreshMs = Number(root.getAttribute('data-refresh-ms')) || 5000;
  var history = [];
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function fmt(n, digits) {
    if (n === null || n === undefined || Number.isNaN(n)) return '—';
    return Number(n).toLocaleString(undefined, { maximumFractionDigits: digits === undefined ? 1 : digits });
  }
  function pct(n) { return fmt((n || 0) * 100, 2) + ' %'; }
  function duration(s) {
    if (s < 120) return fmt(s, 0) + ' s';
    if (s < 7200) return fmt(s / 60, 0) + ' min';
    if (s < 172800) return fmt(s / 3600, 1) + ' h';
    return fmt(s / 86400, 1) + ' d';
  }
  function set(id, text) { var n = document.getElementById(id); if (n) n.textContent = text; }
  function status(s) { return el('span', { class: 'status ' + s }, s); }
  function table(id, headers, rows) {
    var t = document.getElementById(id);
    while (t.firstChild) t.removeChild(t.firstChild);
    var head = el('tr');
    headers.forEach(function (h) { head.appendChild(el('th', h.num ? { class: 'num' } : null, h.label)); });
    t.appendChild(head);
    rows.forEach(function (cells) {
      var tr = el('tr');
      cells.forEach(function (c, i) {
        var td = el('td', headers[i].num ? { class: 'num' } : null);
        if (c instanceof Node) td.appendChild(c); else td.textContent = c;
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
  }
  function spark(values) {
    var svg = document.getElementById('latency-spark');
    var line = svg.querySelector('polyline');
    var max = Math.max.apply(null, values.concat([1]));
    var points = values.map(function (v, i) {
      var x = values.length < 2 ? 0 : (i / (values.length - 1)) * 300;
      return x.toFixed(1) + ',' + (58 - (v / max) * 56).toFixed(1);
    });
    line.setAttribute('points', points.join(' '));
  }
  function render(d) {
    set('service', d.service + ' ' + d.version);
    set('generated', 'updated ' + new Date(d.generatedAt).toLocaleTimeString());
    set('uptime', duration(d.uptimeSeconds));
    set('rate', fmt(d.requests.ratePerSecond, 2));
    set('total', fmt(d.requests.total, 0));
    set('error-rate', pct(d.requests.errorRate));
    set('p50', fmt(d.requests.latency.p50Ms));
    set('p95', fmt(d.requests.latency.p95Ms));
    set('p99', fmt(d.requests.latency.p99Ms));
    set('sessions', fmt(d.sessions.active, 0));
    set('rate-limited', fmt(d.rateLimited, 0));
    var overall = document.getElementById('health-status');
    while (overall.firstChild) overall.removeChild(overall.firstChild);
    overall.appendChild(d.health ? status(d.health.status) : el('span', { class: 'muted' }, 'not configured'));
    table('health-table', [{ label: 'component' }, { label: 'type' }, { label: 'status' }, { label: 'latency ms', num: 1 }, { label: 'detail' }],
      (d.health ? d.health.components : []).map(function (c) {
        return [c.name + (c.critical ? '' : ' (non-critical)'), c.type, status(c.status), fmt(c.latencyMs, 1), c.output || ''];
      }));
    table('tools-table', [{ label: 'tool' }, { label: 'calls', num: 1 }, { label: 'errors', num: 1 }, { label: 'error rate', num: 1 }, { label: 'p50 ms', num: 1 }, { label: 'p95 ms', num: 1 }, { label: 'p99 ms', num: 1 }],
      d.tools.map(function (t) { return [t.tool, fmt(t.calls, 0), fmt(t.errors + t.toolErrors, 0), pct(t.errorRate), fmt(t.p50Ms), fmt(t.p95Ms), fmt(t.p99Ms)]; }));
    table('ops-table', [{ label: 'operation' }, { label: 'n', num: 1 }, { label: 'p50 ms', num: 1 }, { label: 'p95 ms', num: 1 }, { label: 'p99 ms', num: 1 }, { label: 'status' }],
      d.operations.map(function (o) { return [o.operation, fmt(o.count, 0), fmt(o.p50Ms), fmt(o.p95Ms), fmt(o.p99Ms), status(o.status)]; }));
    table('status-table', [{ label: 'class' }, { label: 'responses', num: 1 }],
      Object.keys(d.requests.byStatusClass).sort().map(function (k) { return [k, fmt(d.requests.byStatusClass[k], 0)]; }));
    history.push(d.requests.latency.p95Ms || 0);
    if (history.length > 60) history.shift();
    spark(history);
  }
  function refresh() {
    fetch(endpoint, { headers: { accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (d) { set('stale', ''); render(d); })
      .catch(function (e) { set('stale', 'refresh failed: ' + e.message); })
      .then(function () { setTimeout(refresh, refreshMs); });
  }
  render(JSON.parse(document.getElementById('dashboard-data').textContent));
  setTimeout(refresh, refreshMs);
})();
`;
