// The gateway's live web page at `/`: one self-contained HTML document (inline CSS and script,
// nothing fetched from elsewhere, no build step). It polls `GET /locks?detail=true` about once a
// second and shows every lock under the root with its holders and waiters in lock order, who
// each participant is (gateway client, zkurator library, JVM Curator), the time left on each
// gateway lock's lifetime (counting down between polls), and a release button on gateway locks.
// A resource that is a leader election (LeaderLatch members) shows its leader and its members
// in election order, with their ids; one used by both an election and a lock, as a conflict.
//
// Everything the server reports (resource names, titles, node data) is untrusted text: the script
// only ever writes it with `textContent` / `setAttribute`, never as markup. A Content-Security-
// Policy in the page (script and style allowed by hash only, requests to the same origin only)
// is a second wall: an injected inline handler would not run even if markup slipped through.
import { createHash } from 'node:crypto';

const STYLE = String.raw`
:root { color-scheme: light dark; --fg: #1d2330; --muted: #5b6475; --bg: #f6f7f9; --card: #fff;
  --line: #dfe3ea; --accent: #2458d6; --warn: #b3261e; --gw: #2458d6; --lib: #107c41; --cur: #8a4b00;
  --unk: #6b6b6b; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6e9ef; --muted: #a0a8b8; --bg: #14171c; --card: #1c2027; --line: #323845;
    --accent: #7aa2ff; --warn: #ff8a80; --gw: #7aa2ff; --lib: #5fd08f; --cur: #f0a54a; --unk: #aaa; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; padding: 14px 20px;
  border-bottom: 1px solid var(--line); background: var(--card); }
h1 { font-size: 18px; margin: 0; }
.muted { color: var(--muted); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
#status { margin-left: auto; }
#status[data-state="error"] { color: var(--warn); }
#status::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%;
  margin-right: 6px; background: var(--lib); vertical-align: 1px; }
#status[data-state="error"]::before { background: var(--warn); }
#status[data-state="connecting"]::before { background: var(--muted); }
main { padding: 16px 20px; }
#notice { margin: 0 0 12px; color: var(--warn); }
#notice:empty { display: none; }
form#token-form { margin: 0 0 12px; display: flex; gap: 8px; align-items: center; }
form#token-form[hidden] { display: none; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); }
caption { text-align: left; padding: 0 0 8px; color: var(--muted); }
th, td { padding: 7px 10px; text-align: left; vertical-align: middle; border-bottom: 1px solid var(--line); }
thead th { white-space: nowrap; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted);
  position: sticky; top: 0; background: var(--card); }
tbody.lock th[scope="rowgroup"] { background: color-mix(in srgb, var(--accent) 8%, var(--card));
  font-size: 14px; }
tbody.lock th .counts { font-weight: normal; color: var(--muted); margin-left: 10px; }
tbody.lock th .counts[data-conflict="true"] { color: var(--warn); font-weight: 600; }
tr.waiting td { color: var(--muted); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
  border: 1px solid currentColor; white-space: nowrap; }
.badge[data-origin="gateway"] { color: var(--gw); }
.badge[data-origin="zkurator"] { color: var(--lib); }
.badge[data-origin="curator"] { color: var(--cur); }
.badge[data-origin="unknown"] { color: var(--unk); }
.state-holder { font-weight: 600; }
td[data-testid="position"] { white-space: nowrap; }
.title { max-width: 28em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.left { white-space: nowrap; font-variant-numeric: tabular-nums; }
.left .bar[hidden] { display: none; }
.left .bar { display: block; height: 3px; margin-top: 3px; background: var(--line); border-radius: 2px; }
.left .bar > span { display: block; height: 100%; background: var(--gw); border-radius: 2px; }
.left[data-urgent="true"] { color: var(--warn); }
.left[data-urgent="true"] .bar > span { background: var(--warn); }
button { font: inherit; padding: 3px 12px; border-radius: 6px; border: 1px solid var(--warn);
  color: var(--warn); background: transparent; cursor: pointer; }
button:hover:not(:disabled) { background: color-mix(in srgb, var(--warn) 12%, transparent); }
button:disabled { opacity: .55; cursor: default; }
button:focus-visible, input:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
form#token-form button { border-color: var(--accent); color: var(--accent); }
td.empty { text-align: center; color: var(--muted); padding: 28px; }
footer { padding: 0 20px 20px; color: var(--muted); font-size: 12px; }
`;

