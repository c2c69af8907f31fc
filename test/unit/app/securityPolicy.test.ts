import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { serveRendererAsset } from '../../../main/app/rendererProtocol.js';
import {
  APP_ENTRY_URL,
  RENDERER_HEADER_CSP,
  RENDERER_META_CSP,
  chooseEntryUrl,
  devServerCsp,
  isAppDocumentUrl,
  isTrustedSenderFrame,
  permissionDecision,
  resolveRendererAsset,
  shouldAllowNavigation,
  windowOpenDecision,
  withCspHeader,
} from '../../../main/app/securityPolicy.js';
import { createWindowOptions } from '../../../main/app/windowOptions.js';

const DEV = 'http://localhost:5173/';

describe('navigation', () => {
  it('allows a reload of the app document, with or without a hash route', () => {
    assert.equal(shouldAllowNavigation(APP_ENTRY_URL, APP_ENTRY_URL), true);
    assert.equal(shouldAllowNavigation(`${APP_ENTRY_URL}#/keys`, APP_ENTRY_URL), true);
    assert.equal(shouldAllowNavigation('app://keyvault/', APP_ENTRY_URL), true);
  });

  for (const url of [
    'https://example.com/',
    'http://keyvault/index.html',
    'file:///etc/passwd',
    'app://keyvault/assets/other.html',
    'app://evil/index.html',
    'app://user:pw@keyvault/index.html',
    'javascript:alert(1)',
    'not a url',
  ]) {
    it(`denies navigation to ${url}`, () => {
      assert.equal(shouldAllowNavigation(url, APP_ENTRY_URL), false);
    });
  }

  it('treats the dev server as the app only on its own origin', () => {
    assert.equal(isAppDocumentUrl('http://localhost:5173/', DEV), true);
    assert.equal(isAppDocumentUrl('http://localhost:5173/index.html', DEV), true);
    assert.equal(isAppDocumentUrl('http://localhost:5174/', DEV), false);
    assert.equal(isAppDocumentUrl('https://localhost:5173/', DEV), false);
  });

  it('uses the dev server only when unpackaged and on a loopback http address', () => {
    assert.equal(chooseEntryUrl({ isPackaged: false, devServerUrl: DEV }), DEV);
    assert.equal(chooseEntryUrl({ isPackaged: true, devServerUrl: DEV }), APP_ENTRY_URL);
    assert.equal(chooseEntryUrl({ isPackaged: false, devServerUrl: 'http://example.com:5173/' }), APP_ENTRY_URL);
    assert.equal(chooseEntryUrl({ isPackaged: false }), APP_ENTRY_URL);
  });
});

describe('windows and permissions', () => {
  it('denies every window.open', () => {
    assert.deepEqual(windowOpenDecision(), { action: 'deny' });
  });

  for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
    it(`denies the ${permission} permission`, () => {
      assert.equal(permissionDecision(permission), false);
    });
  }

  it('creates the window with isolation, sandbox, no Node and web security on', () => {
    const w = createWindowOptions({ preloadPath: '/app/out/preload/index.cjs', devTools: false }).webPreferences;
    assert.equal(w.contextIsolation, true);
    assert.equal(w.sandbox, true);
    assert.equal(w.nodeIntegration, false);
    assert.equal(w.nodeIntegrationInSubFrames, false);
    assert.equal(w.nodeIntegrationInWorker, false);
    assert.equal(w.webSecurity, true);
    assert.equal(w.allowRunningInsecureContent, false);
    assert.equal(w.webviewTag, false);
    assert.equal(w.navigateOnDragDrop, false);
    assert.equal(w.preload, '/app/out/preload/index.cjs');
  });
});

describe('sender frames', () => {
  const main = { url: APP_ENTRY_URL, parent: null, processId: 3, routingId: 1 };
  it('trusts only the main frame of our window showing the app', () => {
    assert.equal(isTrustedSenderFrame(main, { entryUrl: APP_ENTRY_URL, mainFrame: main }), true);
    assert.equal(isTrustedSenderFrame({ ...main }, { entryUrl: APP_ENTRY_URL, mainFrame: main }), true, 'same ids');
    assert.equal(isTrustedSenderFrame({ ...main, routingId: 2 }, { entryUrl: APP_ENTRY_URL, mainFrame: main }), false);
    assert.equal(isTrustedSenderFrame({ ...main, parent: main }, { entryUrl: APP_ENTRY_URL, mainFrame: main }), false);
    assert.equal(isTrustedSenderFrame(main, { entryUrl: APP_ENTRY_URL, mainFrame: null }), false);
    const navigatedAway = { ...main, url: 'https://evil.example/' };
    assert.equal(isTrustedSenderFrame(navigatedAway, { entryUrl: APP_ENTRY_URL, mainFrame: navigatedAway }), false);
  });
});

