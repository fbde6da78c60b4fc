// A real OpenID Connect client library (openid-client, not this project's
// code) signs a demo citizen in through egov: discovery, authorization code
// with PKCE S256, id_token verified against the JWKS, userinfo, refresh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as oidc from 'openid-client';
import { startServer, launchBrowser } from './server.mjs';

// The demo citizen listed in the README (created only by --demo).
const CITIZEN_LOGIN = '001203012345';
const CITIZEN_PASSWORD = process.env.EGOV_DEMO_CITIZEN_PASSWORD ?? 'demo-congdan-2025';

let server;
let browser;
let callback;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // The relying party's loopback redirect target (RFC 8252: any port).
  callback = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('signed in');
  });
  await new Promise((resolve) => callback.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  callback?.close();
  await browser?.close();
  await server?.stop();
});

test('openid-client completes code + PKCE, verifies the id_token, reads userinfo and refreshes', async () => {
  const config = await oidc.discovery(new URL(server.baseUrl), 'egov-demo', undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  const redirectUri = `http://127.0.0.1:${callback.address().port}/callback`;
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile national_id',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });

  const context = await browser.newContext({ locale: 'vi-VN' });
  const page = await context.newPage();
  await page.goto(url.href);
  // Not signed in: egov asks for the national ID number and password first.
  await page.fill('input[name="login"]', CITIZEN_LOGIN);
  await page.fill('input[name="password"]', CITIZEN_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('form[data-form="sign-in"] button[type="submit"]')]);
  // First time for this client: the consent screen names what is shared.
  assert.match(await page.locator('main').innerText(), /egov-demo|Demo/i);
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(redirectUri)),
    page.click('button[name="decision"][value="allow"]'),
  ]);
  const returned = new URL(page.url());
  await context.close();

  const tokens = await oidc.authorizationCodeGrant(config, returned, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  assert.ok(claims.sub, 'id_token has a subject');
  assert.equal(claims.iss, config.serverMetadata().issuer);

  const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(info.national_id, CITIZEN_LOGIN);
  assert.ok(info.name, 'profile scope gives the name');
  assert.equal(info.email, undefined, 'no e-mail without the email scope');

  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
  assert.ok(refreshed.access_token && refreshed.access_token !== tokens.access_token);
  assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token, 'refresh tokens rotate');
  // The used refresh token is now spent: presenting it again is refused.
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (e) => e.error === 'invalid_grant');
});
