// A citizen registers on a phone, verifies the e-mail with the code the
// outbox sends (in demo mode: written to the server log), sees the account,
// lists the sessions and logs out everywhere.
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

async function codeSentTo(channel) {
  // The outbox worker runs every few seconds.
  for (let i = 0; i < 60; i++) {
    const m = server.log().match(new RegExp(`channel=${channel}[^\\n]*?là (\\d{6})`));
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no ${channel} code in the server log`);
}

test('register, verify the e-mail, see the account and log out everywhere', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 800 }, locale: 'vi-VN' });
  const page = await context.newPage();
  await page.goto(server.baseUrl + '/dang-ky');
  await page.fill('#national_id', '079185000001');
  await page.fill('#full_name', 'Trần Thị Bình');
  await page.fill('#date_of_birth', '1985-03-04');
  await page.selectOption('#sex', 'female');
  await page.fill('#email', 'binh.tran@example.vn');
  await page.fill('#phone', '0987 654 321');
  await page.fill('#password', 'mat-khau-rat-dai-2026');
  await Promise.all([page.waitForNavigation(), page.click('main form button[type="submit"]')]);
  assert.match(new URL(page.url()).pathname, /^\/xac-minh/);

  await page.fill('#verify-email-code', await codeSentTo('Email'));
  await Promise.all([page.waitForNavigation(), page.click('form[action="/xac-minh"]:has(#verify-email-code) button[type="submit"]')]);

  await page.goto(server.baseUrl + '/tai-khoan');
  const account = await page.locator('main').innerText();
  assert.match(account, /Trần Thị Bình/);
  assert.match(account, /binh\.tran@example\.vn/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `account page is ${overflow}px wider than the screen`);

  await page.goto(server.baseUrl + '/tai-khoan/phien');
  assert.ok((await page.locator('main table tbody tr').count()) >= 1, 'the current session is listed');
  await Promise.all([
    page.waitForNavigation(),
    page.click('form[action="/tai-khoan/phien/dang-xuat-tat-ca"] button[type="submit"]'),
  ]);
  await page.goto(server.baseUrl + '/tai-khoan');
  assert.match(new URL(page.url()).pathname, /^\/dang-nhap/, 'signed out everywhere: the account page asks to sign in');
  await context.close();
});

test('a wrong password and an unknown account get the same answer', async () => {
  const context = await browser.newContext({ locale: 'vi-VN' });
  const page = await context.newPage();
  const attempt = async (login) => {
    await page.goto(server.baseUrl + '/dang-nhap');
    await page.fill('input[name="login"]', login);
    await page.fill('input[name="password"]', 'khong-dung-mat-khau');
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.click('form[data-form="sign-in"] button[type="submit"]'),
    ]);
    return { status: response.status(), text: await page.locator('main').innerText() };
  };
  const wrong = await attempt('001203012345');
  const unknown = await attempt('001199000000');
  assert.equal(wrong.status, unknown.status);
  assert.equal(wrong.text.replace(/\d{12}/g, ''), unknown.text.replace(/\d{12}/g, ''));
  await context.close();
});

test('identity pages meet WCAG 2.2 AA checks (axe-core)', async () => {
  const context = await browser.newContext({ bypassCSP: true, locale: 'vi-VN' });
  const page = await context.newPage();
  for (const path of ['/dang-nhap', '/dang-ky', '/quen-mat-khau']) {
    await page.goto(server.baseUrl + path);
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () =>
      // eslint-disable-next-line no-undef
      axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
    const violations = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    assert.deepEqual(violations, [], `accessibility violations on ${path}`);
  }
  await context.close();
});
