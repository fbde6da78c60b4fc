// The whole journey of a dossier in a real browser, with the demo data and
// accounts: a citizen on a phone, with JavaScript turned off, finds birth
// registration (1.001193) by typing without diacritics, applies with a PDF
// made here, the desk accepts and assigns it, the specialist asks for a
// supplement, the citizen supplies it, the specialist proposes, the leader
// approves, and the citizen downloads the signed result and checks it on
// the verification page. Then axe-core checks the pages on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { startServer, launchBrowser } from './server.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const PROCEDURE = '1.001193';
const CITIZEN = { login: '001203012345', password: 'demo-congdan-2025' };
const DESK = { login: 'tiepnhan@hanoi.egov.example', password: 'demo-tiepnhan-2025' };
const SPECIALIST = { login: 'chuyenvien@hanoi.egov.example', password: 'demo-chuyenvien-2025' };
const LEADER = { login: 'lanhdao@hanoi.egov.example', password: 'demo-lanhdao-2025' };

let server;
let browser;
/** The dossier the journey filed, for the accessibility checks after it. */
let code;
/** The pages the journey went through (paths), checked with axe afterwards. */
const visited = { citizen: new Set(), official: new Set() };

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A small but well-formed one-page PDF, made here. */
function pdf(text) {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const stream = `BT /F1 18 Tf 72 760 Td (${text}) Tj ET`;
  objects[3] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** Clicks and waits for the page that answers (a form POST and its redirect). */
async function submit(page, selector) {
  const [response] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return response;
}

async function signIn(page, who) {
  await page.goto(server.baseUrl + '/dang-nhap');
  await page.fill('input[name="login"]', who.login);
  await page.fill('input[name="password"]', who.password);
  await submit(page, 'form[data-form="sign-in"] button[type="submit"]');
  assert.doesNotMatch(new URL(page.url()).pathname, /^\/dang-nhap/, `${who.login} signed in`);
}

/** A new phone-sized context; `js` false turns JavaScript off. */
async function phone({ js = true } = {}) {
  return browser.newContext({
    viewport: { width: 360, height: 800 },
    locale: 'vi-VN',
    javaScriptEnabled: js,
    acceptDownloads: true,
  });
}

async function noOverflow(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what} is ${overflow}px wider than a 360px screen`);
}

async function axeViolations(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** axe-core on `path` as `who` sees it now, in a JavaScript-enabled context. */
async function axeNow(who, path) {
  // The pages' CSP forbids inline scripts; let the test inject axe anyway.
  const context = await browser.newContext({ bypassCSP: true, locale: 'vi-VN', viewport: { width: 360, height: 800 } });
  const page = await context.newPage();
  await signIn(page, who);
  const response = await page.goto(server.baseUrl + path);
  assert.equal(response.status(), 200, path);
  await noOverflow(page, path);
  assert.deepEqual(await axeViolations(page), [], `accessibility violations on ${path} for ${who.login}`);
  await context.close();
}

/** An official acts on the dossier through its page. */
async function officialActs(who, action, fill = async () => {}) {
  const context = await phone({ js: false });
  const page = await context.newPage();
  await signIn(page, who);
  await page.goto(`${server.baseUrl}/ho-so/${code}`);
  visited.official.add(`/ho-so/${code}`);
  const form = `section#act-${action} form`;
  assert.ok(await page.locator(form).count(), `${who.login} may ${action}: ${await page.locator('main').innerText()}`);
  await fill(page);
  const response = await submit(page, `${form} button[type="submit"]`);
  assert.equal(response.status(), 200, `${action} answered ${response.status()}`);
  assert.match(page.url(), new RegExp(`\\?done=${action}`), `${action} went through: ${await page.locator('main').innerText()}`);
  await context.close();
}

