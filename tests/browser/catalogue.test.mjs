// Journeys through the catalogue pages in a real browser (Debian's chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { startServer, launchBrowser } from './server.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function axeViolations(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('a citizen on a phone finds a procedure by typing without diacritics', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
  const page = await context.newPage();
  await page.goto(server.baseUrl + '/');
  assert.equal(await page.getAttribute('html', 'lang'), 'vi');
  await page.fill('input[name="q"]', 'dang ky khai sinh');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/thu-tuc\?/);
  const first = page.locator('main a[href^="/thu-tuc/"]').first();
  assert.match(await first.innerText(), /khai sinh/i);
  await first.click();
  await page.waitForURL(/\/thu-tuc\/[0-9A-Za-z.]+/);
  const heading = await page.locator('h1').innerText();
  assert.match(heading, /khai sinh/i);
  // Nothing is wider than the phone's screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than a 360px screen`);
  await context.close();
});

test('search works with JavaScript turned off', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(server.baseUrl + '/');
  await page.fill('input[name="q"]', 'giay phep lai xe');
  await page.keyboard.press('Enter');
  await page.waitForURL(/q=giay/);
  const text = await page.locator('main').innerText();
  assert.match(text, /giấy phép lái xe/i);
  await context.close();
});

test('the keyboard reaches the search box through the skip link, with a visible focus', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.baseUrl + '/');
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => ({
    text: document.activeElement?.textContent?.trim(),
    href: document.activeElement?.getAttribute('href'),
    outline: getComputedStyle(document.activeElement).outlineStyle,
  }));
  assert.ok(skip.href?.startsWith('#'), `first Tab stop should be the skip link, got ${JSON.stringify(skip)}`);
  assert.notEqual(skip.outline, 'none', 'focused link must show an outline');
  await context.close();
});

test('pages switch to English and keep the choice', async () => {
  const context = await browser.newContext({ locale: 'vi-VN' });
  const page = await context.newPage();
  await page.goto(server.baseUrl + '/?lang=en');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.goto(server.baseUrl + '/thu-tuc?q=can+cuoc');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await context.close();
});

test('pages meet WCAG 2.2 AA checks (axe-core)', async () => {
  // The pages' CSP forbids inline scripts; let the test inject axe anyway.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  for (const path of ['/', '/thu-tuc?q=ho+chieu', '/thu-tuc/1.001193', '/don-vi-hanh-chinh', '/don-vi-hanh-chinh?parent=01']) {
    const response = await page.goto(server.baseUrl + path);
    assert.equal(response.status(), 200, path);
    assert.deepEqual(await axeViolations(page), [], `accessibility violations on ${path}`);
  }
  await context.close();
});

test('a long procedure page stays light on a slow connection', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  let transferred = 0;
  page.on('requestfinished', async (request) => {
    const sizes = await request.sizes();
    transferred += sizes.responseBodySize + sizes.responseHeadersSize;
  });
  await page.goto(server.baseUrl + '/thu-tuc/1.001193', { waitUntil: 'load' });
  await page.waitForTimeout(200);
  assert.ok(transferred > 0, 'measured something');
  assert.ok(transferred < 30 * 1024, `the page and its assets weigh ${transferred} bytes over the wire`);
  await context.close();
});

test('an unknown procedure gives a helpful 404 page', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const response = await page.goto(server.baseUrl + '/thu-tuc/9.999999');
  assert.equal(response.status(), 404);
  assert.ok((await page.locator('main a[href="/"]').count()) > 0, 'a 404 page links back home');
  await context.close();
});