// Plain ES2020 for the browser, kept free of backticks and template placeholders so it can live
// in this string as written.
const SCRIPT = String.raw`
'use strict';
(function () {
  var POLL_MS = 1000, HIDDEN_POLL_MS = 5000, REQUEST_TIMEOUT_MS = 5000, URGENT_MS = 10000;
  var ORIGIN_LABEL = { gateway: 'gateway client', zkurator: 'zkurator library', curator: 'JVM Curator', unknown: 'unknown' };
  var $ = function (id) { return document.getElementById(id); };
  var table = $('locks'), statusEl = $('status'), notice = $('notice'), rootEl = $('root'), summary = $('summary');
  var tokenForm = $('token-form'), tokenInput = $('token-input');

  // The bearer token: from ?token= (then dropped from the address bar so it is not left in
  // history or screenshots), kept for this tab only.
  var token = null;
  try {
    var params = new URLSearchParams(location.search);
    if (params.has('token')) {
      token = params.get('token');
      sessionStorage.setItem('zkurator-gateway-token', token);
      params.delete('token');
      var rest = params.toString();
      history.replaceState(null, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
    } else {
      token = sessionStorage.getItem('zkurator-gateway-token');
    }
  } catch (e) { /* storage refused: keep the token in memory only */ }

  // API paths resolve against the page's own directory, so the page also works behind a proxy
  // that mounts the gateway under a prefix.
  var base = new URL('./', location.href);
  function api(path) { return new URL(String(path).replace(/^\/+/, ''), base); }

  function request(method, path) {
    var headers = { accept: 'application/json' };
    if (token) headers.authorization = 'Bearer ' + token;
    var ctrl = new AbortController();
    var timer = setTimeout(function () { ctrl.abort(); }, REQUEST_TIMEOUT_MS);
    return fetch(api(path), { method: method, headers: headers, signal: ctrl.signal, cache: 'no-store' })
      .finally(function () { clearTimeout(timer); });
  }

  async function problemText(res) {
    try {
      var body = await res.json();
      if (body && typeof body === 'object') return String(body.detail || body.title || res.status);
    } catch (e) { /* not JSON */ }
    return 'HTTP ' + res.status;
  }

  // The server's clock, estimated from the Date header of the last answer, so that "time left"
  // does not depend on this browser's clock being right (whole-second precision is enough here).
  var clockOffsetMs = 0;
  function serverNow() { return Date.now() + clockOffsetMs; }
  function noteServerClock(res) {
    var d = Date.parse(res.headers.get('date') || '');
    if (!isNaN(d)) {
      var off = d - Date.now();
      clockOffsetMs = Math.abs(off) > 1500 ? off : 0;
    }
  }

  function setStatus(state, text) {
    statusEl.dataset.state = state;
    statusEl.textContent = text;
  }

  function formatDuration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + ' s';
    var m = Math.floor(s / 60); s = s % 60;
    if (m < 60) return m + 'm ' + String(s).padStart(2, '0') + 's';
    var h = Math.floor(m / 60); m = m % 60;
    if (h < 48) return h + 'h ' + String(m).padStart(2, '0') + 'm';
    return Math.floor(h / 24) + 'd ' + (h % 24) + 'h';
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
  function setAttr(node, name, value) {
    if (value === null || value === undefined) { if (node.hasAttribute(name)) node.removeAttribute(name); }
    else if (node.getAttribute(name) !== String(value)) node.setAttribute(name, String(value));
  }

  // Rows and row groups are kept by key (resource, node path) and updated in place, so a poll
  // never replaces the button under the pointer or the one holding keyboard focus.
  var groups = new Map(); // resource -> { tbody, head, counts, rows: Map<node, row> }
  var emptyBody = null;
  var COLUMNS = 7;

  function makeGroup(resource) {
    var tbody = el('tbody', { 'class': 'lock', 'data-testid': 'lock', 'data-resource': resource });
    var tr = el('tr');
    var th = el('th', { scope: 'rowgroup', colspan: String(COLUMNS) });
    var name = el('span', { 'class': 'mono', 'data-testid': 'lock-name' }, resource);
    var counts = el('span', { 'class': 'counts', 'data-testid': 'lock-counts' });
    th.append(name, counts);
    tr.append(th);
    tbody.append(tr);
    return { tbody: tbody, counts: counts, rows: new Map() };
  }

  function makeRow() {
    var tr = el('tr', { 'data-testid': 'participant' });
    var cells = {};
    ['position', 'origin', 'mode', 'title', 'node', 'left', 'action'].forEach(function (k) {
      var td = el('td', { 'data-testid': k === 'left' ? 'time-left' : k });
      cells[k] = td;
      tr.append(td);
    });
    cells.origin.append(el('span', { 'class': 'badge' }));
    cells.title.className = 'title';
    cells.node.className = 'mono';
    cells.left.className = 'left';
    cells.left.append(el('span', { 'class': 'text' }), el('span', { 'class': 'bar', 'aria-hidden': 'true' }));
    cells.left.lastChild.append(el('span'));
    return { tr: tr, cells: cells, button: null, lock: null };
  }

  // "_c_<uuid>-lock-0000000003" (any path before it too) -> "lock-0000000003": the part that
  // tells nodes apart at a glance; the full path is in the cell's tooltip.
  function shortNode(name) {
    var last = String(name).split('/').pop();
    return last.replace(/^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-/, '');
  }

  function modeText(p) {
    if (p.mode === 'latch') return 'LeaderLatch member';
    if (p.mode === 'selector') return 'LeaderSelector or lock';
    var lock = p.lock;
    if (lock && lock.mode === 'mutex' && lock.maxLeases > 1) return 'semaphore (' + lock.maxLeases + ' leases)';
    if (lock && lock.mode === 'semaphore') return 'semaphore V2 (' + lock.maxLeases + ' leases)';
    return String(p.mode);
  }

  // Where a row stands. In an election a member is the leader or in line (counted among the
  // members of its own recipe: on a conflict path each recipe has a line of its own); a gateway
  // lock there holds or waits as a lock; any other node only takes a place.
  function positionText(p, parts, index, holders, election) {
    if (!election) return p.state === 'holder' ? 'holds' : '#' + (index - holders + 1) + ' waiting';
    if (p.origin === 'gateway') return p.state === 'holder' ? 'holds' : 'waiting';
    if (p.mode !== 'latch' && p.mode !== 'selector') return 'not a member';
    if (p.state === 'holder') return 'leader';
    var ahead = parts.slice(0, index).filter(function (q) { return q.mode === p.mode && q.origin !== 'gateway' && q.state === 'waiting'; }).length;
    return '#' + (ahead + 1) + ' in line';
  }

  function updateRow(row, resource, p, parts, index, holders, election) {
    var c = row.cells, lock = p.lock && typeof p.lock === 'object' ? p.lock : null;
    var origin = Object.prototype.hasOwnProperty.call(ORIGIN_LABEL, p.origin) ? p.origin : 'unknown';
    var member = election && !lock && origin !== 'gateway' && (p.mode === 'latch' || p.mode === 'selector');
    row.lock = lock;
    row.tr.className = p.state === 'holder' ? 'holder' : 'waiting';
    setAttr(row.tr, 'data-node', p.name);
    setAttr(row.tr, 'data-state', p.state);
    setAttr(row.tr, 'data-origin', origin);
    setAttr(row.tr, 'data-mode', String(p.mode));
    setText(c.position, positionText(p, parts, index, holders, election));
    c.position.className = 'state-' + p.state;
    var badge = c.origin.firstChild;
    setAttr(badge, 'data-origin', origin);
    setText(badge, ORIGIN_LABEL[origin]);
    // Curator and zkurator write a LeaderLatch member's node alike (its id, nothing more).
    setAttr(badge, 'title', p.mode === 'latch' && origin === 'unknown' ? 'a LeaderLatch node holds only its id: Curator and zkurator members look alike' : null);
    setText(c.mode, modeText(p));
    var title = lock ? String(lock.title || '') : String(p.data || '');
    // A gateway request still waiting has no lock yet (its title comes with the grant). An
    // election member's node data is its participant id.
    var shown = member ? (title ? 'id: ' + title : '(no id)')
      : lock ? (title || '(no title)') : origin === 'gateway' ? '(request waiting)' : (title ? 'data: ' + title : '(no data)');
    setText(c.title, shown);
    setAttr(c.title, 'title', shown);
    var nodeText = shortNode(p.name) + (p.state === 'waiting' && p.waitingOn ? ', waits on ' + shortNode(p.waitingOn) : '');
    setText(c.node, nodeText);
    setAttr(c.node, 'title', p.node + (p.waitingOn ? '\nwaits on ' + p.waitingOn : ''));
    setAttr(c.left, 'data-expires-at', lock && lock.expiresAt ? lock.expiresAt : null);
    setAttr(c.left, 'data-lifetime', lock ? String(lock.lifetime) : null);
    tickRow(row);
    if (lock && !row.button) {
      row.button = el('button', { type: 'button', 'data-testid': 'release' }, 'Release');
      row.button.addEventListener('click', function () { release(row); });
      c.action.append(row.button);
    } else if (!lock && row.button) {
      row.button.remove();
      row.button = null;
    }
    if (row.button) {
      setAttr(row.button, 'aria-label', 'Release lock ' + resource + ' held as "' + (lock.title || lock.id) + '"');
      setAttr(row.button, 'data-url', lock.url);
    }
  }

  // Live countdown between polls: only the "time left" cells change.
  function tickRow(row) {
    var cell = row.cells.left, text = cell.firstChild, fill = cell.lastChild.firstChild, lock = row.lock;
    if (!lock) { setText(text, '\u2014'); setAttr(cell, 'title', 'no lifetime: held until its owner releases it or its session ends'); fill.parentNode.hidden = true; return; }
    if (!lock.expiresAt) { setText(text, 'until released'); setAttr(cell, 'title', 'lifetime 0: held until released'); fill.parentNode.hidden = true; return; }
    var left = Date.parse(lock.expiresAt) - serverNow();
    setText(text, left > 0 ? formatDuration(left) : 'expiring\u2026');
    setAttr(cell, 'title', 'expires at ' + lock.expiresAt);
    setAttr(cell, 'data-urgent', left < URGENT_MS ? 'true' : 'false');
    fill.parentNode.hidden = false;
    var total = Number(lock.lifetime) * 1000;
    fill.style.width = total > 0 ? Math.max(0, Math.min(100, (left / total) * 100)).toFixed(1) + '%' : '0%';
  }

  function tickAll() { groups.forEach(function (g) { g.rows.forEach(tickRow); }); }

  // A lock's row-group header: its counts; an election's: its leader and how many are in line;
  // a conflict, plainly (the full explanation in its tooltip).
  function countsText(parts, holders, election) {
    if (!election) return holders + (holders === 1 ? ' holder' : ' holders') + ', ' + (parts.length - holders) + (parts.length - holders === 1 ? ' waiter' : ' waiters');
    if (election.recipe === 'conflict') {
      return 'CONFLICT: a LeaderLatch election and a LeaderSelector or lock on one path, each with a leader of its own; use one recipe per path';
    }
    var inLine = parts.filter(function (p) { return p.mode === 'latch' && p.state === 'waiting'; }).length;
    var leader = election.leader && typeof election.leader === 'object' ? election.leader : null;
    return 'leader election (LeaderLatch): ' + (leader ? 'leader "' + String(leader.id) + '"' : 'no leader') + ', ' + inLine + ' in line';
  }

  function render(data) {
    setText(rootEl, String(data.root || ''));
    // A lock path with nobody in it (an empty container ZooKeeper has not cleaned up yet) is not shown.
    var locks = (Array.isArray(data.locks) ? data.locks : []).filter(function (l) {
      return Array.isArray(l.participants) ? l.participants.length > 0 : Number(l.holders) + Number(l.waiters) > 0;
    });
    // The summary counts locks and elections apart: a leader is not a lock holder.
    var seen = new Set(), prev = null;
    var tally = { locks: 0, holding: 0, waiting: 0, elections: 0, leaders: 0, inLine: 0, conflicts: 0 };
    locks.forEach(function (l) {
      var resource = String(l.resource);
      seen.add(resource);
      var g = groups.get(resource);
      if (!g) { g = makeGroup(resource); groups.set(resource, g); }
      var parts = Array.isArray(l.participants) ? l.participants : [];
      var holders = parts.filter(function (p) { return p.state === 'holder'; }).length;
      var election = l.election && typeof l.election === 'object' ? l.election : null;
      if (!election) { tally.locks++; tally.holding += holders; tally.waiting += parts.length - holders; }
      else if (election.recipe === 'conflict') tally.conflicts++;
      else { tally.elections++; tally.leaders += holders; tally.inLine += parts.length - holders; }
      setAttr(g.tbody, 'data-election', election ? String(election.recipe) : null);
      setAttr(g.counts, 'data-conflict', election && election.recipe === 'conflict' ? 'true' : null);
      setAttr(g.counts, 'title', election && election.conflict ? String(election.conflict) : null);
      setText(g.counts, countsText(parts, holders, election));
      var keep = new Set(), after = g.tbody.firstChild;
      parts.forEach(function (p, i) {
        var key = String(p.node);
        keep.add(key);
        var row = g.rows.get(key);
        if (!row) { row = makeRow(); g.rows.set(key, row); }
        updateRow(row, resource, p, parts, i, holders, election !== null);
        if (after.nextSibling !== row.tr) g.tbody.insertBefore(row.tr, after.nextSibling);
        after = row.tr;
      });
      g.rows.forEach(function (row, key) { if (!keep.has(key)) { row.tr.remove(); g.rows.delete(key); } });
      var want = prev ? prev.nextSibling : table.tHead.nextSibling;
      if (want !== g.tbody) table.insertBefore(g.tbody, want);
      prev = g.tbody;
    });
    groups.forEach(function (g, resource) { if (!seen.has(resource)) { g.tbody.remove(); groups.delete(resource); } });
    if (locks.length === 0 && !emptyBody) {
      emptyBody = el('tbody', { 'data-testid': 'no-locks' });
      var tr = el('tr'), td = el('td', { colspan: String(COLUMNS), 'class': 'empty' }, 'No locks under this root right now.');
      tr.append(td); emptyBody.append(tr); table.append(emptyBody);
    } else if (locks.length > 0 && emptyBody) { emptyBody.remove(); emptyBody = null; }
    setText(summary, summaryText(tally));
  }

  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

  // "4 locks, 5 holding, 2 waiting; 1 election, 1 leader, 2 in line; 1 conflict" (parts with nothing left out).
  function summaryText(t) {
    var parts = [];
    if (t.locks > 0 || (t.elections === 0 && t.conflicts === 0)) parts.push(plural(t.locks, 'lock', 'locks') + ', ' + t.holding + ' holding, ' + t.waiting + ' waiting');
    if (t.elections > 0) parts.push(plural(t.elections, 'election', 'elections') + ', ' + plural(t.leaders, 'leader', 'leaders') + ', ' + t.inLine + ' in line');
    if (t.conflicts > 0) parts.push(plural(t.conflicts, 'conflict', 'conflicts'));
    return parts.join('; ');
  }

  async function release(row) {
    var lock = row.lock, button = row.button;
    if (!lock || !button) return;
    button.disabled = true;
    button.textContent = 'Releasing\u2026';
    try {
      var res = await request('DELETE', lock.url);
      if (res.status === 204 || res.status === 404) {
        notice.textContent = '';
      } else {
        notice.textContent = 'Release of ' + lock.resource + ' failed: ' + (await problemText(res));
        button.disabled = false;
        button.textContent = 'Release';
      }
    } catch (e) {
      notice.textContent = 'Release of ' + lock.resource + ' failed: ' + (e && e.message ? e.message : String(e));
      button.disabled = false;
      button.textContent = 'Release';
    }
    poll(true);
  }

  var pollTimer = null, inFlight = false, again = false;
  async function poll(now) {
    if (inFlight) { again = again || now === true; return; }
    clearTimeout(pollTimer);
    inFlight = true;
    try {
      var res = await request('GET', 'locks?detail=true');
      noteServerClock(res);
      if (res.status === 401 || res.status === 403) {
        if (tokenForm.hidden) { tokenForm.hidden = false; tokenInput.focus(); }
        setStatus('error', token ? 'the token was refused' : 'a bearer token is needed');
      } else if (!res.ok) {
        setStatus('error', 'gateway answered: ' + (await problemText(res)));
      } else {
        var data = await res.json();
        tokenForm.hidden = true;
        render(data);
        setStatus('live', 'live \u00b7 updated ' + new Date().toLocaleTimeString());
      }
    } catch (e) {
      setStatus('error', 'gateway unreachable, retrying (' + (e && e.name === 'AbortError' ? 'timed out' : (e && e.message) || e) + ')');
    } finally {
      inFlight = false;
      if (again) { again = false; poll(true); }
      else pollTimer = setTimeout(poll, document.hidden ? HIDDEN_POLL_MS : POLL_MS);
    }
  }

  tokenForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    token = tokenInput.value.trim() || null;
    try { if (token) sessionStorage.setItem('zkurator-gateway-token', token); } catch (e) { /* memory only */ }
    tokenInput.value = '';
    poll(true);
  });
  document.addEventListener('visibilitychange', function () { if (!document.hidden) poll(true); });
  setInterval(tickAll, 250);
  setStatus('connecting', 'connecting\u2026');
  poll(true);
})();
`;

