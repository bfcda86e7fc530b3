// The runs page: GET /api/runs every 2 s, one row per run.
'use strict';

thresher.every(2000, async () => {
  const runs = await thresher.json('/api/runs');
  const body = document.querySelector('#runs tbody');
  body.replaceChildren(...runs.map(r => thresher.row([
    thresher.runLink(r.run_id),
    { html: `<span class="state-${r.state}">${r.state}</span>` },
    `${r.step}/${r.total_steps}`,
    thresher.num(r.last_loss),
    thresher.num(r.last_global_norm),
    r.clipped_steps,
    r.skipped_steps,
    r.alert_count ? `${r.alert_count} (last: ${r.last_alert.reason} at step ${r.last_alert.step})` : '0',
    thresher.pct(r.test_accuracy),
    r.silos.join(' '),
  ], { 'data-run': r.run_id })));
  document.getElementById('empty').hidden = runs.length > 0;
});
