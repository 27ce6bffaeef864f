// memfit's page: two panes over the JSON API of `memfit serve`. Every value shown goes through textContent or an
// SVG attribute (no markup is ever parsed from data), every state lives in the URL query (the API's parameter names), and the
// renderers are plain functions of the API's JSON (window.memfitPage, so tests can feed them recorded answers).
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }
  const num = (x) => (typeof x === 'number' && isFinite(x) ? x : null);

  // Bytes in binary units, the way the fit output reads them.
  function fmtBytes(b) {
    b = num(b);
    if (b === null) return '—';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    let u = 0;
    let v = Math.abs(b);
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return (b < 0 ? '-' : '') + (u === 0 ? String(v) : v.toFixed(2)) + ' ' + units[u];
  }
  function fmtTokens(n) {
    n = num(n);
    if (n === null) return '—';
    if (n >= 1024 && n % 1024 === 0) return n / 1024 + 'K';
    return n.toLocaleString('en-US');
  }

  // ---------------------------------------------------------------------------------------------------------
  // URL state: the estimate pane's and the fit pane's parameters, with the API's names.

  const FIT_KEYS = ['gpu', 'gpu_memory', 'gpus', 'engine', 'context', 'batch', 'kv_dtype'];
  const TRAIN_KEYS = ['train', 'optimizer', 'seq_len', 'lora_rank', 'zero'];

  function estimateParams() {
    const p = new URLSearchParams();
    const model = $('model').value.trim();
    if (model) p.set('model', model);
    if ($('library_name').value) p.set('library_name', $('library_name').value);
    const dtypes = [...document.querySelectorAll('input[name=dtypes]:checked')].map((c) => c.value);
    if (dtypes.length && dtypes.length < 4) p.set('dtypes', dtypes.join(','));
    return p;
  }

  function training() {
    return document.querySelector('input[name=mode]:checked').value === 'training';
  }

  function fitParams() {
    const p = new URLSearchParams();
    const gpu = $('gpu').value;
    if (gpu === '__custom__') {
      if ($('gpu_memory').value.trim()) p.set('gpu_memory', $('gpu_memory').value.trim());
    } else if (gpu) {
      p.set('gpu', gpu);
    }
    for (const k of ['gpus', 'engine', 'context', 'batch', 'kv_dtype']) {
      const v = $(k).value.trim();
      if (v && !(k === 'gpus' && v === '1') && !(k === 'engine' && v === 'hf')) p.set(k, v);
    }
    if (training()) {
      for (const k of TRAIN_KEYS) {
        const v = $(k).value.trim();
        if (v) p.set(k, v);
      }
    }
    return p;
  }

  function allParams() {
    const p = estimateParams();
    if ($('fit-out').dataset.active === '1' || $('gpu').value) for (const [k, v] of fitParams()) p.set(k, v);
    return p;
  }

  function saveURL() {
    const q = allParams().toString();
    const url = location.pathname + (q ? '?' + q : '');
    if (url !== location.pathname + location.search) history.replaceState(null, '', url);
  }

  function setSelect(sel, value) {
    if ([...sel.options].some((o) => o.value === value)) sel.value = value;
  }

  function restoreFromURL() {
    const q = new URLSearchParams(location.search);
    if (q.has('model')) $('model').value = q.get('model');
    if (q.has('library_name')) setSelect($('library_name'), q.get('library_name'));
    if (q.has('dtypes')) {
      const want = q.get('dtypes').split(',');
      for (const c of document.querySelectorAll('input[name=dtypes]')) c.checked = want.includes(c.value);
    }
    if (q.has('gpu_memory')) {
      $('gpu').value = '__custom__';
      $('gpu_memory').value = q.get('gpu_memory');
    } else if (q.has('gpu')) {
      setSelect($('gpu'), q.get('gpu'));
      if ($('gpu').value !== q.get('gpu')) {
        // A GPU of another vendor than the filter, or a spelling the table knows under another name.
        $('vendor').value = '';
        fillGpus();
        setSelect($('gpu'), q.get('gpu'));
      }
    }
    for (const k of ['gpus', 'context', 'batch', 'seq_len', 'lora_rank']) if (q.has(k)) $(k).value = q.get(k);
    for (const k of ['engine', 'kv_dtype', 'train', 'optimizer', 'zero']) if (q.has(k)) setSelect($(k), q.get(k));
    const isTrain = TRAIN_KEYS.some((k) => q.has(k));
    document.querySelector('input[name=mode][value=' + (isTrain ? 'training' : 'inference') + ']').checked = true;
    syncForm();
    return { estimate: q.has('model'), fit: q.has('model') && (q.has('gpu') || q.has('gpu_memory')) };
  }

  function syncForm() {
    $('gpu-memory-field').hidden = $('gpu').value !== '__custom__';
    $('inference-opts').hidden = training();
    $('training-opts').hidden = !training();
  }

  // ---------------------------------------------------------------------------------------------------------
  // API

  async function api(path, params, init) {
    const headers = Object.assign({ Accept: 'application/json' }, (init && init.headers) || {});
    const token = $('token').value.trim();
    if (token) headers['X-HF-Token'] = token;
    const url = path + (params && String(params) ? '?' + params : '');
    try {
      const r = await fetch(url, Object.assign({}, init || {}, { headers }));
      let body = null;
      try {
        body = await r.json();
      } catch (e) {
        body = { error: 'the server sent something other than JSON (HTTP ' + r.status + ')' };
      }
      return { ok: r.ok, status: r.status, body };
    } catch (e) {
      return { ok: false, status: 0, body: { error: 'the memfit server could not be reached' } };
    }
  }

  function showError(id, res) {
    const box = $(id);
    const msg = (res.body && typeof res.body.error === 'string' && res.body.error) || 'request failed';
    box.textContent = msg + (res.status ? ' (HTTP ' + res.status + ')' : '');
    box.hidden = false;
  }

  // One pane's request: its busy mark while it runs; on failure its output hidden and the error shown.
  async function call(pane, path, params) {
    $(pane + '-error').hidden = true;
    $(pane + '-busy').hidden = false;
    const res = await api(path, params);
    $(pane + '-busy').hidden = true;
    if (!res.ok) {
      $(pane + '-out').hidden = true;
      showError(pane + '-error', res);
    }
    return res;
  }

  // ---------------------------------------------------------------------------------------------------------
  // "How much memory"

  const WHATIFS = ['bnb-int8', 'bnb-nf4', 'gptq-4bit-g128', 'awq-4bit-g128', 'fp8', 'gguf-q8_0', 'gguf-q4_k_m'];
  const SOURCES = { catalog: 'the bundled catalog', hub: 'the Hub', cache: 'the HF cache', local: 'a local file' };

  function renderEstimate(j) {
    $('estimate-out').hidden = false;
    $('estimate-summary').textContent =
      j.model + ' — ' + j.architecture + ' (' + j.library + ', config from ' + (SOURCES[j.source] || j.source) + '): ' +
      Number(j.parameters).toLocaleString('en-US') + ' parameters' + (j.approximate ? ' (approximate)' : '') + '.';
    $('estimate-table').textContent = j.table;
    const tb = $('stages-table').tBodies[0];
    clear(tb);
    for (const s of j.training_stages || []) {
      const tr = el('tr');
      for (const k of ['dtype', 'model', 'gradient_calculation', 'backward_pass', 'optimizer_step'])
        tr.appendChild(el(k === 'dtype' ? 'th' : 'td', s[k]));
      tb.appendChild(tr);
    }
  }

  function renderWhatif(tb, scheme, res) {
    const tr = el('tr');
    tr.appendChild(el('th', scheme));
    if (res.ok && res.body.quantized) {
      tr.appendChild(el('td', fmtBytes(res.body.quantized.total_bytes)));
      tr.appendChild(el('td', Number(res.body.quantized.bits_per_quantized_weight).toFixed(2)));
    } else {
      const td = el('td', '—');
      td.title = (res.body && res.body.error) || '';
      tr.appendChild(td);
      tr.appendChild(el('td', ''));
    }
    tb.appendChild(tr);
  }

  async function runEstimate() {
    const p = estimateParams();
    $('estimate-error').hidden = true;
    if (!p.get('model')) return false;
    const res = await call('estimate', '/api/estimate', p);
    if (!res.ok) return false;
    renderEstimate(res.body);
    $('publish-result').textContent = '';
    const tb = $('whatif-table').tBodies[0];
    clear(tb);
    const base = new URLSearchParams({ model: p.get('model'), dtypes: 'float32' });
    if (p.get('library_name')) base.set('library_name', p.get('library_name'));
    const answers = await Promise.all(
      WHATIFS.map((s) => {
        const q = new URLSearchParams(base);
        q.set('quantization', s);
        return api('/api/estimate', q);
      }),
    );
    WHATIFS.forEach((s, i) => renderWhatif(tb, s, answers[i]));
    return true;
  }

  async function publish() {
    const p = estimateParams();
    const out = $('publish-result');
    clear(out);
    if (!p.get('model')) return;
    const body = { model: p.get('model') };
    if (p.get('library_name')) body.library_name = p.get('library_name');
    if (p.get('dtypes')) body.dtypes = p.get('dtypes').split(',');
    $('publish-busy').hidden = false;
    const res = await api('/api/publish', null, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    $('publish-busy').hidden = true;
    if (!res.ok) {
      out.className = 'error-text';
      out.textContent = 'Not published: ' + ((res.body && res.body.error) || 'request failed');
      return;
    }
    out.className = 'ok-text';
    out.appendChild(document.createTextNode(res.body.existing ? 'Already published: ' : 'Published: '));
    const url = String(res.body.url || '');
    const a = el('a', 'discussion #' + res.body.num + ' on ' + res.body.repo);
    a.id = 'publish-link';
    if (/^https?:\/\//.test(url)) a.setAttribute('href', url);
    a.setAttribute('rel', 'noopener noreferrer');
    a.setAttribute('target', '_blank');
    out.appendChild(a);
  }

  // ---------------------------------------------------------------------------------------------------------
  // "Will it fit"

  const TERMS = [
    ['weights', 'weights', '#4269d0'],
    ['kv_cache', 'KV cache', '#efb118'],
    ['activations', 'activations', '#ff725c'],
    ['gradients', 'gradients', '#6cc5b0'],
    ['optimizer', 'optimizer', '#a463f2'],
    ['overhead', 'overhead', '#97bbf5'],
  ];

  function verdictText(j) {
    if (typeof j.verdict === 'string' && j.verdict) return j.verdict;
    const g = j.gpu || {};
    const name = (g.count > 1 ? g.count + ' x ' : '') + (g.name || 'the GPU');
    if (j.fits) return 'Fits on ' + name + ' with ' + fmtBytes(j.headroom_bytes) + ' to spare per GPU.';
    if (num(j.gpus_needed) && j.gpus_needed > (g.count || 1))
      return 'Does not fit on ' + name + ': needs ' + j.gpus_needed + ' GPUs.';
    return 'Does not fit on ' + name + ': ' + fmtBytes(-(j.headroom_bytes || 0)) + ' short per GPU.';
  }

  // Charts are drawn in the pixels they occupy (at most 600 wide), so their text keeps its size on a phone.
  function chartWidth(s) {
    const w = Math.round((s.parentNode && s.parentNode.clientWidth) || 600);
    return Math.max(280, Math.min(600, w));
  }

  function renderBar(j) {
    const s = $('bar-chart');
    for (const n of [...s.childNodes]) if (n.nodeName !== 'title') s.removeChild(n);
    const legend = $('bar-legend');
    clear(legend);
    const b = j.breakdown || {};
    const usable = num(j.gpu && j.gpu.usable_bytes) || 0;
    const total = num(j.total_bytes_per_gpu) || TERMS.reduce((a, t) => a + (num(b[t[0]]) || 0), 0);
    const W = chartWidth(s), left = 10, right = 10, top = 34, h = 36;
    s.setAttribute('viewBox', '0 0 ' + W + ' 120');
    const scale = Math.max(total, usable, 1) * 1.04;
    const x = (v) => left + ((W - left - right) * v) / scale;
    s.appendChild(svg('rect', { x: left, y: top, width: W - left - right, height: h, class: 'track' }));
    let at = 0;
    for (const [key, label, color] of TERMS) {
      const v = num(b[key]) || 0;
      if (v > 0) {
        const r = svg('rect', { x: x(at), y: top, width: Math.max(x(at + v) - x(at), 0.5), height: h, fill: color });
        r.appendChild(svg('title', {}, label + ': ' + fmtBytes(v)));
        s.appendChild(r);
      }
      at += v;
      const li = el('li');
      const sw = el('span', '', 'swatch');
      sw.style.background = color;
      li.appendChild(sw);
      li.appendChild(el('span', label + ' '));
      li.appendChild(el('strong', fmtBytes(v)));
      legend.appendChild(li);
    }
    s.appendChild(svg('text', { x: left, y: 22, class: 'label' }, 'total ' + fmtBytes(total) + ' per GPU'));
    if (usable > 0) {
      const ux = x(usable);
      s.appendChild(svg('line', { x1: ux, x2: ux, y1: top - 8, y2: top + h + 8, class: 'limit' }));
      const anchor = ux > W * 0.6 ? 'end' : 'start';
      s.appendChild(svg('text', { x: ux + (anchor === 'end' ? -4 : 4), y: top + h + 24, class: 'label limit-text', 'text-anchor': anchor },
        'usable ' + fmtBytes(usable)));
    }
  }

  function renderCurve(j) {
    const s = $('curve-chart');
    for (const n of [...s.childNodes]) if (n.nodeName !== 'title') s.removeChild(n);
    const pts = (j.curve || []).filter((p) => num(p.context) > 0 && num(p.total_bytes_per_gpu) !== null);
    const cap = $('curve-caption');
    if (pts.length < 2) {
      cap.textContent = 'No curve for this setting.';
      return;
    }
    const W = chartWidth(s), H = 260, L = 64, R = 16, T = 14, B = 40;
    s.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    const usable = num(j.gpu && j.gpu.usable_bytes) || 0;
    const xs = pts.map((p) => p.context);
    const logx = xs[xs.length - 1] / xs[0] > 16;
    const fx = logx ? Math.log2 : (v) => v;
    const x0 = fx(xs[0]), x1 = fx(xs[xs.length - 1]);
    const ymax = Math.max(usable, ...pts.map((p) => p.total_bytes_per_gpu)) * 1.08;
    const X = (c) => L + ((W - L - R) * (fx(c) - x0)) / (x1 - x0 || 1);
    const Y = (v) => T + (H - T - B) * (1 - v / ymax);
    // Axes and grid.
    for (let i = 0; i <= 4; i++) {
      const v = (ymax * i) / 4;
      s.appendChild(svg('line', { x1: L, x2: W - R, y1: Y(v), y2: Y(v), class: 'grid' }));
      s.appendChild(svg('text', { x: L - 6, y: Y(v) + 4, class: 'tick', 'text-anchor': 'end' }, fmtBytes(v).replace('.00', '')));
    }
    const step = Math.ceil(pts.length / 8);
    pts.forEach((p, i) => {
      if (i % step && i !== pts.length - 1) return;
      s.appendChild(svg('text', { x: X(p.context), y: H - B + 16, class: 'tick', 'text-anchor': 'middle' }, fmtTokens(p.context)));
    });
    s.appendChild(svg('text', { x: (L + W - R) / 2, y: H - 6, class: 'tick', 'text-anchor': 'middle' }, 'context (tokens)'));
    if (usable > 0) {
      s.appendChild(svg('line', { x1: L, x2: W - R, y1: Y(usable), y2: Y(usable), class: 'limit' }));
      s.appendChild(svg('text', { x: L + 6, y: Y(usable) - 6, class: 'label limit-text', 'text-anchor': 'start' },
        ((j.gpu && j.gpu.name) || 'GPU') + ' usable ' + fmtBytes(usable)));
    }
    s.appendChild(svg('polyline', { points: pts.map((p) => X(p.context) + ',' + Y(p.total_bytes_per_gpu)).join(' '), class: 'curve' }));
    for (const p of pts) {
      const c = svg('circle', { cx: X(p.context), cy: Y(p.total_bytes_per_gpu), r: 3.5, class: p.total_bytes_per_gpu <= usable || !usable ? 'pt ok' : 'pt bad' });
      c.appendChild(svg('title', {}, fmtTokens(p.context) + ' tokens: ' + fmtBytes(p.total_bytes_per_gpu)));
      s.appendChild(c);
    }
    const mc = num(j.max_context);
    if (mc && mc >= xs[0] && mc <= xs[xs.length - 1]) {
      s.appendChild(svg('line', { x1: X(mc), x2: X(mc), y1: T, y2: H - B, class: 'maxctx' }));
    }
    cap.textContent = mc ? 'Largest context that fits: ' + mc.toLocaleString('en-US') + ' tokens.' : '';
  }

  function renderKeyValues(title, obj) {
    const wrap = el('div');
    wrap.appendChild(el('h3', title));
    const t = el('table', null, 'grid kv');
    const tb = el('tbody');
    for (const [k, v] of Object.entries(obj)) {
      const tr = el('tr');
      tr.appendChild(el('th', k.replace(/_/g, ' ')));
      const shown = typeof v === 'number' && /bytes$/.test(k) ? fmtBytes(v) : typeof v === 'object' ? JSON.stringify(v) : String(v);
      tr.appendChild(el('td', shown));
      tb.appendChild(tr);
    }
    t.appendChild(tb);
    wrap.appendChild(t);
    return wrap;
  }

  function renderFit(j) {
    $('fit-error').hidden = true;
    $('fit-out').hidden = false;
    $('fit-out').dataset.active = '1';
    const v = $('verdict');
    v.textContent = verdictText(j);
    v.className = 'verdict ' + (j.fits ? 'ok' : 'bad');
    const sug = $('suggestions');
    clear(sug);
    for (const s of j.suggestions || []) {
      const li = el('li');
      li.appendChild(el('span', s.change + ' → '));
      li.appendChild(el('strong', fmtBytes(s.total_bytes_per_gpu)));
      li.appendChild(el('span', s.fits ? ' ✓ fits' : ' ✗ still too big', s.fits ? 'ok-text' : 'error-text'));
      sug.appendChild(li);
    }
    renderBar(j);
    renderCurve(j);
    const eng = $('engine-out');
    clear(eng);
    if (j.vllm && typeof j.vllm === 'object') eng.appendChild(renderKeyValues('vLLM start-up', j.vllm));
    if (j.llamacpp && typeof j.llamacpp === 'object') eng.appendChild(renderKeyValues('llama.cpp', j.llamacpp));
    const as = $('assumptions');
    clear(as);
    const list = Array.isArray(j.assumptions) ? j.assumptions : Object.entries(j.assumptions || {}).map(([k, x]) => k + ': ' + (typeof x === 'object' ? JSON.stringify(x) : x));
    for (const a of list) as.appendChild(el('li', a));
  }

  // GPUs needed per dtype and workload (the community Space's table), one fit per cell.
  const NEEDED_ROWS = [
    ['float32', { dtype: 'float32' }],
    ['bfloat16', { dtype: 'bfloat16' }],
    ['int8', { quantization: 'bnb-int8' }],
    ['int4', { quantization: 'bnb-nf4' }],
  ];
  function neededCell(res) {
    if (!res) return el('td', 'n/a', 'na');
    if (!res.ok) {
      const td = el('td', '—', 'na');
      td.title = (res.body && res.body.error) || '';
      return td;
    }
    const n = num(res.body.gpus_needed);
    const td = el('td', n === null ? '—' : (n <= 1 ? '✓ ' : n === 2 ? '! ' : '✗ ') + n);
    td.className = n === null ? 'na' : n <= 1 ? 'ok-text' : n === 2 ? 'warn-text' : 'error-text';
    return td;
  }
  function renderNeeded(cells) {
    const tb = $('needed-table').tBodies[0];
    clear(tb);
    NEEDED_ROWS.forEach(([label], i) => {
      const tr = el('tr');
      tr.appendChild(el('th', label));
      for (const res of cells[i]) tr.appendChild(neededCell(res));
      tb.appendChild(tr);
    });
  }
  async function runNeeded(base) {
    const jobs = NEEDED_ROWS.map(([label, extra]) => {
      const quant = !!extra.quantization;
      const work = [{}, quant ? null : { train: 'full', optimizer: 'adamw' }, { train: label === 'int4' ? 'qlora' : 'lora' }];
      return Promise.all(work.map((w) => {
        if (!w) return null;
        const q = new URLSearchParams(base);
        for (const k of ['context', 'batch', 'kv_dtype', 'train', 'optimizer', 'seq_len', 'lora_rank', 'zero', 'gpus']) q.delete(k);
        for (const [k, v] of Object.entries(Object.assign({}, w.train === 'qlora' ? {} : extra, w))) q.set(k, v);
        return api('/api/fit', q);
      }));
    });
    renderNeeded(await Promise.all(jobs));
  }

  function renderSearch(j) {
    const list = $('fits-list');
    clear(list);
    $('search-out').hidden = false;
    $('search-error').hidden = true;
    const items = Array.isArray(j) ? j : j.results || j.models || [];
    if (!items.length) list.appendChild(el('li', 'No catalog or cached model fits this setting.'));
    for (const it of items) {
      const li = el('li');
      const b = el('button', it.model || it.id || '?', 'linklike');
      b.type = 'button';
      b.addEventListener('click', () => {
        $('model').value = it.model || it.id || '';
        go(true);
      });
      li.appendChild(b);
      const parts = [];
      if (num(it.total_bytes_per_gpu) !== null) parts.push(fmtBytes(it.total_bytes_per_gpu) + ' per GPU');
      if (num(it.headroom_bytes) !== null) parts.push(fmtBytes(it.headroom_bytes) + ' to spare');
      if (num(it.parameters) !== null) parts.push(it.parameters >= 1e9 ? (it.parameters / 1e9).toFixed(2) + 'B parameters'
                                                                   : (it.parameters / 1e6).toFixed(1) + 'M parameters');
      li.appendChild(el('span', ' ' + parts.join(' · '), 'muted'));
      list.appendChild(li);
    }
  }

  async function runFit() {
    $('fit-error').hidden = true;
    const model = $('model').value.trim();
    const fp = fitParams();
    if (!model) {
      showError('fit-error', { status: 0, body: { error: 'enter a model in "How much memory" first' } });
      return;
    }
    if (!fp.get('gpu') && !fp.get('gpu_memory')) {
      showError('fit-error', { status: 0, body: { error: 'pick a GPU or a custom memory size' } });
      return;
    }
    const p = new URLSearchParams(fp);
    p.set('model', model);
    if ($('library_name').value) p.set('library_name', $('library_name').value);
    const res = await call('fit', '/api/fit', p);
    if (res.ok) {
      renderFit(res.body);
      runNeeded(p);
    }
    const sp = new URLSearchParams(fp);
    sp.set('limit', '20');
    const sr = await api('/api/search', sp);
    if (sr.ok) {
      $('search-error').hidden = true;
      renderSearch(sr.body);
    } else {
      $('search-out').hidden = false;
      clear($('fits-list'));
      showError('search-error', sr);
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // GPU picker

  let GPUS = [];
  function fillGpus() {
    const sel = $('gpu');
    const keep = sel.value;
    clear(sel);
    sel.appendChild(el('option', 'choose a GPU…')).value = '';
    const vendor = $('vendor').value;
    const groups = new Map();
    for (const g of GPUS) {
      if (vendor && g.vendor !== vendor) continue;
      if (!groups.has(g.vendor)) groups.set(g.vendor, []);
      groups.get(g.vendor).push(g);
    }
    for (const [v, list] of groups) {
      const og = document.createElement('optgroup');
      og.label = v;
      for (const g of list) {
        const o = el('option', g.name + ' (' + fmtBytes(g.memory_bytes).replace('.00', '') + ')');
        o.value = g.name;
        og.appendChild(o);
      }
      sel.appendChild(og);
    }
    sel.appendChild(el('option', 'custom memory…')).value = '__custom__';
    setSelect(sel, keep);
    syncForm();
  }
  async function loadGpus() {
    const res = await api('/api/gpus');
    GPUS = res.ok && Array.isArray(res.body) ? res.body : [];
    const vendors = [...new Set(GPUS.map((g) => g.vendor))];
    for (const v of vendors) $('vendor').appendChild(el('option', v)).value = v;
    fillGpus();
  }
  async function loadCatalog() {
    const res = await api('/api/catalog');
    const dl = $('catalog');
    if (!res.ok || !Array.isArray(res.body)) return;
    for (const c of res.body) dl.appendChild(el('option')).value = c.id;
  }

  // ---------------------------------------------------------------------------------------------------------

  async function go(withFit) {
    saveURL();
    const ok = await runEstimate();
    if (ok && (withFit || $('fit-out').dataset.active === '1') && ($('gpu').value || $('gpu_memory').value)) await runFit();
    saveURL();
  }

  async function init() {
    await Promise.all([loadGpus(), loadCatalog(), api('/healthz').then((r) => { if (r.ok) $('version').textContent = r.body.version; })]);
    const todo = restoreFromURL();
    $('estimate-form').addEventListener('submit', (e) => {
      e.preventDefault();
      go(false);
    });
    $('fit-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      $('fit-out').dataset.active = '1';
      saveURL();
      if ($('estimate-out').hidden) await runEstimate();
      await runFit();
      saveURL();
    });
    $('vendor').addEventListener('change', fillGpus);
    $('gpu').addEventListener('change', syncForm);
    for (const r of document.querySelectorAll('input[name=mode]')) r.addEventListener('change', syncForm);
    $('publish-btn').addEventListener('click', publish);
    if (todo.estimate) {
      if (todo.fit) $('fit-out').dataset.active = '1';
      await go(todo.fit);
    }
    document.body.dataset.ready = '1';
  }

  window.memfitPage = { renderEstimate, renderFit, renderNeeded, renderSearch, fmtBytes };
  document.addEventListener('DOMContentLoaded', init);
})();