test('a citizen applies without JavaScript and officials process the dossier to a signed result', async () => {
  // The citizen, on a phone, with JavaScript off.
  const context = await phone({ js: false });
  const page = await context.newPage();
  await page.goto(server.baseUrl + '/');
  await page.fill('input[name="q"]', 'dang ky khai sinh');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/thu-tuc\?/);
  const link = page.locator(`main a[href="/thu-tuc/${PROCEDURE}"]`);
  assert.equal(await link.count(), 1, 'birth registration is found by an unaccented search');
  await Promise.all([page.waitForNavigation(), link.click()]);
  const apply = page.locator(`main a[href="/nop-ho-so/${PROCEDURE}"]`);
  assert.equal(await apply.count(), 1, 'the procedure page offers to apply online');
  await Promise.all([page.waitForNavigation(), apply.click()]);
  assert.match(new URL(page.url()).pathname, /^\/dang-nhap/, 'signing in comes first');
  await page.fill('input[name="login"]', CITIZEN.login);
  await page.fill('input[name="password"]', CITIZEN.password);
  await submit(page, 'form[data-form="sign-in"] button[type="submit"]');
  assert.equal(new URL(page.url()).pathname, `/nop-ho-so/${PROCEDURE}`, 'and comes back to the application');
  visited.citizen.add(`/nop-ho-so/${PROCEDURE}`);
  await submit(page, 'main form button[type="submit"]');
  const draft = new URL(page.url()).pathname;
  assert.match(draft, /^\/ho-so-nhap\//);
  visited.citizen.add(draft);

  // Submitting an empty form lists what is missing, each linked to its field.
  await submit(page, 'button[name="action"][value="submit"]');
  const summary = page.locator('.error-summary');
  assert.ok(await summary.count(), 'an error summary');
  assert.ok(await summary.locator('a[href="#f-child_name"]').count(), 'linked to the child name field');
  assert.equal(await page.getAttribute('#f-child_name', 'aria-invalid'), 'true');

  // Fill in the form and attach the medical birth certificate.
  await page.check('#f-relationship-0');
  await page.fill('#f-child_name', 'Nguyễn Minh Khang');
  await page.fill('#f-child_birth_date', '2025-10-02');
  await page.check('#f-child_sex-0');
  await page.fill('#f-child_ethnicity', 'Kinh');
  await page.fill('#f-child_birth_place', '00004');
  await page.fill('#f-mother_name', 'Trần Thị Mai');
  await page.fill('#f-mother_id', '001303012346');
  await page.setInputFiles('#file-birth_certificate', {
    name: 'giay-chung-sinh.pdf', mimeType: 'application/pdf', buffer: pdf('Giay chung sinh'),
  });
  await submit(page, 'div.document:has(#file-birth_certificate) button[value="upload"]');
  assert.match(page.url(), /done=uploaded/, await page.locator('main').innerText());
  assert.match(await page.locator('main').innerText(), /giay-chung-sinh\.pdf/);
  assert.equal(await page.inputValue('#f-child_name'), 'Nguyễn Minh Khang', 'the values were saved with the upload');
  await submit(page, 'button[name="action"][value="submit"]');
  assert.match(new URL(page.url()).pathname, /^\/ho-so\/.+\/da-nop$/, await page.locator('main').innerText());
  code = (await page.locator('.code-big').innerText()).trim();
  assert.match(code, /^000\.00\.01\.H01-\d{6}-\d{4,}$/, `a national dossier code: ${code}`);
  visited.citizen.add(new URL(page.url()).pathname);
  visited.citizen.add('/ho-so');
  visited.citizen.add(`/ho-so/${code}`);

  // The desk accepts it from the inbox, then assigns the specialist.
  {
    const desk = await phone({ js: false });
    const p = await desk.newPage();
    await signIn(p, DESK);
    await p.goto(server.baseUrl + '/hop-ho-so');
    assert.match(await p.locator('main').innerText(), new RegExp(code.replace(/\./g, '\\.')), 'the dossier is in the inbox');
    visited.official.add('/hop-ho-so');
    await desk.close();
  }
  // The desk's page before intake: accept, refuse, message.
  await axeNow(DESK, `/ho-so/${code}`);
  await officialActs(DESK, 'accept');
  await officialActs(DESK, 'assign', async (p) => {
    const options = await p.locator('#assign-specialist option').allInnerTexts();
    assert.ok(options.length > 1, `a specialist to choose: ${options}`);
    await p.selectOption('#assign-specialist', { index: 1 });
  });
  await officialActs(SPECIALIST, 'request-supplement', async (p) => {
    await p.fill('#request-supplement-reason', 'Giấy chứng sinh chưa rõ dấu của cơ sở y tế; xin nộp lại bản rõ.');
  });

  // The citizen sees the request and supplies a clearer copy.
  await axeNow(CITIZEN, `/ho-so/${code}`);
  await page.goto(`${server.baseUrl}/ho-so/${code}`);
  assert.match(await page.locator('main').innerText(), /chưa rõ dấu/);
  await page.setInputFiles('#supplement-file-birth_certificate', {
    name: 'giay-chung-sinh-ro.pdf', mimeType: 'application/pdf', buffer: pdf('Giay chung sinh - ban ro'),
  });
  await page.fill('#supplement-note', 'Đã nộp lại bản rõ.');
  await submit(page, 'section#act-supplement button[value="send"]');
  assert.match(page.url(), /done=supplement/, await page.locator('main').innerText());

  await officialActs(SPECIALIST, 'propose', async (p) => {
    await p.fill('#propose-note', 'Hồ sơ đủ điều kiện đăng ký khai sinh.');
  });
  await officialActs(LEADER, 'approve');

  // The citizen downloads the signed result and checks it.
  await page.goto(`${server.baseUrl}/ho-so/${code}`);
  const download = async (label) => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.click(`main a:has-text("${label}")`)]);
    return { name: file.suggestedFilename(), path: await file.path() };
  };
  const result = await download('Kết quả giải quyết (PDF)');
  const signature = await download('Chữ ký số của kết quả (.p7s)');
  assert.ok(readFileSync(result.path).subarray(0, 5).equals(Buffer.from('%PDF-')), 'the result is a PDF');
  await page.goto(server.baseUrl + '/kiem-tra-chu-ky');
  await page.setInputFiles('#document', result.path);
  await page.setInputFiles('#signature', signature.path);
  await submit(page, 'main form button[type="submit"]');
  const verdict = await page.locator('main').innerText();
  assert.match(verdict, /Chữ ký hợp lệ/, verdict);
  await page.goto(server.baseUrl + '/thong-bao');
  assert.match(await page.locator('main').innerText(), new RegExp(code.replace(/\./g, '\\.')));
  visited.citizen.add('/thong-bao');
  await context.close();

  // Anyone can follow it by code, with no personal data.
  const visitor = await phone();
  const lookup = await visitor.newPage();
  await lookup.goto(server.baseUrl + '/tra-cuu');
  await lookup.fill('#ma', code);
  await submit(lookup, 'main form button[type="submit"]');
  assert.equal(new URL(lookup.url()).pathname, `/tra-cuu/${code}`);
  const status = await lookup.locator('main').innerText();
  assert.match(status, /mã trạng thái 9/, status);
  assert.doesNotMatch(status, /Nguyễn Văn An|Nguyễn Minh Khang|001203012345/, 'no personal data');
  await visitor.close();
});

