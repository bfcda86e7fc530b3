// The run page: the overview from GET /api/runs/{id}/history (min/max-downsampled to about 2000 rows), then
// live steps and status pushed by GET /api/runs/{id}/events (server-sent events); a dragged step range is
// fetched again at full resolution.
'use strict';

const runId = decodeURIComponent(location.pathname.split('/').pop());
const api = `/api/runs/${encodeURIComponent(runId)}`;
const overviewPoints = 2000;
const maxLiveRows = 2 * overviewPoints; // past this many rows the overview is fetched (downsampled) again

let overview = null; // every step (downsampled) plus the live ones appended since
let zoom = null;     // { from, to, history } while a step range is shown
let charts = null;
let events = null;
let configShown = false;

async function loadOverview() {
  overview = await thresher.json(`${api}/history?points=${overviewPoints}`);
  render();
}

function render() {
  const shown = zoom ? zoom.history : overview;
  if (!charts && shown.step.length > 0) charts = createCharts(shown, zoomTo);
  if (charts) drawCharts(charts, shown);
  renderAlerts(overview);
  document.getElementById('reset').disabled = !zoom;
  document.getElementById('resolution').textContent = zoom
    ? `steps ${zoom.from}–${zoom.to - 1}${zoom.history.downsampled ? ' (min/max per bucket)' : ', every step'}`
    : `all ${overview.recorded} steps${overview.downsampled ? ', min/max per bucket' : ''}`;
}

// Appends a "steps" event's columns to the overview.
function append(target, steps) {
  const columns = ['step', 'loss', 'global_norm', 'clipped_norm', 'skipped', 'test_accuracy', 'learning_rate', 'alerts'];
  for (const c of columns) target[c] = target[c].concat(steps[c]);
  target.tensor_norms = steps.tensor_norms.map((values, t) => (target.tensor_norms[t] ?? []).concat(values));
  target.worker_norms = steps.worker_norms.map((values, w) => (target.worker_norms[w] ?? []).concat(values));
  if (target.tensors.length === 0) target.tensors = steps.tensors;
  target.to = steps.to;
  target.recorded = steps.recorded;
}

function connect() {
  events = new EventSource(`${api}/events?from=${overview.to}`);
  events.addEventListener('status', e => showStatus(JSON.parse(e.data)));
  events.addEventListener('steps', e => {
    append(overview, JSON.parse(e.data));
    if (overview.step.length > maxLiveRows) restart();
    else render();
  });
  events.addEventListener('reload', restart);
  events.addEventListener('end', () => events.close());
}

async function restart() {
  events.close();
  await loadOverview();
  connect();
}

async function zoomTo(from, to) {
  const history = await thresher.json(`${api}/history?from=${from}&to=${to}&points=${overviewPoints}`);
  zoom = { from, to, history };
  render();
}

function renderAlerts(history) {
  const link = step => ({ html: `<a href="#step-${step}" data-step="${step}">${step}</a>` });
  document.querySelector('#alerts tbody').replaceChildren(...history.alerts.map(a => thresher.row(
    [link(a.step), a.reason, thresher.num(a.value), thresher.num(a.baseline), a.detail],
    { class: `alert-${a.reason}`, 'data-reason': a.reason })));
  document.getElementById('alerts-more').textContent =
    history.alerts_left_out > 0 ? `… and ${history.alerts_left_out} more` : '';
}

function showStatus(s) {
  document.title = `Thresher – ${s.run_id}`;
  document.getElementById('title').textContent = `Run ${s.run_id}`;
  const parts = [
    ['state', s.state], ['step', `${s.step}/${s.total_steps}`], ['loss', thresher.num(s.last_loss)],
    ['global norm', thresher.num(s.last_global_norm)], ['clipped', s.clipped_steps], ['skipped', s.skipped_steps],
    ['alerts', s.alert_count], ['test accuracy', thresher.pct(s.test_accuracy)],
    ['samples/s', thresher.num(s.samples_per_second, 3)], ['silos', s.silos.join(' ') || '–'],
  ];
  if (s.error) parts.push(['error', s.error]);
  document.getElementById('summary').innerHTML = parts
    .map(([name, value]) => `<span>${name}: <b data-field="${name}">${thresher.esc(value)}</b></span>`).join('');
  if (!configShown && s.config) {
    const rows = Object.entries(s.config).map(([key, value]) =>
      thresher.row([key, Array.isArray(value) ? value.join(',') : String(value ?? 'none')]));
    document.querySelector('#config tbody').replaceChildren(...rows);
    configShown = true;
  }
}

document.getElementById('reset').addEventListener('click', () => { zoom = null; render(); });
document.getElementById('alerts').addEventListener('click', e => {
  const step = e.target.dataset?.step;
  if (step === undefined) return;
  e.preventDefault();
  zoomTo(Math.max(0, Number(step) - 25), Number(step) + 26);
});

(async () => {
  try {
    showStatus(await thresher.json(api));
    await loadOverview();
    connect();
  } catch (e) {
    document.getElementById('error').textContent = String(e);
  }
})();
