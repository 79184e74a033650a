// The record page: evidence (video with the peak, audio with transcript, AU timeline, FACS) beside every field,
// with edits (revisions, revert), rating, accept/reject and keyboard review.
import { api, esc, onKeys, status, view } from './app.js';
import { filterQuery } from './list.js';
import { timelineSvg } from './timeline.js';

const fmt = t => Number(t).toFixed(2) + 's';

// The next record is fetched while the curator reads this one, so j shows it without waiting for the server.
const prefetched = new Map();
const load = (id, query) => Promise.all([api(`/records/${encodeURIComponent(id)}`), api(`/records/${encodeURIComponent(id)}/neighbors?${query}`)]);

export async function showRecord(r) {
  const id = r.arg;
  const query = filterQuery(r.query);
  const key = id + '?' + query;
  const pending = prefetched.get(key);
  prefetched.clear();
  const [rec, nav] = await (pending || load(id, query));
  const peak = rec.peak || {};
  view().innerHTML = `
    <div class="row" style="align-items:center">
      <h2 style="flex:1">${esc(rec.id)} <span class="badge">${rec.type}</span>
        <span class="badge ${rec.state}" id="state">${rec.state}</span><span class="badge ${rec.tier}" id="tier">${rec.tier}</span></h2>
      <span class="stars" id="stars">${[1, 2, 3, 4, 5].map(n => `<button data-rating="${n}" title="rate ${n}">★</button>`).join('')}</span>
      <button id="accept">Accept (a)</button><button id="reject">Reject (r)</button>
      <button id="prev" ${nav.previous ? '' : 'disabled'}>◀ k</button><span>${nav.index + 1} / ${nav.total}</span><button id="next" ${nav.next ? '' : 'disabled'}>j ▶</button>
    </div>
    <p class="keys">1–5 rate · j/k or arrows move · a accept · r reject · e edit · Esc leaves a field</p>
    <div class="row">
      <div class="col">
        ${rec.media.video ? `<div class="card"><h3>Video</h3><video id="video" controls preload="metadata" src="${rec.media.video}"></video>
          <div class="scrub" id="scrub">${peak.timestamp != null ? `<button class="marker" id="peak-marker" title="overall peak ${fmt(peak.timestamp)} (frame ${peak.frame_number})"></button>` : ''}</div>
          <p>Overall peak: <button id="peak-seek">${peak.timestamp != null ? fmt(peak.timestamp) + ' · frame ' + peak.frame_number : '—'}</button></p></div>` : ''}
        ${rec.media.image ? `<div class="card"><h3>Image</h3><img id="source-image" src="${rec.media.image}" alt="the image this record describes" style="max-width:100%"></div>` : ''}
        ${rec.media.peak_frame ? `<div class="card"><h3>Peak frame</h3><img src="${rec.media.peak_frame}" alt="peak frame" style="max-width:100%"></div>` : ''}
        ${rec.media.audio || rec.transcript ? `<div class="card"><h3>Audio and transcript</h3>
          ${rec.media.audio ? `<audio id="audio" controls preload="metadata" src="${rec.media.audio}"></audio>` : ''}
          <div class="segments" id="segments">${(rec.transcript?.segments || []).map((s, i) =>
            `<button data-start="${s.start}" data-index="${i}"><span class="time">${fmt(s.start)}–${fmt(s.end)}</span>${esc(s.text)}</button>`).join('') || esc(rec.transcript?.text || '')}</div></div>` : ''}
        ${rec.au ? `<div class="card"><h3>AU intensity (threshold ${rec.au_threshold})</h3>${timelineSvg(rec.au, rec.au_threshold, rec.peak_times, peak.timestamp)}</div>` : ''}
        <div class="card"><h3>FACS</h3>
          <ul>${rec.emotion_peaks.map(p => `<li>${esc(p)}</li>`).join('')}</ul>
          <p>${Object.entries(peak.top_aus || {}).map(([au, v]) => `<span class="badge">${au} ${v}</span>`).join('')}</p>
          ${rec.label ? `<p>Label: <strong>${esc(rec.label)}</strong></p>` : ''}
          <p class="keys">model ${esc(rec.model || '—')} · prompts ${esc(rec.prompts_version || '—')}</p></div>
        ${rec.eval ? `<div class="card"><h3>Evaluation</h3><pre class="diff">${esc(JSON.stringify(rec.eval, null, 2))}</pre></div>` : ''}
      </div>
      <div class="col">
        ${rec.fields.map(f => `<div class="card field" data-field="${esc(f.key)}">
          <h3>${esc(f.label)} ${f.from_llm ? '<span class="badge">LLM</span>' : ''} ${f.edited ? '<span class="badge human-edited">edited</span>' : ''}</h3>
          <textarea readonly>${esc(f.value)}</textarea>
          <div><button class="edit">Edit</button> <button class="save primary" hidden>Save</button> <button class="cancel" hidden>Cancel</button>
            <a href="#/compare/${encodeURIComponent(rec.id)}?field=${encodeURIComponent(f.key)}">compare</a></div></div>`).join('')}
        <div class="card"><h3>History</h3><div id="history"></div></div>
      </div>
    </div>`;
  wire(rec, nav, query);
  renderHistory(rec.id, rec.history);
  document.body.dataset.record = rec.id;
  document.dispatchEvent(new CustomEvent('record-rendered', { detail: rec.id }));
  if (nav.next) {
    const next = load(nav.next, query);
    next.catch(() => prefetched.delete(nav.next + '?' + query));
    prefetched.set(nav.next + '?' + query, next);
  }
}

