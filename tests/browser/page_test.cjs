// The browser test of `memfit serve`'s page, in headless Chromium driven by playwright-core. Started by
// src/serve/browser_test.cpp, which runs the server and the stand-in Hub and passes:
//   MEMFIT_URL (the page), HUB_URL (the stand-in Hub), PLAYWRIGHT (playwright-core's folder), CHROMIUM (the browser),
//   FIT_SAMPLE (a fit answer for the renderers), OUT_DIR (screenshots), WRITE_TOKEN (a token the Hub accepts).
// Every check that fails is printed; the exit status is the number of failures (0: all passed).
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require(process.env.PLAYWRIGHT);

const BASE = process.env.MEMFIT_URL;
const OUT = process.env.OUT_DIR;
let failures = 0;
function check(cond, what, detail) {
  if (cond) console.log('ok   ' + what);
  else {
    failures++;
    console.log('FAIL ' + what + (detail !== undefined ? ': ' + JSON.stringify(detail) : ''));
  }
}

async function ready(page) {
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15000 });
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--font-render-hinting=none'],
  });
  const errors = [];
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text());
  });

  // 1. Enter bert-base-cased with the keyboard, see accelerate's table.
  await page.goto(BASE + '/');
  await ready(page);
  const options = await page.$$eval('#catalog option', (os) => os.map((o) => o.value));
  check(options.includes('bert-base-cased') && options.length > 100, 'catalog autocomplete lists the bundled models', options.length);
  await page.focus('#model');
  await page.keyboard.type('bert-base-cased');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('estimate-table').textContent.includes('413.18 MB'), null, { timeout: 15000 });
  const table = await page.textContent('#estimate-table');
  check(table.includes('│float32│   86.47 MB  │413.18 MB │      1.61 GB      │'), 'the table shows 413.18 MB as the CLI prints it', table);
  const stage = await page.$$eval('#stages-table tbody tr:first-child > *', (c) => c.map((x) => x.textContent));
  check(JSON.stringify(stage) === JSON.stringify(['float32', '413.18 MB', '826.36 MB', '826.36 MB', '1.61 GB']), 'training stages row', stage);
  await page.waitForFunction(() => document.querySelectorAll('#whatif-table tbody tr').length === 7, null, { timeout: 15000 });
  const whatif = await page.$$eval('#whatif-table tbody tr:nth-child(2) > *', (c) => c.map((x) => x.textContent));
  check(whatif[0] === 'bnb-nf4' && /MiB$/.test(whatif[1]), 'quantized what-ifs', whatif);

  // 2. Pick a GPU and a context; the API's answer (a verdict, or its error while fit is unavailable) is shown.
  await page.selectOption('#gpu', 'RTX-4090');
  await page.fill('#context', '8192');
  await page.click('#fit-btn');
  const api = await page.evaluate(async () => {
    const r = await fetch('/api/fit?model=bert-base-cased&gpu=RTX-4090&context=8192');
    return { status: r.status, body: await r.json() };
  });
  if (api.status === 200) {
    await page.waitForSelector('#fit-out:not([hidden])', { timeout: 15000 });
    const verdict = await page.textContent('#verdict');
    check(verdict.length > 10, 'a verdict in words', verdict);
    check((await page.$$('#bar-chart rect')).length >= 2, 'the stacked bar is drawn');
    check((await page.$$('#curve-chart polyline')).length === 1, 'the memory-versus-context curve is drawn');
    await page.waitForFunction(() => document.querySelectorAll('#needed-table tbody tr').length === 4, null, { timeout: 15000 });
  } else {
    await page.waitForSelector('#fit-error:not([hidden])', { timeout: 15000 });
    const err = await page.textContent('#fit-error');
    check(err === api.body.error + ' (HTTP ' + api.status + ')', 'fit unavailable: its error is shown, nothing else', err);
  }
  await page.waitForSelector('#search-out:not([hidden])', { timeout: 15000 });
  const url = new URL(page.url());
  check(url.searchParams.get('model') === 'bert-base-cased' && url.searchParams.get('gpu') === 'RTX-4090' &&
        url.searchParams.get('context') === '8192', 'the state is in the URL', page.url());
  await page.screenshot({ path: path.join(OUT, 'page_desktop.png'), fullPage: true });

  // 3. Reload from the URL: the same state.
  await page.reload();
  await ready(page);
  const restored = await page.evaluate(() => ({
    model: document.getElementById('model').value,
    gpu: document.getElementById('gpu').value,
    context: document.getElementById('context').value,
    table: document.getElementById('estimate-table').textContent,
  }));
  check(restored.model === 'bert-base-cased' && restored.gpu === 'RTX-4090' && restored.context === '8192' &&
        restored.table === table, 'reloading the URL restores the same state', restored);

  // 4. The renderers on a fit answer: verdict, suggestions, stacked bar against the usable line, curve with its
  //    GPU line, GPUs needed, models that fit.
  const sample = JSON.parse(fs.readFileSync(process.env.FIT_SAMPLE, 'utf8'));
  await page.evaluate((s) => {
    window.memfitPage.renderFit(s);
    const cell = (n) => ({ ok: true, status: 200, body: { gpus_needed: n } });
    const err = { ok: false, status: 422, body: { error: 'not applicable' } };
    window.memfitPage.renderNeeded([[cell(1), cell(2), cell(1)], [cell(1), cell(3), cell(1)], [cell(1), null, cell(1)], [cell(1), null, err]]);
    window.memfitPage.renderSearch([{ model: 'meta-llama/Llama-3.2-3B', total_bytes_per_gpu: 8e9, headroom_bytes: 15e9, fits: true }]);
  }, sample);
  const r = await page.evaluate(() => ({
    verdict: document.getElementById('verdict').textContent,
    verdictClass: document.getElementById('verdict').className,
    suggestions: [...document.querySelectorAll('#suggestions li')].map((l) => l.textContent),
    bars: [...document.querySelectorAll('#bar-chart rect[fill]')].length,
    limit: document.querySelectorAll('#bar-chart line.limit').length,
    legend: [...document.querySelectorAll('#bar-legend li')].map((l) => l.textContent),
    points: document.querySelectorAll('#curve-chart circle').length,
    over: document.querySelectorAll('#curve-chart circle.bad').length,
    gpuLine: [...document.querySelectorAll('#curve-chart text')].map((t) => t.textContent).filter((t) => t.includes('usable')),
    caption: document.getElementById('curve-caption').textContent,
    needed: [...document.querySelectorAll('#needed-table tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent)),
    fits: [...document.querySelectorAll('#fits-list li')].map((l) => l.textContent),
  }));
  check(r.verdict === sample.verdict && r.verdictClass === 'verdict ok', 'the verdict', r.verdict);
  check(r.suggestions.length === 2 && r.suggestions[1].includes('✗'), 'the suggestions with their totals', r.suggestions);
  check(r.bars === 4 && r.limit === 1, 'the stacked bar: four non-zero terms and the usable line', r);
  check(r.legend[0] === 'weights 14.96 GiB', 'the legend in GiB', r.legend);
  check(r.points === 8 && r.over === 2, 'the curve: 8 context points, 2 above the GPU', r);
  check(r.gpuLine.length === 1 && r.gpuLine[0] === 'RTX-4090 usable 23.65 GiB', "the GPU's line on the curve", r.gpuLine);
  check(r.caption === 'Largest context that fits: 39,569 tokens.', 'the largest context', r.caption);
  check(JSON.stringify(r.needed[1]) === JSON.stringify(['bfloat16', '✓ 1', '✗ 3', '✓ 1']) && r.needed[3][3] === '—',
        'GPUs needed per dtype', r.needed);
  check(r.fits.length === 1 && r.fits[0].startsWith('meta-llama/Llama-3.2-3B'), 'models that fit', r.fits);
  await page.screenshot({ path: path.join(OUT, 'page_desktop_fit_sample.png'), fullPage: true });

  // 5. Publish against the stand-in Hub with the user's token: the discussion's link.
  await page.fill('#token', process.env.WRITE_TOKEN);
  await page.click('#publish-btn');
  await page.waitForSelector('#publish-link', { timeout: 15000 });
  const link = await page.getAttribute('#publish-link', 'href');
  check(link === process.env.HUB_URL + '/bert-base-cased/discussions/1', 'publishing shows the discussion link', link);
  check(!page.url().includes(process.env.WRITE_TOKEN), 'the token never enters the URL', page.url());

  // 6. Hostile input is shown as text, never run as markup.
    await page.goto(BASE + "/?model=" + encodeURIComponent("<img/src=x/onerror=window.__pwned=1>"));
  await ready(page);
  await page.waitForSelector('#estimate-error:not([hidden])', { timeout: 15000 });
  const hostile = await page.evaluate(() => ({ pwned: window.__pwned === 1, imgs: document.querySelectorAll('img').length,
                                               text: document.getElementById('estimate-error').textContent }));
  check(!hostile.pwned && hostile.imgs === 0 && hostile.text.includes('<img'), 'a model id cannot inject markup', hostile);

  // 7. Phone width: the same link, no sideways scrolling.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  const pp = await phone.newPage();
  pp.on('pageerror', (e) => errors.push(String(e)));
  await pp.goto(BASE + '/?model=bert-base-cased&gpu=RTX-4090&context=8192');
  await ready(pp);
  await pp.waitForFunction(() => document.getElementById('estimate-table').textContent.includes('413.18 MB'), null, { timeout: 15000 });
  await pp.evaluate((s) => window.memfitPage.renderFit(s), sample);
  const width = await pp.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 390, 'phone width: nothing wider than the screen', width);
  await pp.screenshot({ path: path.join(OUT, 'page_phone.png'), fullPage: true });

  check(errors.length === 0, 'no script errors', errors);
  await browser.close();
}

main().then(
  () => process.exit(Math.min(failures, 100)),
  (e) => {
    console.log('FAIL ' + (e && e.stack ? e.stack : e));
    process.exit(101);
  },
);