test('the dossier pages meet WCAG 2.2 AA checks (axe-core)', async () => {
  assert.ok(code, 'the journey filed a dossier');
  const check = async (who, paths) => {
    // The pages' CSP forbids inline scripts; let the test inject axe anyway.
    const context = await browser.newContext({ bypassCSP: true, locale: 'vi-VN', viewport: { width: 360, height: 800 } });
    const page = await context.newPage();
    if (who) await signIn(page, who);
    for (const path of paths) {
      const response = await page.goto(server.baseUrl + path);
      assert.equal(response.status(), 200, path);
      await noOverflow(page, path);
      assert.deepEqual(await axeViolations(page), [], `accessibility violations on ${path}`);
    }
    await context.close();
  };
  await check(null, [`/thu-tuc/${PROCEDURE}`, '/tra-cuu', `/tra-cuu/${code}`, '/kiem-tra-chu-ky']);
  await check(CITIZEN, [...visited.citizen].filter((p) => !p.startsWith('/ho-so-nhap/')));
  // A fresh draft: the application form, then with its errors.
  {
    const context = await browser.newContext({ bypassCSP: true, locale: 'vi-VN', viewport: { width: 360, height: 800 } });
    const page = await context.newPage();
    await signIn(page, CITIZEN);
    await page.goto(`${server.baseUrl}/nop-ho-so/${PROCEDURE}`);
    await submit(page, 'main form button[type="submit"]');
    await noOverflow(page, 'the application form');
    assert.deepEqual(await axeViolations(page), [], 'accessibility violations on the application form');
    await submit(page, 'button[name="action"][value="submit"]');
    assert.ok(await page.locator('.error-summary').count());
    assert.deepEqual(await axeViolations(page), [], 'accessibility violations on the form with errors');
    await context.close();
  }
  await check(DESK, [...visited.official]);
});
