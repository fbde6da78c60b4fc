// Starts a real `egov serve --demo` on a free port with a fresh SQLite database
// and returns its base URL; stop() kills it and removes the data folder.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export async function startServer() {
  const bin = process.env.EGOV_BIN;
  if (!bin) throw new Error('EGOV_BIN must name the egov binary (tests/browser/run.sh sets it)');
  const dataDir = mkdtempSync(join(tmpdir(), 'egov-browser-'));
  const child = spawn(bin, ['serve', '--demo', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // The outbox writes the codes it would send to the log in demo mode.
    env: { ...process.env, EGOV_LOG: 'warn,egov::outbox=info', NO_COLOR: '1' },
  });
  let log = '';
  child.stderr.on('data', (chunk) => {
    log += chunk;
    process.stderr.write(chunk);
  });
  const baseUrl = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`egov did not start: ${out}`)), 60_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/[0-9.:]+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`egov exited with ${code}: ${out}`)); });
  });
  return {
    baseUrl,
    /** What the server has logged so far. */
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
