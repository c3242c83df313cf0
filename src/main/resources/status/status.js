// The status page: reads /status.json every few seconds (?refresh=<ms>, default the sample period) and draws it.
// Nothing is fetched from anywhere but this server.
(function () {
  'use strict';
  const params = new URLSearchParams(location.search);
  // ?refresh=<ms> (at least 200), else the sample period
  let refresh = Number(params.get('refresh')) > 0 ? Math.max(200, Number(params.get('refresh'))) : 0;
  const charts = {};
  const state = { last: null, updates: 0 };
  window.etlStatus = { charts, state };

  const $ = (id) => document.getElementById(id);
  const fmt = (v, digits) => v == null ? '–' : Number(v).toLocaleString('en', { maximumFractionDigits: digits ?? 1 });
  const bytes = (b) => b < 1024 ? b + ' B' : b < 1048576 ? fmt(b / 1024) + ' KiB' : fmt(b / 1048576) + ' MiB';
  const seconds = (s) => s < 60 ? fmt(s) + ' s' : s < 3600 ? fmt(s / 60) + ' min' : fmt(s / 3600) + ' h';

  function cell(row, text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }

  function chart(id, series, data) {
    const el = $(id);
    const width = Math.max(260, el.clientWidth || 300);
    const opts = {
      width, height: 220,
      series: [{}].concat(series.map(s => ({ label: s[0], stroke: s[1], width: 2, spanGaps: true,
        value: (u, v) => fmt(v, 2) }))),
      scales: { x: { time: true } },
      axes: [{}, { size: 60 }],
      legend: { live: true },
    };
    return new uPlot(opts, data, el);
  }

  function draw(doc) {
    const r = doc.rates;
    const rates = [r.t, r.accepted, r.applied, r.rejected, r.setAside];
    const lag = [r.t, r.lagSeconds];
    const backlog = [r.t, r.backlogFiles];
    if (!charts.rates) {
      charts.rates = chart('chart-rates', [['accepted', '#2563eb'], ['applied', '#059669'], ['rejected', '#dc2626'],
        ['set aside', '#d97706']], rates);
      charts.lag = chart('chart-lag', [['lag s', '#7c3aed']], lag);
      charts.backlog = chart('chart-backlog', [['files', '#0891b2']], backlog);
    } else {
      charts.rates.setData(rates);
      charts.lag.setData(lag);
      charts.backlog.setData(backlog);
    }
    const n = r.t.length - 1;
    for (const k of ['accepted', 'applied', 'rejected', 'setAside']) {
      $('now-' + k).textContent = n >= 0 ? fmt(r[k][n]) : '–';
    }
    let lastLag = null;
    for (let i = n; i >= 0 && lastLag == null; i--) lastLag = r.lagSeconds[i];
    $('now-lag').textContent = lastLag == null ? '–' : seconds(lastLag);
    const b = doc.backlog;
    $('backlog').textContent = b.files + ' files' + (b.files ? ', ' + bytes(b.bytes) + ', oldest ' + seconds(b.oldestSeconds) : '');
  }

  function tables(doc) {
    const health = $('health');
    health.textContent = doc.health.status;
    health.className = 'badge ' + doc.health.status;
    $('process').textContent = doc.process.name + ' · roles ' + doc.process.roles + ' · up ' + seconds(doc.process.uptimeSeconds)
      + ' · Camel ' + doc.process.camelVersion;
    $('updated').textContent = 'updated ' + new Date(doc.at).toLocaleTimeString();

    const work = $('work').tBodies[0];
    work.replaceChildren();
    for (const f of doc.inbox) {
      const row = work.insertRow();
      cell(row, f.file);
      const td = cell(row, '');
      const bar = document.createElement('progress');
      bar.max = 1; bar.value = f.progress;
      td.appendChild(bar);
      td.appendChild(document.createTextNode(' ' + fmt(f.progress * 100, 0) + ' %'));
      cell(row, fmt(f.lines, 0), 'num');
      cell(row, fmt(f.accepted, 0), 'num');
      cell(row, fmt(f.rejected, 0), 'num');
      cell(row, fmt(f.eventsPerSecond, 0), 'num');
      cell(row, seconds(f.seconds), 'num');
    }
    $('work-none').classList.toggle('hidden', doc.inbox.length > 0);
    const jobs = $('jobs').tBodies[0];
    jobs.replaceChildren();
    for (const j of doc.jobs) {
      const row = jobs.insertRow();
      cell(row, j.id.substring(0, 8));
      cell(row, j.kind);
      cell(row, j.status);
      const td = row.insertCell();
      const bar = document.createElement('progress');
      bar.max = 1; bar.value = j.progress;
      td.appendChild(bar);
      td.appendChild(document.createTextNode(' ' + fmt(j.progress * 100, 0) + ' %'));
      cell(row, new Date(j.createdAt).toLocaleTimeString());
      cell(row, j.finishedAt ? new Date(j.finishedAt).toLocaleTimeString() : '');
    }
    $('jobs-none').classList.toggle('hidden', doc.jobs.length > 0);

    const rej = $('rejections').tBodies[0];
    rej.replaceChildren();
    for (const e of doc.rejections) {
      const row = rej.insertRow();
      cell(row, new Date(e.modifiedMillis).toLocaleTimeString());
      cell(row, e.source);
      cell(row, e.reason);
      cell(row, e.file + ' (' + e.line + ')');
    }
    $('rejections-none').classList.toggle('hidden', doc.rejections.length > 0);

    const routes = $('routes').tBodies[0];
    routes.replaceChildren();
    for (const rt of doc.routes) {
      const row = routes.insertRow();
      row.dataset.routeId = rt.id;
      cell(row, rt.id);
      cell(row, rt.state, 'state-' + rt.state);
      cell(row, fmt(rt.exchanges, 0), 'num');
      cell(row, fmt(rt.failed, 0), rt.failed > 0 ? 'num failed' : 'num');
      cell(row, fmt(rt.inflight, 0), 'num');
      cell(row, rt.exchanges > 0 ? fmt(rt.meanMs, 0) : '–', 'num');
      cell(row, rt.exchanges > 0 ? fmt(rt.maxMs, 0) : '–', 'num');
      cell(row, decodeURIComponent(rt.from));
    }

    const checks = $('checks').tBodies[0];
    checks.replaceChildren();
    for (const c of doc.health.checks) {
      const row = checks.insertRow();
      cell(row, c.id);
      cell(row, c.state, 'state-' + c.state);
      cell(row, [c.readiness ? 'readiness' : '', c.liveness ? 'liveness' : ''].filter(Boolean).join(', '));
      const details = Object.entries(c.details).map(([k, v]) => k + ': ' + v);
      if (c.message) details.unshift(c.message);
      cell(row, details.join(' · '));
    }
  }

  async function update() {
    try {
      const res = await fetch('/status.json', { cache: 'no-store' });
      const doc = await res.json();
      state.last = doc;
      if (!refresh) refresh = Math.max(500, doc.process.samplePeriodMs || 2000);
      draw(doc);
      tables(doc);
      state.updates++;
    } catch (e) {
      $('health').textContent = 'unreachable';
      $('health').className = 'badge DOWN';
    }
    setTimeout(update, refresh || 2000);
  }
  update();
})();
