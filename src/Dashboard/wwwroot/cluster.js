// The cluster page: GET /api/cluster every 2 s (silos from the membership table, the grains each hosts).
'use strict';

thresher.every(2000, async () => {
  const { silos } = await thresher.json('/api/cluster');
  const links = ids => ({ html: ids.map(id => thresher.runLink(id).html).join(' ') || '–' });
  document.querySelector('#silos tbody').replaceChildren(...silos.map(s => thresher.row([
    s.address,
    s.name,
    s.status,
    s.gateway ?? '–',
    s.heartbeat_age_seconds === null ? '–' : `${s.heartbeat_age_seconds.toFixed(0)} s ago`,
    s.workers.join(' ') || '–',
    links(s.runs),
    links(s.parameter_servers),
  ], { 'data-silo': s.address })));
  const active = silos.filter(s => s.status === 'active').length;
  const workers = silos.reduce((n, s) => n + s.workers.length, 0);
  document.getElementById('totals').textContent = `${active} active silo(s), ${workers} worker(s)`;
});
