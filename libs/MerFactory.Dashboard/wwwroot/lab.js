// Pairwise preference with Bradley–Terry rankings, and the prompt lab (versions, diffs, trying a prompt on a record).
import { api, esc, onKeys, route, status, view } from './app.js';

const rankingTable = (title, items) => `<div class="col"><h3>${title}</h3><table class="ranking" data-ranking="${title}">
  <tr><th>#</th><th>name</th><th>strength</th><th>wins</th><th>losses</th></tr>
  ${items.map((r, i) => `<tr data-name="${esc(r.name)}"><td>${i + 1}</td><td>${esc(r.name)}</td><td>${r.strength}</td><td>${r.wins}</td><td>${r.losses}</td></tr>`).join('')}</table></div>`;

export async function showCompare(r) {
  const id = r.arg, field = r.query.get('field') || 'final_summary';
  const ranking = await api('/preferences/ranking');
  let pairHtml = '<p class="keys">Open a record and choose “compare” on a field, or enter a record id.</p>';
  let candidates = [];
  if (id) {
    candidates = await api(`/records/${encodeURIComponent(id)}/candidates?field=${encodeURIComponent(field)}`);
    const [left, right] = [candidates[0], candidates[candidates.length - 1]];
    pairHtml = candidates.length < 2
      ? '<p>Only one description of this field so far: edit it on the record page (or run another model) to compare.</p>'
      : `<div class="pair">${[left, right].map((c, i) => `<div class="card candidate" data-key="${esc(c.key)}">
          <h3>${i ? 'Right' : 'Left'} · ${esc(c.system)} · prompts ${esc(c.prompts)}</h3><p>${esc(c.text)}</p>
          <button class="primary prefer" data-chosen="${esc(c.key)}" data-rejected="${esc((i ? left : right).key)}">Prefer ${i ? 'right (→)' : 'left (←)'}</button></div>`).join('')}</div>`;
  }
  view().innerHTML = `<h2>Compare descriptions</h2>
    <form class="card filters" id="pick"><label>record<input name="id" value="${esc(id || '')}"></label>
      <label>field<input name="field" value="${esc(field)}" size="40"></label><button>Load</button></form>
    ${pairHtml}
    <div class="card"><div class="row">${rankingTable('Models', ranking.models)}${rankingTable('Prompt versions', ranking.prompt_versions)}</div>
      <p class="keys">${ranking.comparisons} comparison(s) · <a href="/api/preferences/export" download="merfactory_preferences.json">Download pairs (LLaMA-Factory pairwise)</a></p></div>`;
  document.getElementById('pick').addEventListener('submit', e => {
    e.preventDefault();
    const f = new FormData(e.target);
    location.hash = `#/compare/${encodeURIComponent(f.get('id'))}?field=${encodeURIComponent(f.get('field'))}`;
  });
  const prefer = async (chosen, rejected) => {
    await api('/preferences', { json: { record_id: id, field, chosen, rejected } });
    status('preference saved');
    await showCompare(route());
  };
  document.querySelectorAll('button.prefer').forEach(b => b.addEventListener('click', () => prefer(b.dataset.chosen, b.dataset.rejected)));
  onKeys(key => {
    const buttons = document.querySelectorAll('button.prefer');
    if (buttons.length === 2 && (key === 'ArrowLeft' || key === 'ArrowRight')) { buttons[key === 'ArrowLeft' ? 0 : 1].click(); return true; }
    return false;
  });
}

/** Every string leaf of the prompts JSON by dotted path (arrays stay arrays: MER-Factory's dashboard broke them). */
function leaves(node, prefix = '', out = {}) {
  if (typeof node === 'string') out[prefix] = node;
  else if (node && typeof node === 'object' && !Array.isArray(node)) Object.entries(node).forEach(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k, out));
  return out;
}

export async function showPrompts() {
  const versions = await api('/prompts');
  const latest = versions[0].version;
  view().innerHTML = `<h2>Prompt lab</h2>
    <div class="row"><div class="col card">
      <h3>Prompts JSON</h3>
      <label>version <select id="version">${versions.map(v => `<option value="${v.version}">v${v.version} · ${esc(v.author)} · ${esc(v.note)}</option>`).join('')}</select></label>
      <textarea id="prompts-json" style="width:100%;height:320px;font:12px ui-monospace,monospace"></textarea>
      <p><input id="note" placeholder="what changed" size="40"> <button class="primary" id="save-version">Save as new version</button></p>
      <h3>Diff</h3><label>from <select id="diff-from">${versions.map(v => `<option>${v.version}</option>`).join('')}</select></label>
      <label>to <select id="diff-to">${versions.map(v => `<option>${v.version}</option>`).join('')}</select></label> <button id="show-diff">Show diff</button>
      <div class="diff" id="diff"></div>
    </div><div class="col card">
      <h3>Try a prompt on one record</h3>
      <label>prompt <select id="prompt-key"></select></label>
      <label>record <input id="try-record" placeholder="record id"></label>
      <textarea id="template" style="width:100%;height:200px"></textarea>
      <p><button class="primary" id="try">Ask the model</button></p>
      <div id="try-answer" class="card"></div>
    </div></div>`;
  const jsonBox = document.getElementById('prompts-json');
  const keySelect = document.getElementById('prompt-key');
  const load = async v => {
    const prompts = await api(`/prompts/${v}`);
    jsonBox.value = typeof prompts === 'string' ? prompts : JSON.stringify(prompts, null, 2);
    const all = leaves(JSON.parse(jsonBox.value));
    keySelect.innerHTML = Object.keys(all).map(k => `<option>${esc(k)}</option>`).join('');
    keySelect.value = all['synthesis.MERR.without_label'] !== undefined ? 'synthesis.MERR.without_label' : keySelect.value;
    document.getElementById('template').value = all[keySelect.value] || '';
  };
  await load(latest);
  document.getElementById('version').onchange = e => load(e.target.value);
  keySelect.onchange = () => { document.getElementById('template').value = leaves(JSON.parse(jsonBox.value))[keySelect.value] || ''; };
  document.getElementById('diff-from').value = versions[versions.length - 1].version;
  document.getElementById('save-version').onclick = async () => {
    const saved = await api('/prompts', { json: { json: jsonBox.value, note: document.getElementById('note').value } });
    status(`saved v${saved.version}`);
    await showPrompts();
  };
  document.getElementById('show-diff').onclick = async () => {
    const diff = await api(`/prompts/diff?from=${document.getElementById('diff-from').value}&to=${document.getElementById('diff-to').value}`);
    document.getElementById('diff').innerHTML = diff.split('\n').filter(l => !l.startsWith('  ')).map(l => `<span class="${l.startsWith('+') ? 'add' : 'del'}">${esc(l)}</span>`).join('\n') || 'no differences';
  };
  document.getElementById('try').onclick = async () => {
    const box = document.getElementById('try-answer');
    box.textContent = 'asking…';
    const result = await api('/prompts/try', { json: { record_id: document.getElementById('try-record').value.trim(), key: keySelect.value, template: document.getElementById('template').value } });
    box.innerHTML = result.status === 'completed'
      ? `<p class="keys">${esc(result.backend)} · ${esc(result.model)}</p><p id="answer-text">${esc(result.text)}</p>`
      : `<p class="error">Skipped: ${esc(result.skip_reason)}</p>`;
  };
}
