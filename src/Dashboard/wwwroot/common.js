// Shared by the dashboard's pages: fetching JSON, formatting numbers, building table rows.
'use strict';

const thresher = {
  async json(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
    return response.json();
  },

  // Numbers as the CLI prints them: 4 significant digits; NaN/∞ arrive as strings from the API.
  num(value, digits = 4) {
    if (value === null || value === undefined) return '–';
    if (typeof value === 'string') return value;
    return Number(value).toPrecision(digits).replace(/\.?0+(e|$)/, '$1');
  },

  pct(value) {
    return value === null || value === undefined ? '–' : (100 * value).toFixed(2) + ' %';
  },

  // A table row from cells; a cell is text, or {html} for trusted markup built here.
  row(cells, attributes = {}) {
    const tr = document.createElement('tr');
    for (const [name, value] of Object.entries(attributes)) tr.setAttribute(name, value);
    for (const cell of cells) {
      const td = document.createElement('td');
      if (cell && typeof cell === 'object' && 'html' in cell) td.innerHTML = cell.html;
      else td.textContent = cell;
      tr.appendChild(td);
    }
    return tr;
  },

  esc(text) {
    return String(text).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  },

  runLink(id) {
    return { html: `<a href="/runs/${encodeURIComponent(id)}">${thresher.esc(id)}</a>` };
  },

  // Calls load() now and every `ms` milliseconds; shows a failure in #error instead of throwing.
  every(ms, load) {
    const tick = async () => {
      try {
        await load();
        document.getElementById('error').textContent = '';
      } catch (e) {
        document.getElementById('error').textContent = String(e);
      }
      setTimeout(tick, ms);
    };
    tick();
  },
};
