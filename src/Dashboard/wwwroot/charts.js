// The run page's charts (uPlot): what each draws from a history window (GET /api/runs/{id}/history, or a
// "steps" event), and one place that creates them all with a shared cursor and drag-to-zoom.
'use strict';

const palette = ['#0a6bd6', '#e8710a', '#177a2a', '#b3261e', '#7b3fb8', '#8a6d00', '#00838f', '#c2185b'];
const positive = values => values.map(v => (v !== null && v > 0 ? v : null)); // a log axis has no place for 0

// Each chart: its element, title, log axis or not, the series labels, and the rows it draws from a window.
const chartDefinitions = [
  {
    id: 'chart-norm', title: 'Global gradient norm (pre- and post-clip, log)', log: true,
    series: w => ['pre-clip', 'post-clip', ...(w.clip ? [`clip ${w.clip}`] : []), 'alerts'],
    rows: w => [positive(w.global_norm), positive(w.clipped_norm),
      ...(w.clip ? [w.step.map(() => w.clip)] : []), alertMarks(w)],
  },
  { id: 'chart-loss', title: 'Loss (log)', log: true, series: () => ['loss'], rows: w => [positive(w.loss)] },
  { id: 'chart-tensors', title: 'Per-tensor norm (pre-clip, log)', log: true, series: w => w.tensors, rows: w => w.tensor_norms.map(positive) },
  {
    id: 'chart-workers', title: 'Per-worker local norm (log)', log: true,
    series: w => w.worker_norms.map((_, i) => `worker ${i}`), rows: w => w.worker_norms.map(positive),
  },
  { id: 'chart-accuracy', title: 'Test accuracy', log: false, series: () => ['test accuracy'], rows: w => [w.test_accuracy] },
  { id: 'chart-lr', title: 'Learning rate', log: false, series: () => ['lr'], rows: w => [w.learning_rate] },
];

// Alerts as points on the norm chart: at the norm that raised them, or, for a non-finite norm (no place on the
// axis), at the largest norm drawn.
function alertMarks(w) {
  const top = Math.max(...positive(w.global_norm).filter(v => v !== null), 1);
  const at = new Map(w.alerts.map(a => [a.step, a.value !== null && a.value > 0 ? a.value : top]));
  return w.step.map(s => (at.has(s) ? at.get(s) : null));
}

// Tick labels that stay short from 1e-6 to 1e+71 (an exploding run spans that).
const tick = v => (v === null ? '' : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(0) : String(+v.toPrecision(3)));

// A log axis ticks at powers of ten only, every k-th decade so that at most 8 show.
function decades(u, axis, min, max) {
  const low = Math.floor(Math.log10(min)), high = Math.ceil(Math.log10(max));
  const every = Math.max(1, Math.ceil((high - low) / 8));
  const splits = [];
  for (let e = low; e <= high; e += every) if (10 ** e >= min * 0.999 && 10 ** e <= max * 1.001) splits.push(10 ** e);
  return splits;
}

// Every power of ten a double holds: uPlot's own log increments stop near 1e16, and an axis spanning more (a loss
// of 1e71) would get no ticks at all.
const decadeIncrements = Array.from({ length: 617 }, (_, i) => 10 ** (i - 308));

function yAxis(log) {
  const axis = { size: 60, values: (u, splits) => splits.map(tick) };
  // uPlot's own log filter would blank some of these decades; show every one chosen.
  return log ? { ...axis, splits: decades, incrs: decadeIncrements, filter: (u, splits) => splits } : axis;
}

function seriesOptions(label, index) {
  const color = label === 'alerts' ? '#d00000' : palette[index % palette.length];
  if (label === 'alerts') return { label, stroke: color, width: 0, points: { show: true, size: 9, fill: color } };
  if (label.startsWith('clip ')) return { label, stroke: '#777', dash: [6, 4], width: 1 };
  if (label === 'test accuracy') return { label, stroke: color, spanGaps: true, points: { show: true, size: 6 } };
  return { label, stroke: color, width: 1.5 };
}

// Creates every chart for the first history window; onZoom(fromStep, toStep) is called when a step range is dragged.
function createCharts(history, onZoom) {
  return chartDefinitions.map(def => {
    const element = document.getElementById(def.id);
    const options = {
      title: def.title,
      width: Math.max(element.clientWidth - 12, 300),
      height: 240,
      cursor: { sync: { key: 'run' }, drag: { x: true, y: false, setScale: false } },
      scales: { x: { time: false }, y: def.log ? { distr: 3 } : {} },
      axes: [{ label: 'step' }, yAxis(def.log)],
      series: [{ label: 'step' }, ...def.series(history).map(seriesOptions)],
      hooks: {
        setSelect: [u => {
          if (u.select.width < 2) return;
          const from = Math.floor(u.posToVal(u.select.left, 'x'));
          const to = Math.ceil(u.posToVal(u.select.left + u.select.width, 'x')) + 1;
          u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
          onZoom(Math.max(0, from), to);
        }],
      },
    };
    const plot = new uPlot(options, [[]], element);
    return { def, element, plot };
  });
}

// Draws a window on every chart; each chart element's data-points says how many steps it holds.
function drawCharts(charts, history) {
  for (const { def, element, plot } of charts) {
    plot.setData([history.step, ...def.rows(history)]);
    element.dataset.points = String(history.step.length);
  }
}