describe('content security policy', () => {
  for (const [name, csp] of [
    ['meta', RENDERER_META_CSP],
    ['header', RENDERER_HEADER_CSP],
  ] as const) {
    it(`${name} CSP allows no eval, no inline script and no remote origin`, () => {
      assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline|https?:|wss?:|\*/);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /object-src 'none'/);
    });
  }

  it('sets frame-ancestors only in the header form (a <meta> cannot carry it)', () => {
    assert.match(RENDERER_HEADER_CSP, /frame-ancestors 'none'/);
    assert.doesNotMatch(RENDERER_META_CSP, /frame-ancestors/);
  });

  it('renderer/index.html carries a CSP as strict as ours', { skip: !existsSync('renderer/index.html') && 'renderer/index.html not there yet' }, () => {
    const html = readFileSync(join('renderer', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    assert.ok(meta, 'no CSP <meta> in renderer/index.html');
    assert.doesNotMatch(meta[1]!, /unsafe-eval|unsafe-inline|https?:|wss?:|\*/);
  });

  it('dev-server CSP opens only the loopback websocket, never eval', () => {
    const csp = devServerCsp(DEV);
    assert.match(csp, /connect-src 'self' ws:\/\/localhost:5173/);
    assert.doesNotMatch(csp, /unsafe-eval/);
  });

  it('replaces any CSP header the server sent, whatever its case', () => {
    const out = withCspHeader({ 'content-security-policy': ['default-src *'], 'Content-Type': 'text/html' }, "default-src 'none'");
    assert.deepEqual(out, { 'Content-Type': ['text/html'], 'Content-Security-Policy': ["default-src 'none'"] });
  });
});

describe('app:// assets', () => {
  const root = '/opt/keyvault/out/renderer';
  it('maps app URLs into the renderer directory', () => {
    assert.equal(resolveRendererAsset(root, 'app://keyvault/index.html'), `${root}/index.html`);
    assert.equal(resolveRendererAsset(root, 'app://keyvault/'), `${root}/index.html`);
    assert.equal(resolveRendererAsset(root, 'app://keyvault/assets/index-abc.js?x=1#y'), `${root}/assets/index-abc.js`);
  });

  for (const url of ['app://keyvault/../../../etc/passwd', 'app://keyvault/%2e%2e/%2e%2e/etc/passwd']) {
    it(`keeps ${url} inside the renderer directory (the URL parser drops the dot segments)`, () => {
      const resolved = resolveRendererAsset(root, url);
      assert.ok(resolved === null || resolved.startsWith(`${root}/`), String(resolved));
    });
  }

  for (const url of [
    'app://keyvault/assets/..%2f..%2f..%2fetc/passwd',
    'app://keyvault/assets%5c..%5c..%5csecret',
    'app://keyvault/a%00.js',
    'app://other/index.html',
    'file:///etc/passwd',
  ]) {
    it(`refuses ${url}`, () => {
      assert.equal(resolveRendererAsset(root, url), null);
    });
  }

  it('serves documents with the CSP header and a strict MIME type', async () => {
    const reads: string[] = [];
    const res = await serveRendererAsset(root, APP_ENTRY_URL, async (p) => {
      reads.push(p);
      return new TextEncoder().encode('<!doctype html>');
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['Content-Type'], 'text/html; charset=utf-8');
    assert.equal(res.headers['Content-Security-Policy'], RENDERER_HEADER_CSP);
    assert.equal(res.headers['X-Content-Type-Options'], 'nosniff');
    assert.deepEqual(reads, [`${root}/index.html`]);
  });

  it('answers 404 without reading for escapes and unknown file types', async () => {
    let read = false;
    const readFile = async () => {
      read = true;
      return new Uint8Array();
    };
    assert.equal((await serveRendererAsset(root, 'app://keyvault/assets/..%2f..%2f..%2fx.html', readFile)).status, 404);
    assert.equal((await serveRendererAsset(root, 'app://keyvault/run.exe', readFile)).status, 404);
    assert.equal(read, false);
  });

  it('answers 404 for a missing file', async () => {
    const res = await serveRendererAsset(root, 'app://keyvault/assets/gone.js', async () => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    });
    assert.equal(res.status, 404);
  });
});
