/*
 * dash.js: the hub's dashboard (doc/admin.md).  Plain ES2017, no framework.
 *
 * Auth: no ambient credentials.  Every API call carries the Authorization
 * header the page holds (Bearer from #token=HEX or the login form, or Basic
 * from a user and password), kept in sessionStorage only; fetch() sends no
 * cookies and no cached HTTP credentials (credentials: "omit").  Over the
 * admin Unix socket the hub needs none, and the page works without.  A 401
 * shows the login form.  POSTs also send X-Tentacle-Csrf: 1.
 *
 * Data: GET /api/v1/nodes every 2 s (nodes, totals, hub), whose totals feed
 * a ring of samples for the 15-minute chart (seeded from GET
 * /api/v1/stats?history=1 when the hub keeps one); GET /api/v1/users every
 * 10 s (a 404 means accounting is off); and GET /api/v1/events?follow=1,
 * an SSE stream read through fetch() (EventSource cannot send the header):
 * each event is listed and triggers a refresh.  Without it, polling alone.
 *
 * Peer text goes into the page as textContent only, never as markup.
 */
"use strict";

(function () {
	var API = "/api/v1/";
	var POLL_MS = 2000;
	var USERS_MS = 10000;
	var SSE_RETRY_MS = 30000;
	var WINDOW_S = 15 * 60;
	var RING_MAX = 1000;		/* 15 min at one sample a second */
	var EVENTS_MAX = 50;
	var ROWS_MAX = 200;		/* node rows drawn at once */
	var AUTH_KEY = "tentacle.auth";

	var auth = null;		/* the Authorization header value */
	var ring = [];			/* {t: unix s, up: B/s, down: B/s} */
	var last = null;		/* the last GET nodes answer */
	var skew = 0;			/* hub clock minus ours, seconds */
	var expanded = {};		/* node id -> its detail row is open */
	var pending = {};		/* node id -> a POST is under way */
	var pollTimer = null;
	var usersAt = 0;
	var usersOff = false;
	var sse = null;			/* AbortController of the stream */
	var sseState = "none";		/* none, on, off (gave up for now) */
	var stopped = false;		/* waiting for credentials */
	var filter = "";		/* the node filter's text */

	function $(id) { return document.getElementById(id); }

	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls)
			e.className = cls;
		if (text !== undefined && text !== null)
			e.textContent = String(text);
		return e;
	}

	function num(v) {
		return typeof v === "number" && isFinite(v) ? v : 0;
	}

	/* 1.5 KiB, 12 MiB: binary units like tentacle info. */
	function bytes(v) {
		var u = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"], i = 0;
		v = num(v);
		while (v >= 1024 && i < u.length - 1) {
			v /= 1024;
			i++;
		}
		return (i === 0 ? String(Math.round(v)) :
		    v.toFixed(v < 10 ? 1 : 0)) + " " + u[i];
	}

	function rate(v) {
		return num(v) === 0 ? "-" : bytes(v) + "/s";
	}

	function now() { return Date.now() / 1000 + skew; }

	/* 3d 4h, 5h 2m, 40s. */
	function span(s) {
		s = Math.max(0, Math.floor(s));
		if (s < 60)
			return s + "s";
		if (s < 3600)
			return Math.floor(s / 60) + "m " + (s % 60) + "s";
		if (s < 86400)
			return Math.floor(s / 3600) + "h " +
			    Math.floor(s % 3600 / 60) + "m";
		return Math.floor(s / 86400) + "d " +
		    Math.floor(s % 86400 / 3600) + "h";
	}

	function ago(t) {
		if (!num(t))
			return "never";
		var d = now() - t;
		return d >= 0 ? span(d) + " ago" : "in " + span(-d);
	}

	function when(t) {
		return num(t) ? new Date(t * 1000).toLocaleString() : "-";
	}

	function say(text, isError) {
		var m = $("msg");
		m.textContent = text;
		m.className = isError ? "error" : "";
		m.hidden = !text;
	}

	/* ------------------------------------------------------------ auth */

	function loadAuth() {
		var h = location.hash, m;
		m = /(?:^#|&)token=([0-9A-Fa-f]{16,256})(?:&|$)/.exec(h);
		if (m) {
			auth = "Bearer " + m[1];
			try {
				sessionStorage.setItem(AUTH_KEY, auth);
			} catch (e) { /* private mode: keep it in memory */ }
			/* Out of the address bar, the history and bookmarks. */
			history.replaceState(null, "", location.pathname +
			    location.search);
			return;
		}
		try {
			auth = sessionStorage.getItem(AUTH_KEY);
		} catch (e) {
			auth = null;
		}
	}

	function setAuth(v) {
		auth = v;
		try {
			if (v)
				sessionStorage.setItem(AUTH_KEY, v);
			else
				sessionStorage.removeItem(AUTH_KEY);
		} catch (e) { /* memory only */ }
		$("logout").hidden = !v;
	}

	/* Basic needs the bytes of "user:pass" in base64: UTF-8 first. */
	function basic(user, pass) {
		var b = new TextEncoder().encode(user + ":" + pass), s = "", i;
		for (i = 0; i < b.length; i++)
			s += String.fromCharCode(b[i]);
		return "Basic " + btoa(s);
	}

	function showLogin(why) {
		stopped = true;
		clearTimeout(pollTimer);
		stopEvents();
		live("off", "signed out");
		$("login").hidden = false;
		$("main").hidden = true;
		$("login-why").textContent = why;
		$("login-token").focus();
	}

	function onLogin(ev) {
		var tok = $("login-token").value.trim();
		var user = $("login-user").value, pass = $("login-pass").value;
		ev.preventDefault();
		if (tok)
			setAuth("Bearer " + tok);
		else if (user)
			setAuth(basic(user, pass));
		else
			return;
		$("login-pass").value = "";
		$("login-token").value = "";
		$("login").hidden = true;
		say("");
		start();
	}

	/* ------------------------------------------------------------- API */

	function ApiError(status, message) {
		this.status = status;
		this.message = message;
	}

	/* fetch with our header; the JSON answer, or throws an ApiError. */
	async function api(method, path) {
		var h = { "Accept": "application/json" }, res, body, d;
		if (auth)
			h["Authorization"] = auth;
		if (method !== "GET")
			h["X-Tentacle-Csrf"] = "1";
		try {
			res = await fetch(API + path, { method: method,
			    headers: h, credentials: "omit", cache: "no-store",
			    redirect: "error" });
		} catch (e) {
			throw new ApiError(0, "the hub does not answer (" +
			    e.message + ")");
		}
		d = Date.parse(res.headers.get("Date") || "");
		if (!isNaN(d))
			skew = (d - Date.now()) / 1000;
		try {
			body = await res.json();
		} catch (e) {
			body = null;
		}
		if (!res.ok) {
			throw new ApiError(res.status, body && body.error &&
			    body.error.message ? String(body.error.message) :
			    "HTTP " + res.status + " " + res.statusText);
		}
		if (body === null || typeof body !== "object")
			throw new ApiError(res.status, "not JSON: " + path);
		return body;
	}

	function failed(e) {
		if (e.status === 401) {
			var had = !!auth;
			/* Calls under way when the first 401 came: one form. */
			if (stopped)
				return true;
			setAuth(null);
			showLogin(had ? "The hub refused those credentials: " +
			    e.message : "The hub asks for credentials: the " +
			    "admin cookie (STATE-DIR/admin.cookie, the hex " +
			    "after the address) or an admin user and password.");
			return true;
		}
		return false;
	}

	/* ------------------------------------------------------------ poll */

	async function poll() {
		var d;
		clearTimeout(pollTimer);
		if (stopped)
			return;
		try {
			d = await api("GET", "nodes");
			if (stopped)
				return;
			last = d;
			sample(d.totals || {});
			render();
			live(sseState === "on" ? "on" : "poll",
			    sseState === "on" ? "live" : "polling");
			$("updated").textContent = "updated " +
			    new Date().toLocaleTimeString();
			if ($("msg").className === "error" &&
			    /does not answer|^HTTP 5/.test($("msg").textContent))
				say("");
		} catch (e) {
			if (failed(e))
				return;
			live("off", "no answer");
			say(e.message, true);
		}
		if (!usersOff && Date.now() - usersAt >= USERS_MS)
			users();
		pollTimer = setTimeout(poll, POLL_MS);
	}

	function live(cls, text) {
		var l = $("live");
		l.className = "live " + cls;
		l.textContent = text;
	}

	/* ----------------------------------------------------------- chart */

	function sample(t) {
		var s = Math.floor(now());
		if (ring.length && ring[ring.length - 1].t >= s)
			ring.pop();
		ring.push({ t: s, up: num(t.up_rate_total),
		    down: num(t.down_rate_total) });
		trim();
	}

	function trim() {
		var old = now() - WINDOW_S;
		while (ring.length && (ring[0].t < old || ring.length > RING_MAX))
			ring.shift();
	}

	/* GET stats?history=1, when the hub keeps samples: {"history":
	 * [{"t": unix, "up_rate": B/s, "down_rate": B/s}, ...]}. */
	async function seed() {
		var d, h, out = [], i, x;
		try {
			d = await api("GET", "stats?history=1");
		} catch (e) {
			return;		/* not there (yet): our own samples */
		}
		h = d.history || (d.stats && d.stats.history);
		if (!Array.isArray(h))
			return;
		for (i = 0; i < h.length && i < RING_MAX; i++) {
			x = h[i];
			if (!x || !num(x.t || x.time))
				continue;
			out.push({ t: num(x.t || x.time),
			    up: num(x.up_rate !== undefined ? x.up_rate :
			    x.up_rate_total),
			    down: num(x.down_rate !== undefined ? x.down_rate :
			    x.down_rate_total) });
		}
		out.sort(function (a, b) { return a.t - b.t; });
		ring = out.concat(ring.filter(function (s) {
			return !out.length || s.t > out[out.length - 1].t;
		}));
		trim();
		drawChart();
	}

	function drawChart() {
		var c = $("chart"), ctx = c.getContext("2d");
		var dpr = window.devicePixelRatio || 1;
		var w = c.clientWidth, h = c.clientHeight;
		var pad = { l: 8, r: 8, t: 10, b: 18 };
		var t1 = now(), win, t0, max = 1, i, y, cs;

		if (!w || !h)
			return;
		/* Until there are 15 minutes of samples, the span there is
		 * (a minute at least): a fresh page shows its first seconds. */
		win = ring.length ? Math.min(WINDOW_S, Math.max(60,
		    Math.ceil((t1 - ring[0].t) / 60) * 60)) : WINDOW_S;
		t0 = t1 - win;
		$("chart-title").textContent = "Throughput, last " + (win < 120 ?
		    win + " seconds" : win / 60 + " minutes");
		if (c.width !== Math.round(w * dpr)) {
			c.width = Math.round(w * dpr);
			c.height = Math.round(h * dpr);
		}
		ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
		ctx.clearRect(0, 0, w, h);
		for (i = 0; i < ring.length; i++)
			max = Math.max(max, ring[i].up, ring[i].down);
		max = nice(max);
		cs = getComputedStyle(document.documentElement);

		/* Grid: quarters of the scale, a tick every 5 minutes. */
		ctx.strokeStyle = cs.getPropertyValue("--line").trim() || "#ddd";
		ctx.fillStyle = cs.getPropertyValue("--mute").trim() || "#666";
		ctx.lineWidth = 1;
		ctx.font = "11px system-ui, sans-serif";
		for (i = 0; i <= 4; i++) {
			y = pad.t + (h - pad.t - pad.b) * i / 4;
			ctx.beginPath();
			ctx.moveTo(pad.l, Math.round(y) + .5);
			ctx.lineTo(w - pad.r, Math.round(y) + .5);
			ctx.stroke();
		}
		ctx.textBaseline = "bottom";
		ctx.textAlign = "left";
		ctx.fillText(bytes(max) + "/s", pad.l + 2, pad.t + 12);
		ctx.textBaseline = "alphabetic";
		for (i = 0; i <= 3; i++) {
			ctx.textAlign = i === 0 ? "left" : i === 3 ? "right" :
			    "center";
			ctx.fillText(i === 3 ? "now" : "-" + span(win *
			    (3 - i) / 3).replace(/ 0s$/, ""),
			    pad.l + (w - pad.l - pad.r) * i / 3, h - 4);
		}

		line("down", cs.getPropertyValue("--down").trim() || "#24b");
		line("up", cs.getPropertyValue("--up").trim() || "#c51");
		$("chart-max").textContent = ring.length ? "(" + ring.length +
		    " samples)" : "";

		function line(k, color) {
			var j, x, yy, started = false;
			ctx.strokeStyle = color;
			ctx.lineWidth = 1.5;
			ctx.beginPath();
			for (j = 0; j < ring.length; j++) {
				x = pad.l + (w - pad.l - pad.r) *
				    (ring[j].t - t0) / win;
				yy = h - pad.b - (h - pad.t - pad.b) *
				    ring[j][k] / max;
				if (started)
					ctx.lineTo(x, yy);
				else
					ctx.moveTo(x, yy);
				started = true;
			}
			ctx.stroke();
			/* The first samples: dots, a line needs two. */
			ctx.fillStyle = color;
			for (j = 0; ring.length < 3 && j < ring.length; j++) {
				ctx.beginPath();
				ctx.arc(pad.l + (w - pad.l - pad.r) *
				    (ring[j].t - t0) / win, h - pad.b -
				    (h - pad.t - pad.b) * ring[j][k] / max, 2.5, 0,
				    2 * Math.PI);
				ctx.fill();
			}
		}
	}

	/* 1, 2 or 5 times a power of ten (of 1024 above a KiB). */
	function nice(v) {
		var base = v >= 1024 ? 1024 : 1, p = 1, m;
		while (base === 1024 && v / p >= 1024)
			p *= 1024;
		m = Math.pow(10, Math.floor(Math.log10(v / p)));
		if (v / p <= m)
			return m * p;
		if (v / p <= 2 * m)
			return 2 * m * p;
		if (v / p <= 5 * m)
			return 5 * m * p;
		return 10 * m * p;
	}

	/* ---------------------------------------------------------- render */

	function render() {
		var d = last, t = d.totals || {};
		$("main").hidden = false;
		$("t-online").textContent = num(t.nodes_online);
		$("t-resting").textContent = num(t.nodes_resting);
		$("t-away").textContent = num(t.nodes_away);
		$("t-relays").textContent = num(t.relays_total);
		$("t-idle").textContent = num(t.pool_idle_total);
		$("t-down").textContent = rate(t.down_rate_total);
		$("t-up").textContent = rate(t.up_rate_total);
		$("t-bdown").textContent = bytes(t.bytes_down_total);
		$("t-bup").textContent = bytes(t.bytes_up_total);
		renderPools(Array.isArray(d.nodes) ? d.nodes : []);
		renderHub(d.hub || {});
		drawChart();
	}

	/* Does node n match the filter (words, all of them, anywhere)? */
	function matches(n, words) {
		var hay, i;
		if (!words.length)
			return true;
		hay = [n.id, n.name, n.remote, (n.pools || []).join(" "),
		    num(n.since) ? n.state : "away", n.version, n.os, n.arch].
		    join(" ").toLowerCase();
		for (i = 0; i < words.length; i++)
			if (hay.indexOf(words[i]) < 0)
				return false;
		return true;
	}

	function renderPools(all) {
		var pools = {}, names, box = $("pools"), frag, i, j, p;
		var words = filter.toLowerCase().split(/\s+/).filter(Boolean);
		var nodes = all.filter(function (n) { return matches(n, words); });
		var left = ROWS_MAX, shown = 0, rows = 0;

		for (i = 0; i < nodes.length; i++) {
			p = Array.isArray(nodes[i].pools) && nodes[i].pools.length ?
			    nodes[i].pools : ["default"];
			for (j = 0; j < p.length; j++)
				(pools[p[j]] = pools[p[j]] || []).push(nodes[i]);
		}
		names = Object.keys(pools).sort();
		$("no-nodes").hidden = all.length > 0;
		/* Keep the focus on a button that survives the redraw. */
		var f = document.activeElement, fkey = f && f.dataset ?
		    f.dataset.key : null;
		frag = document.createDocumentFragment();
		/* A bounded page: a thousand rows every 2 s would keep the
		 * browser busy laying out tables. */
		for (i = 0; i < names.length; i++) {
			rows += pools[names[i]].length;
			p = poolTable(names[i], pools[names[i]], left);
			left -= p.shown;
			shown += p.shown;
			frag.appendChild(p.el);
		}
		box.replaceChildren(frag);
		$("filter-note").textContent = (words.length ? nodes.length +
		    " of " + all.length + " nodes match. " : "") + (shown < rows ?
		    "Showing " + shown + " of " + rows + " rows: filter to see " +
		    "the others." : "");
		if (fkey) {
			f = box.querySelector('[data-key="' + CSS.escape(fkey) +
			    '"]');
			if (f)
				f.focus();
		}
	}

	/* Heading and class (c-NAME sets the width: the tables have a
	 * fixed layout, which costs far less than measuring every cell). */
	var COLS = [["Node", "c-name"], ["State", "c-state"],
	    ["Address", "c-addr"], ["Version", "c-ver"], ["Uptime", "num c-up"],
	    ["RTT", "num c-rtt"], ["Relays", "num c-rel"],
	    ["Down", "num c-rate"], ["Up", "num c-rate"],
	    ["Last redial", "c-redial"], ["", "c-acts"]];

	/* A pool's heading and table, at most max rows: {el, shown}. */
	function poolTable(name, nodes, max) {
		var wrap = el("div", "pool"), tb, tr, i, up = 0, n;
		var table = el("table", "nodes"), th = el("thead");

		nodes.sort(function (a, b) { return num(a.id) - num(b.id); });
		for (i = 0; i < nodes.length; i++)
			if (nodes[i].state === "up" && num(nodes[i].since))
				up++;
		n = Math.max(0, Math.min(nodes.length, max));
		wrap.appendChild(el("h3", null, "pool " + name + ": " +
		    nodes.length + (nodes.length === 1 ? " node" : " nodes") +
		    ", " + up + " up" + (n < nodes.length ? " (" + n +
		    " shown)" : "")));
		wrap.dataset.pool = name;
		if (n === 0)
			return { el: wrap, shown: 0 };
		tr = el("tr");
		for (i = 0; i < COLS.length; i++)
			tr.appendChild(el("th", COLS[i][1], COLS[i][0]));
		th.appendChild(tr);
		table.appendChild(th);
		tb = el("tbody");
		for (i = 0; i < n; i++) {
			tb.appendChild(nodeRow(nodes[i], name));
			if (expanded[nodes[i].id])
				tb.appendChild(detailRow(nodes[i]));
		}
		table.appendChild(tb);
		wrap.appendChild(table);
		return { el: wrap, shown: n };
	}

	function cell(tr, label, text, cls) {
		var td = el("td", cls, text);
		if (label)
			td.dataset.label = label;
		if (text !== undefined && text !== null)
			td.title = String(text);	/* a cut cell in full */
		tr.appendChild(td);
		return td;
	}

	function nodeRow(n, pool) {
		var tr = el("tr", "node"), away = !num(n.since), td, b, st;
		var id = num(n.id);

		tr.dataset.id = id;
		tr.dataset.name = String(n.name || "");
		if (away)
			tr.classList.add("away");

		td = cell(tr, null, null, "name");
		b = el("button", "name", n.name || "#" + id);
		b.type = "button";
		b.dataset.key = pool + "/" + id + "/name";
		b.setAttribute("aria-expanded", expanded[id] ? "true" : "false");
		b.title = "node " + id + ": details and address history";
		b.addEventListener("click", function () {
			expanded[id] = !expanded[id];
			render();
		});
		td.appendChild(b);

		st = away ? "away" : String(n.state || "?");
		td = cell(tr, "State");
		td.appendChild(el("span", "state " + st.replace(/[^a-z-]/g, ""),
		    st));
		/* Paused by its host (drained too, maybe): the node's words. */
		if (!away && n.paused_reason)
			td.lastChild.title = "paused by host policy: " +
			    String(n.paused_reason);
		cell(tr, "Address", away ? "- (away)" : n.remote || "-", "addr");
		/* "tentacle 0.1.0 (abc1234)": the name says nothing here. */
		cell(tr, "Version", String(n.version || "-").replace(
		    /^tentacle /, ""), "ver");
		cell(tr, "Uptime", away ? "-" : span(now() - num(n.since)),
		    "num");
		cell(tr, "RTT", num(n.rtt_us) ? (num(n.rtt_us) / 1000).toFixed(
		    num(n.rtt_us) < 10000 ? 1 : 0) + " ms" : "-", "num");
		cell(tr, "Relays", num(n.relays), "num relays");
		cell(tr, "Down", rate(n.down_rate), "num");
		cell(tr, "Up", rate(n.up_rate), "num");
		cell(tr, "Last redial", ago(n.last_redial));

		td = cell(tr, null, null, "acts");
		b = td.appendChild(el("div", "acts"));
		if (st === "up")
			b.appendChild(action(n, pool, "drain", "Drain"));
		else if (st === "drained" || st === "draining")
			b.appendChild(action(n, pool, "undrain", "Undrain"));
		if (!away && st !== "redialing")
			b.appendChild(action(n, pool, "redial", "Redial"));
		return tr;
	}

	function action(n, pool, act, label) {
		var b = el("button", "act", label), id = num(n.id);
		b.type = "button";
		b.dataset.act = act;
		b.dataset.key = pool + "/" + id + "/" + act;
		b.disabled = !!pending[id];
		b.title = {
			drain: "no new requests; relays under way finish",
			undrain: "take new requests again",
			redial: "drain, then ask the node to get a new address"
		}[act];
		b.addEventListener("click", function () {
			post(n, act);
		});
		return b;
	}

	async function post(n, act) {
		var id = num(n.id), d, i;
		if (act === "redial" && !confirm("Redial node " + (n.name ||
		    id) + "? It drains, then gets a new address."))
			return;
		pending[id] = true;
		render();
		try {
			d = await api("POST", "nodes/" + id + "/" + act);
			if (d.node && last && Array.isArray(last.nodes)) {
				for (i = 0; i < last.nodes.length; i++)
					if (num(last.nodes[i].id) === id)
						last.nodes[i] = d.node;
			}
			say(d.message ? String(d.message) : act + " " +
			    (n.name || id) + ": done");
		} catch (e) {
			if (failed(e))
				return;
			say(act + " " + (n.name || id) + ": " + e.message, true);
		} finally {
			delete pending[id];
		}
		if (last)
			render();
		poll();
	}

	function facts(dl, rows) {
		var i;
		for (i = 0; i < rows.length; i++) {
			dl.appendChild(el("dt", null, rows[i][0]));
			dl.appendChild(el("dd", null, rows[i][1]));
		}
	}

	function detailRow(n) {
		var tr = el("tr", "detail"), td = el("td"), dl = el("dl");
		var ol = el("ol"), a = Array.isArray(n.addresses) ?
		    n.addresses : [], i, li;

		td.colSpan = COLS.length;
		tr.dataset.id = num(n.id);
		facts(dl, [
			["id", num(n.id)],
			["pools", (n.pools || []).join(", ") || "-"],
			["os/arch", (n.os || "?") + "/" + (n.arch || "?")],
			["connected", when(n.since)],
			["dials", num(n.dials_ok) + " ok, " +
			    num(n.dials_failed) + " failed, " +
			    num(n.dials_denied) + " denied"],
			["last good dial", ago(n.last_ok)],
			["bytes", bytes(n.bytes_down) + " down, " +
			    bytes(n.bytes_up) + " up"],
			["spare links", num(n.pool_idle)],
			["redial action", n.redial || "none"],
			["redials", num(n.redials) + " changed the address, " +
			    num(n.redials_same) + " did not"],
			["next redial", num(n.next_redial) ?
			    ago(n.next_redial) : "-"]
		]);
		for (i = a.length - 1; i >= 0; i--) {
			li = el("li", null, String(a[i].addr || "?") + " since " +
			    when(a[i].since));
			ol.appendChild(li);
		}
		dl.appendChild(el("dt", null, "addresses"));
		li = el("dd");
		li.appendChild(a.length ? ol : el("span", null, "-"));
		dl.appendChild(li);
		td.appendChild(dl);
		tr.appendChild(td);
		return tr;
	}

	function renderHub(h) {
		var dl = $("hub-facts"), rows = [], k;
		dl.replaceChildren();
		for (k in h) {
			if (Object.prototype.hasOwnProperty.call(h, k) &&
			    typeof h[k] !== "object")
				rows.push([k.replace(/_/g, " "), String(h[k])]);
		}
		facts(dl, rows);
	}

	/* ----------------------------------------------------------- users */

	/* GET users: {"users":[{"name":..., "limit":{...}, "day":{...}}]}. */
	async function users() {
		var d;
		usersAt = Date.now();
		try {
			d = await api("GET", "users");
		} catch (e) {
			if (failed(e))
				return;
			if (e.status === 404) {
				usersOff = true;
				$("users-off").hidden = false;
				$("users-list").replaceChildren();
			}
			return;
		}
		renderUsers(Array.isArray(d.users) ? d.users : []);
	}

	/* Used against a limit: a bar and "5.0 GiB of 8.0 GiB" (no limit: -). */
	function usage(used, limit, fmtf) {
		var p = el("span", "kv"), bar;
		if (!num(limit)) {
			p.textContent = fmtf(used);
			return p;
		}
		bar = el("progress");
		bar.max = num(limit);
		bar.value = Math.min(num(used), bar.max);
		if (num(used) >= bar.max)
			bar.className = "over";
		p.appendChild(el("span", "bar")).appendChild(bar);
		p.appendChild(el("span", null, fmtf(used) + " of " +
		    fmtf(limit)));
		return p;
	}

	function both(o) {
		return o ? num(o.up) + num(o.down) : 0;
	}

	/*
	 * One row a user (doc/admin.md, "Users and accounting"): connections
	 * against conns=, today and this month against the quotas, the rate
	 * now against the caps, the total, the pools, over quota or not.
	 */
	function renderUsers(list) {
		var box = $("users-list"), table = el("table", "users"), tb, i;
		var u, l, tr, td, head = el("tr"), cols, c;

		$("users-off").hidden = true;
		if (!list.length) {
			box.replaceChildren(el("p", null, "no users"));
			return;
		}
		cols = ["User", "Connections", "Today", "This month", "Rate now",
		    "Total", "Pools", "State"];
		for (c = 0; c < cols.length; c++)
			head.appendChild(el("th", null, cols[c]));
		table.appendChild(el("thead")).appendChild(head);
		tb = el("tbody");
		for (i = 0; i < list.length; i++) {
			u = list[i] || {};
			l = u.limit || {};
			tr = el("tr", "user");
			tr.dataset.name = String(u.name || "");
			tr.appendChild(el("th", null, u.name || "?"));
			td = tr.appendChild(el("td", "conns"));
			td.appendChild(usage(u.connections, l.conns, String));
			tr.appendChild(el("td", "day")).appendChild(
			    usage(both(u.day), l.day, bytes));
			tr.appendChild(el("td", "month")).appendChild(
			    usage(both(u.month), l.month, bytes));
			tr.appendChild(el("td", "rate", "down " +
			    rate(u.rate && u.rate.down) + (num(l.rate_down) ?
			    " of " + rate(l.rate_down) : "") + ", up " +
			    rate(u.rate && u.rate.up) + (num(l.rate_up) ?
			    " of " + rate(l.rate_up) : "")));
			tr.appendChild(el("td", "total", bytes(both(u.total))));
			tr.appendChild(el("td", "pools", Array.isArray(l.pools) &&
			    l.pools.length ? l.pools.join(", ") : "all"));
			tr.appendChild(el("td", u.over_quota ? "state over" :
			    "state", u.over_quota ? "over quota" :
			    u.in_users_file === false ? "removed" : "ok"));
			tb.appendChild(tr);
		}
		table.appendChild(tb);
		box.replaceChildren(table);
	}

	/* ---------------------------------------------------------- events */

	/* The SSE stream through fetch(); silent when the hub has none. */
	async function events() {
		var h = { "Accept": "text/event-stream" }, res, rd, dec, buf = "";
		var r, i, ctl;
		if (stopped || sse || typeof AbortController === "undefined")
			return;
		if (auth)
			h["Authorization"] = auth;
		ctl = sse = new AbortController();
		try {
			res = await fetch(API + "events?follow=1", { headers: h,
			    credentials: "omit", cache: "no-store",
			    signal: ctl.signal });
			if (res.status === 401) {
				sse = null;
				failed(new ApiError(401, "refused"));
				return;
			}
			if (!res.ok || !res.body || !/^text\/event-stream/.test(
			    res.headers.get("Content-Type") || ""))
				throw new Error("no event stream");
			sseState = "on";
			live("on", "live");
			rd = res.body.getReader();
			dec = new TextDecoder();
			for (;;) {
				r = await rd.read();
				if (r.done)
					break;
				buf += dec.decode(r.value, { stream: true });
				buf = buf.replace(/\r\n?/g, "\n");
				while ((i = buf.indexOf("\n\n")) >= 0) {
					onEvent(buf.slice(0, i));
					buf = buf.slice(i + 2);
				}
				if (buf.length > 65536)	/* no end in sight */
					throw new Error("event too long");
			}
		} catch (e) {
			/* Not there, cut, or aborted: polling goes on. */
		}
		if (sse === ctl)
			sse = null;
		sseState = "off";
		if (!stopped) {
			live("poll", "polling");
			setTimeout(events, SSE_RETRY_MS);
		}
	}

	function stopEvents() {
		if (sse)
			sse.abort();
		sse = null;
		sseState = "off";
	}

	var refreshSoon = null;

	function onEvent(block) {
		var lines = block.split("\n"), data = [], type = "message", i;
		var text, o, li, list = $("events-list");
		for (i = 0; i < lines.length; i++) {
			if (lines[i].indexOf("data:") === 0)
				data.push(lines[i].slice(5).replace(/^ /, ""));
			else if (lines[i].indexOf("event:") === 0)
				type = lines[i].slice(6).trim();
		}
		if (!data.length)
			return;		/* a comment: the heartbeat */
		text = data.join("\n");
		try {
			o = JSON.parse(text);
			if (o && typeof o === "object") {
				text = [o.time ? new Date(num(o.time) * 1000).
				    toLocaleTimeString() : "", o.type || o.event ||
				    type, o.node || o.name || "", o.message ||
				    o.text || ""].filter(Boolean).join(" ");
			}
		} catch (e) { /* plain text */ }
		$("events").hidden = false;
		li = el("li", null, text.slice(0, 500));
		list.insertBefore(li, list.firstChild);
		while (list.children.length > EVENTS_MAX)
			list.removeChild(list.lastChild);
		/* Several events at once: one refresh. */
		clearTimeout(refreshSoon);
		refreshSoon = setTimeout(poll, 300);
	}

	/* ----------------------------------------------------------- start */

	async function start() {
		stopped = false;
		usersOff = false;
		usersAt = 0;
		$("logout").hidden = !auth;
		live("poll", "connecting");
		/*
		 * One request before the others: wrong credentials then count
		 * once in the hub's limiter of failed logins (10 a minute from
		 * an address), not once for each request the page makes.
		 */
		await poll();
		if (stopped)
			return;
		seed();
		events();
	}

	function init() {
		var rt = null, ft = null;
		loadAuth();
		$("login-form").addEventListener("submit", onLogin);
		$("logout").addEventListener("click", function () {
			setAuth(null);
			showLogin("Signed out.");
		});
		$("filter").addEventListener("input", function () {
			clearTimeout(ft);
			ft = setTimeout(function () {
				filter = $("filter").value;
				if (last)
					render();
			}, 150);
		});
		window.addEventListener("resize", function () {
			clearTimeout(rt);
			rt = setTimeout(drawChart, 100);
		});
		start();
	}

	if (document.readyState === "loading")
		document.addEventListener("DOMContentLoaded", init);
	else
		init();
})();
