// The run builder (an antiforgery-protected form that starts a process job, with live progress and saved
// configurations) and the curated export.
import { api, esc, status, view } from './app.js';
import { FILTERS } from './list.js';

export async function showRun() {
  const [mode, af, configs, prompts] = await Promise.all([api('/runs/mode'), api('/antiforgery'), api('/run-configs'), api('/prompts')]);
  view().innerHTML = `<h2>Run builder <span class="badge">${esc(mode.mode || 'no runner')}</span></h2>
    <form class="card filters" id="run-form">
      <input type="hidden" name="${esc(af.field)}" value="${esc(af.token)}">
      <label>saved<select id="saved"><option value="">—</option>${configs.map(c => `<option>${esc(c.name)}</option>`).join('')}</select></label>
      <label>input (under the input root)<input name="input" required size="40"></label>
      <label>type<select name="type">${['MER', 'AU', 'audio', 'video', 'image'].map(t => `<option>${t}</option>`).join('')}</select></label>
      <label>task<select name="task"><option>MERR</option><option>Sentiment Analysis</option></select></label>
      <label>threshold<input name="threshold" type="number" step="0.1" min="0" max="5" value="0.8"></label>
      <label>peak distance<input name="peakDistance" type="number" min="8" value="15"></label>
      <label>concurrency<input name="concurrency" type="number" min="1" value="4"></label>
      <label>prompts<select name="promptsVersion"><option value="">built-in</option>${prompts.map(p => `<option value="${p.version}">v${p.version}</option>`).join('')}</select></label>
      <label>cache<input type="checkbox" name="cache" value="true"></label>
      <label>gate agent<input type="checkbox" name="useGateAgent" value="true"></label>
      <label>save as<input name="saveAs" size="14"></label>
      <button class="primary" id="start-run">Start run</button>
    </form>
    <div class="card" id="run-progress" hidden><h3>Progress</h3><div class="progress"><div id="bar"></div></div>
      <p id="run-state"></p><pre class="log" id="run-log"></pre></div>`;
  const form = document.getElementById('run-form');
  document.getElementById('saved').onchange = e => {
    const config = configs.find(c => c.name === e.target.value)?.config;
    if (!config) return;
    const set = (name, value) => { const el = form.elements[name]; if (el.type === 'checkbox') el.checked = !!value; else el.value = value ?? ''; };
    set('input', config.input); set('type', config.type); set('task', config.task); set('threshold', config.threshold);
    set('peakDistance', config.peak_distance); set('concurrency', config.concurrency); set('cache', config.cache);
    set('useGateAgent', config.use_gate_agent); set('promptsVersion', config.prompts_version);
  };
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const response = await fetch('/api/runs', { method: 'POST', body: new FormData(form) });
    if (!response.ok) { status((await response.json().catch(() => ({}))).error || response.statusText, true); return; }
    const run = await response.json();
    status('run started');
    watch(run.id);
  });
}

async function watch(id) {
  document.getElementById('run-progress').hidden = false;
  for (;;) {
    const run = await api(`/runs/${id}`);
    const done = run.files ? run.files_done / run.files : 0;
    document.getElementById('bar').style.width = `${(100 * done).toFixed(0)}%`;
    document.getElementById('run-state').textContent = `${run.state} · ${run.files_done}/${run.files} file(s) · ${run.steps_done} step(s)${run.error ? ' · ' + run.error : ''}`;
    document.getElementById('run-log').textContent = run.log.join('\n');
    document.getElementById('run-progress').dataset.state = run.state;
    if (run.state !== 'running') return;
    await new Promise(resolve => setTimeout(resolve, 400));
  }
}

export async function showExport() {
  view().innerHTML = `<h2>Curated export</h2>
    <form class="card filters" id="export-form">
      <label>format<select name="format"><option>csv</option><option>sharegpt</option><option>emotion-llama</option><option>emotion-llama-fine</option></select></label>
      <label>type<select name="type"><option>mer</option><option>au</option><option>audio</option><option>video</option><option>image</option></select></label>
      <label>state<select name="state"><option value="">any</option><option>accepted</option><option value="accepted,pending">not rejected</option><option>pending</option></select></label>
      <label>minimum rating<select name="rating_min"><option value="">any</option>${[1, 2, 3, 4, 5].map(n => `<option>${n}</option>`).join('')}</select></label>
      <label>tier<select name="tier"><option value="">any</option><option>human-reviewed,human-edited</option><option>human-edited</option><option>auto</option></select></label>
      <button class="primary">Download zip</button>
    </form>
    <p class="keys">Edits are applied; curation.jsonl in the zip carries each record's provenance tier, rating and state.</p>`;
  document.getElementById('export-form').addEventListener('submit', event => {
    event.preventDefault();
    const q = new URLSearchParams([...new FormData(event.target)].filter(([k, v]) => v && (k === 'format' || FILTERS.includes(k))));
    location.href = '/api/export?' + q;
  });
}