function wire(rec, nav, query) {
  const video = document.getElementById('video');
  const seekPeak = () => { if (video && rec.peak.timestamp != null) video.currentTime = rec.peak.timestamp; };
  document.getElementById('peak-marker')?.addEventListener('click', seekPeak);
  document.getElementById('peak-seek')?.addEventListener('click', seekPeak);
  if (video) {
    video.addEventListener('loadedmetadata', () => {
      const marker = document.getElementById('peak-marker');
      if (marker && video.duration) marker.style.left = `calc(${(100 * rec.peak.timestamp / video.duration).toFixed(3)}% - 2px)`;
    });
  }
  const audio = document.getElementById('audio');
  document.querySelectorAll('#segments button').forEach(b => b.addEventListener('click', () => {
    if (!audio) return;
    audio.currentTime = Number(b.dataset.start);
    document.querySelectorAll('#segments button').forEach(x => x.classList.toggle('playing', x === b));
  }));
  document.querySelector('svg.timeline')?.addEventListener('click', event => {
    const svg = event.currentTarget;
    const box = svg.getBoundingClientRect();
    const t = Number(svg.dataset.t0) + (event.clientX - box.left) / box.width * (Number(svg.dataset.t1) - Number(svg.dataset.t0));
    if (video) video.currentTime = t;
  });

  const setRating = async n => { await api(`/records/${encodeURIComponent(rec.id)}/rating`, { method: 'PUT', json: { value: n } }); rec.rating = n; paintStars(rec); status(`rated ${n}`); refreshBadges(rec.id); };
  const setState = async s => { await api(`/records/${encodeURIComponent(rec.id)}/state`, { method: 'PUT', json: { value: s } }); status(s); refreshBadges(rec.id); };
  document.querySelectorAll('#stars button').forEach(b => b.addEventListener('click', () => setRating(Number(b.dataset.rating))));
  document.getElementById('accept').onclick = () => setState('accepted');
  document.getElementById('reject').onclick = () => setState('rejected');
  const go = target => { if (target) location.hash = `#/record/${encodeURIComponent(target)}?${query}`; };
  document.getElementById('prev').onclick = () => go(nav.previous);
  document.getElementById('next').onclick = () => go(nav.next);
  paintStars(rec);

  document.querySelectorAll('.field').forEach(card => {
    const area = card.querySelector('textarea');
    const [edit, save, cancel] = ['.edit', '.save', '.cancel'].map(s => card.querySelector(s));
    const editing = on => { area.readOnly = !on; edit.hidden = on; save.hidden = !on; cancel.hidden = !on; if (on) area.focus(); };
    let before = area.value;
    edit.onclick = () => { before = area.value; editing(true); };
    cancel.onclick = () => { area.value = before; editing(false); };
    save.onclick = async () => {
      await api(`/records/${encodeURIComponent(rec.id)}/fields/${encodeURIComponent(card.dataset.field)}`, { method: 'PUT', json: { value: area.value } });
      editing(false);
      status('saved');
      await loadHistory(rec.id);
      refreshBadges(rec.id);
    };
    area.addEventListener('keydown', e => {
      if (e.key === 'Escape') { cancel.onclick(); area.blur(); }
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) save.onclick();
    });
  });

  onKeys(key => {
    if (/^[1-5]$/.test(key)) { setRating(Number(key)); return true; }
    if (key === 'j' || key === 'ArrowDown' || key === 'ArrowRight') { go(nav.next); return true; }
    if (key === 'k' || key === 'ArrowUp' || key === 'ArrowLeft') { go(nav.previous); return true; }
    if (key === 'a') { setState('accepted'); return true; }
    if (key === 'r') { setState('rejected'); return true; }
    if (key === 'e') { document.querySelector('.field .edit')?.click(); return true; }
    return false;
  });
}

function paintStars(rec) {
  document.querySelectorAll('#stars button').forEach(b => b.classList.toggle('on', Number(b.dataset.rating) <= (rec.rating || 0)));
}

async function refreshBadges(id) {
  const rec = await api(`/records/${encodeURIComponent(id)}`);
  const state = document.getElementById('state'), tier = document.getElementById('tier');
  state.textContent = rec.state; state.className = 'badge ' + rec.state;
  tier.textContent = rec.tier; tier.className = 'badge ' + rec.tier;
}

async function loadHistory(id) {
  renderHistory(id, await api(`/records/${encodeURIComponent(id)}/history`));
}

function renderHistory(id, revisions) {
  const box = document.getElementById('history');
  box.innerHTML = revisions.length ? revisions.map(r => `<div class="revision" data-revision="${r.id}">
      <p class="meta"><strong>${esc(r.field)}</strong> · ${r.kind} by ${esc(r.author)} at ${new Date(r.at + (r.at.endsWith('Z') ? '' : 'Z')).toLocaleString()}
      <button class="revert" data-revision="${r.id}">Revert</button></p>
      <div class="diff">${r.diff.split('\n').map(l => `<span class="${l.startsWith('+ ') ? 'add' : l.startsWith('- ') ? 'del' : ''}">${esc(l)}</span>`).join('\n')}</div></div>`).join('')
    : '<p class="keys">No edits yet.</p>';
  box.querySelectorAll('button.revert').forEach(b => b.addEventListener('click', async () => {
    await api(`/records/${encodeURIComponent(id)}/revisions/${b.dataset.revision}/revert`, { method: 'POST' });
    status('reverted');
    location.hash = location.hash; // same route: re-render with the restored text
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }));
}
