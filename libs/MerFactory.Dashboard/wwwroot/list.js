// The record list: server-side paging and filters with exact counts; j/k move, Enter opens.
import { api, esc, onKeys, view } from './app.js';

export const FILTERS = ['type', 'rating', 'rating_min', 'state', 'tier', 'emotion', 'label', 'q', 'flag', 'metric', 'metric_min', 'metric_max'];

export function filterQuery(query) {
  const q = new URLSearchParams();
  FILTERS.forEach(name => { if (query.get(name)) q.set(name, query.get(name)); });
  return q;
}

const select = (name, values, current) =>
  `<label>${name}<select name="${name}"><option value="">any</option>${values.map(v => `<option ${v === current ? 'selected' : ''}>${esc(v)}</option>`).join('')}</select></label>`;

export async function showList(r) {
  const query = filterQuery(r.query);
  const page = Number(r.query.get('page') || 1);
  const data = await api(`/records?${query}&page=${page}&page_size=25`);
  const counts = data.counts;
  const keys = facet => Object.keys(counts[facet] || {}).sort();
  view().innerHTML = `
    <h2>Records</h2>
    <form class="card filters" id="filters">
      ${select('type', ['mer', 'au', 'audio', 'video', 'image'], query.get('type'))}
      ${select('rating', ['0', '1', '2', '3', '4', '5'], query.get('rating'))}
      ${select('state', ['pending', 'accepted', 'rejected'], query.get('state'))}
      ${select('tier', ['auto', 'human-reviewed', 'human-edited'], query.get('tier'))}
      ${select('emotion', keys('emotion'), query.get('emotion'))}
      ${select('label', keys('label'), query.get('label'))}
      ${select('flag', keys('flag'), query.get('flag'))}
      <label>text<input name="q" value="${esc(query.get('q'))}"></label>
      <label>metric<input name="metric" value="${esc(query.get('metric'))}" size="14"></label>
      <label>min<input name="metric_min" value="${esc(query.get('metric_min'))}" size="5"></label>
      <label>max<input name="metric_max" value="${esc(query.get('metric_max'))}" size="5"></label>
      <button class="primary">Filter</button>
    </form>
    <div class="card facets" id="facets">${Object.entries(counts).map(([facet, values]) => `
      <div><h3>${facet}</h3><ul>${Object.entries(values).map(([value, n]) =>
        `<li><button data-facet="${facet}" data-value="${esc(value)}">${esc(facet === 'rating' && value === '0' ? 'unrated' : value)}</button> <span class="count" data-facet="${facet}" data-value="${esc(value)}">${n}</span></li>`).join('')}</ul></div>`).join('')}
    </div>
    <p><span id="total">${data.total}</span> records · page ${data.page} of ${Math.max(1, Math.ceil(data.total / data.page_size))}
      <button id="prev-page" ${page <= 1 ? 'disabled' : ''}>◀</button><button id="next-page" ${page * data.page_size >= data.total ? 'disabled' : ''}>▶</button>
      <span class="keys">j/k move · Enter opens</span></p>
    <table><thead><tr><th>id</th><th>type</th><th>emotion</th><th>label</th><th>model</th><th>rating</th><th>state</th><th>tier</th></tr></thead>
      <tbody>${data.items.map(i => `<tr data-id="${esc(i.id)}"><td>${esc(i.id)}</td><td>${i.type}</td><td>${esc(i.emotion)}</td><td>${esc(i.label)}</td>
        <td>${esc(i.model)}</td><td>${i.rating ?? ''}</td><td><span class="badge ${i.state}">${i.state}</span></td><td><span class="badge ${i.tier}">${i.tier}</span></td></tr>`).join('')}</tbody></table>`;

  const go = (changes) => {
    const next = new URLSearchParams(query);
    Object.entries(changes).forEach(([k, v]) => v ? next.set(k, v) : next.delete(k));
    location.hash = '#/list?' + next;
  };
  document.getElementById('filters').addEventListener('submit', event => {
    event.preventDefault();
    go(Object.fromEntries([...new FormData(event.target)].map(([k, v]) => [k, String(v).trim()]).concat([['page', '']])));
  });
  document.querySelectorAll('#facets button').forEach(b => b.addEventListener('click', () => go({ [b.dataset.facet]: b.dataset.value, page: '' })));
  document.getElementById('prev-page').onclick = () => go({ page: String(page - 1) });
  document.getElementById('next-page').onclick = () => go({ page: String(page + 1) });
  const rows = [...document.querySelectorAll('tr[data-id]')];
  const open = id => { location.hash = `#/record/${encodeURIComponent(id)}?${query}`; };
  rows.forEach(row => row.addEventListener('click', () => open(row.dataset.id)));
  let selected = 0;
  const mark = () => rows.forEach((row, i) => row.classList.toggle('selected', i === selected));
  mark();
  onKeys(key => {
    if (!rows.length) return false;
    if (key === 'j' || key === 'ArrowDown') { selected = Math.min(rows.length - 1, selected + 1); mark(); return true; }
    if (key === 'k' || key === 'ArrowUp') { selected = Math.max(0, selected - 1); mark(); return true; }
    if (key === 'Enter') { open(rows[selected].dataset.id); return true; }
    return false;
  });
}
