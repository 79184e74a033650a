// Pairwise preference between two descriptions of one clip: this dataset's, another run's (--compare) or a human
// edit; Bradley–Terry rankings of models and prompt versions; walking the records as keyboard review does.
import { api, esc, onKeys, route, status, view } from './app.js';

const rankingTable = (title, items) => `<div class="col"><h3>${title}</h3><table class="ranking" data-ranking="${title}">
  <tr><th>#</th><th>name</th><th>strength</th><th>wins</th><th>losses</th></tr>
  ${items.map((r, i) => `<tr data-name="${esc(r.name)}"><td>${i + 1}</td><td>${esc(r.name)}</td><td>${r.strength}</td><td>${r.wins}</td><td>${r.losses}</td></tr>`).join('')}</table></div>`;

const label = c => `${c.source} · ${c.system} · prompts ${c.prompts}`;

/** The two sides: the ones the URL names when this record has them, else its own text against the first other. */
function pickSides(candidates, query) {
  const byKey = key => candidates.find(c => c.key === key);
  const left = byKey(query.get('left')) || candidates[0];
  const others = candidates.filter(c => c !== left);
  const right = (query.get('right') !== left.key && byKey(query.get('right')))
    || others.find(c => c.key.startsWith('run:')) || others[others.length - 1];
  return [left, right];
}

function compareHash(id, field, left, right) {
  const q = new URLSearchParams({ field });
  if (left) q.set('left', left);
  if (right) q.set('right', right);
  return `#/compare/${encodeURIComponent(id)}?${q}`;
}

export async function showCompare(r) {
  const id = r.arg, field = r.query.get('field') || 'final_summary';
  const [ranking, runs] = await Promise.all([api('/preferences/ranking'), api('/comparisons')]);
  let pairHtml = '<p class="keys">Open a record and choose “compare” on a field, or enter a record id.</p>';
  let sides = [];
  if (id) {
    // A record without this field (another type) says so; j / k still walk on.
    const candidates = await api(`/records/${encodeURIComponent(id)}/candidates?field=${encodeURIComponent(field)}`).catch(e => e);
    if (candidates instanceof Error) {
      pairHtml = `<p class="error">${esc(id)}: ${esc(candidates.message)}</p>`;
    } else if (candidates.length < 2) {
      pairHtml = '<p>Only one description of this field so far: edit it on the record page, or start the dashboard with --compare OTHER_OUTPUT to compare with another run.</p>';
    } else {
      sides = pickSides(candidates, r.query);
      const options = selected => candidates.map(c => `<option value="${esc(c.key)}"${c === selected ? ' selected' : ''}>${esc(label(c))}</option>`).join('');
      pairHtml = `<div class="pair">${sides.map((c, i) => `<div class="card candidate" data-key="${esc(c.key)}" data-source="${esc(c.source)}">
          <h3>${i ? 'Right' : 'Left'}</h3><select class="side" data-side="${i ? 'right' : 'left'}">${options(c)}</select>
          <p class="text">${esc(c.text)}</p>
          <button class="primary prefer" data-chosen="${esc(c.key)}" data-rejected="${esc(sides[1 - i].key)}">Prefer ${i ? 'right (→)' : 'left (←)'}</button></div>`).join('')}</div>`;
    }
  }
  const runNames = [`<b>${esc(runs.name)}</b> (this dataset)`, ...runs.runs.map(x => esc(x.name))].join(', ');
  view().innerHTML = `<h2>Compare descriptions</h2>
    <form class="card filters" id="pick"><label>record<input name="id" value="${esc(id || '')}"></label>
      <label>field<input name="field" value="${esc(field)}" size="40"></label><button>Load</button>
      <span class="runs" id="runs">runs: ${runNames}</span></form>
    ${pairHtml}
    <p class="keys">← / → prefer left / right and go to the next record · j / k next / previous record without choosing</p>
    <div class="card"><div class="row">${rankingTable('Models', ranking.models)}${rankingTable('Prompt versions', ranking.prompt_versions)}</div>
      <p class="keys">${ranking.comparisons} comparison(s) · <a href="/api/preferences/export" download="merfactory_preferences.json">Download pairs (LLaMA-Factory pairwise)</a></p></div>`;

  // Runs are named the same on every record, edits are not: only run sides carry over to the next record.
  const carried = key => key && !key.startsWith('rev:') ? key : '';
  const go = async step => {
    const n = await api(`/records/${encodeURIComponent(id)}/neighbors`);
    const target = step > 0 ? n.next : n.previous;
    if (!target) { status(step > 0 ? 'last record' : 'first record'); return; }
    location.hash = compareHash(target, field, carried(sides[0]?.key), carried(sides[1]?.key));
  };
  document.getElementById('pick').addEventListener('submit', e => {
    e.preventDefault();
    const f = new FormData(e.target);
    location.hash = compareHash(f.get('id'), f.get('field'));
  });
  document.querySelectorAll('select.side').forEach(s => s.addEventListener('change', () => {
    const keys = { left: sides[0].key, right: sides[1].key, [s.dataset.side]: s.value };
    location.hash = compareHash(id, field, keys.left, keys.right);
  }));
  const prefer = async (chosen, rejected) => {
    await api('/preferences', { json: { record_id: id, field, chosen, rejected } });
    status('preference saved');
    await go(1);
  };
  document.querySelectorAll('button.prefer').forEach(b => b.addEventListener('click', () => prefer(b.dataset.chosen, b.dataset.rejected)));
  onKeys(key => {
    const buttons = document.querySelectorAll('button.prefer');
    if (buttons.length === 2 && (key === 'ArrowLeft' || key === 'ArrowRight')) { buttons[key === 'ArrowLeft' ? 0 : 1].click(); return true; }
    if (id && (key === 'j' || key === 'k')) { go(key === 'j' ? 1 : -1); return true; }
    return false;
  });
}
