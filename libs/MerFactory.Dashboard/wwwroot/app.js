// The dashboard's router and API helper. Views live in their own modules; all data comes from /api.
import { showList } from './list.js';
import { showRecord } from './record.js';
import { showCompare } from './compare.js';
import { showPrompts } from './lab.js';
import { showRun, showExport } from './run.js';

export const view = () => document.getElementById('view');

export function esc(text) {
  return String(text ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function status(text, isError = false) {
  const el = document.getElementById('status');
  el.textContent = text;
  el.className = isError ? 'error' : '';
}

export async function api(path, options = {}) {
  const init = { ...options, headers: { ...(options.headers || {}) } };
  if (options.json !== undefined) {
    init.method = init.method || 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.json);
  }
  const response = await fetch('/api' + path, init);
  if (!response.ok) {
    let message = response.status + ' ' + response.statusText;
    try { message = (await response.json()).error || message; } catch { /* not JSON */ }
    status(message, true);
    throw new Error(message);
  }
  const type = response.headers.get('Content-Type') || '';
  return response.status === 204 ? null : type.includes('json') ? response.json() : response.text();
}

/** The hash route: "#/record/ID?type=mer" → { name: 'record', arg: 'ID', query: URLSearchParams }. */
export function route() {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...rest] = path.split('/');
  return { name: name || 'list', arg: rest.length ? decodeURIComponent(rest.join('/')) : null, query: new URLSearchParams(query || '') };
}

let keyHandler = null;
/** Each view installs its own keyboard handler; typing in a field never triggers it. */
export function onKeys(handler) { keyHandler = handler; }
document.addEventListener('keydown', event => {
  const target = event.target;
  if (target.closest && target.closest('input, textarea, select')) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (keyHandler && keyHandler(event.key)) event.preventDefault();
});

const views = { list: showList, record: showRecord, compare: showCompare, prompts: showPrompts, run: showRun, export: showExport };

async function render() {
  const r = route();
  onKeys(null);
  status(''); // a message belongs to the page that showed it
  document.querySelectorAll('[data-nav]').forEach(a => a.classList.toggle('active', a.dataset.nav === (r.name === 'record' ? 'list' : r.name)));
  try {
    await (views[r.name] || showList)(r);
  } catch (error) {
    status(error.message, true);
  }
}

window.addEventListener('hashchange', render);
render();
