// The prompt lab: versions, diffs, trying a prompt on a record.
import { api, esc, status, view } from './app.js';

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