const BODY = String.raw`
<header>
  <h1>zkurator locks</h1>
  <span class="muted">root <code id="root" data-testid="root"></code></span>
  <span class="muted" id="summary" data-testid="summary"></span>
  <span id="status" role="status" aria-live="polite" data-testid="status" data-state="connecting">loading…</span>
</header>
<main>
  <p id="notice" role="alert" data-testid="notice"></p>
  <form id="token-form" hidden data-testid="token-form">
    <label for="token-input">Bearer token</label>
    <input id="token-input" type="password" autocomplete="off" required>
    <button type="submit">Use token</button>
  </form>
  <table id="locks" data-testid="locks">
    <caption>Every lock under the root: holders first, then waiters in the order they will get it (a leader election: its leader, then its members in line). Updated every second.</caption>
    <thead>
      <tr>
        <th scope="col">Position</th>
        <th scope="col">Origin</th>
        <th scope="col">Mode</th>
        <th scope="col">Title or node data</th>
        <th scope="col">Node</th>
        <th scope="col">Time left</th>
        <th scope="col"><span class="muted">Action</span></th>
      </tr>
    </thead>
  </table>
</main>
<footer>Gateway locks carry a lifetime and a release button; locks of library and Curator clients are
held until their owner releases them or its ZooKeeper session ends, and so is an election's leadership.</footer>
`;

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The Content-Security-Policy of the web page: its own inline script and style (by hash)
 * and requests to its own origin, nothing else. The page carries it in a `<meta>` tag; a server
 * may also send it as a header (a header can add `frame-ancestors`, which a meta tag cannot).
 */
export function webPageCsp(): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(SCRIPT)}`,
    `style-src ${sha256(STYLE)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * Response headers for the web page: its Content-Security-Policy plus `frame-ancestors 'none'`
 * (only a header can say that), so no other site can frame the page and trick a click on a
 * release button; no MIME sniffing; no referrer.
 */
export function webPageHeaders(): Record<string, string> {
  return {
    'content-security-policy': `${webPageCsp()}; frame-ancestors 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

let cached: string | undefined;

/**
 * The gateway's web page (served at `GET /`): a complete HTML document with its CSS and script
 * inline. It reads `GET /locks?detail=true` once a second and sends `DELETE <lock url>` from its
 * release buttons; a bearer token is taken from `?token=` in the page's address (or typed in
 * when the gateway answers 401) and sent as an `Authorization` header.
 */
export function webPageHtml(): string {
  cached ??= [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${webPageCsp()}">`,
    '<meta name="referrer" content="no-referrer">',
    '<title>zkurator locks</title>',
    '<link rel="icon" href="data:,">',
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    BODY,
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
  return cached;
}
