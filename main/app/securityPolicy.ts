/**
 * Security decisions of the Electron shell as plain functions (no Electron import), so each rule
 * is tested under Node: which URLs are "our app", where a window may navigate, which IPC senders
 * are trusted, which renderer files the app protocol serves, and the Content Security Policy.
 *
 * The packaged renderer is served from a privileged custom scheme (app://keyvault/index.html)
 * rather than file://, per the Electron security checklist ("avoid the file protocol"). That is
 * also what keeps the page working with the grantFileProtocolExtraPrivileges fuse turned off:
 * without those privileges a file:// page cannot load its own module scripts.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'keyvault';
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** The part of Electron's WebFrameMain the sender check reads. */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
  readonly processId?: number;
  readonly routingId?: number;
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function documentPath(u: URL): string {
  return u.pathname === '/' || u.pathname === '' ? '/index.html' : u.pathname;
}

/**
 * True when `url` is the app's own document: same scheme, host and port as the entry URL and the
 * same path (`/` counts as `/index.html`). Query and fragment are ignored (the page may use hash
 * routes); anything else, including other files of the same origin, is not the app.
 */
export function isAppDocumentUrl(url: string, entryUrl: string): boolean {
  const target = parseUrl(url);
  const entry = parseUrl(entryUrl);
  if (!target || !entry) return false;
  if (target.protocol !== entry.protocol) return false;
  if (target.host !== entry.host) return false;
  if (target.username !== '' || target.password !== '') return false;
  return documentPath(target) === documentPath(entry);
}

/** electron-vite's dev server: only plain http on a loopback address is acceptable. */
export function isLoopbackDevServerUrl(url: string | undefined): url is string {
  if (!url) return false;
  const u = parseUrl(url);
  if (!u || u.protocol !== 'http:') return false;
  return u.hostname === 'localhost' || u.hostname === '127.0.0.1' || u.hostname === '[::1]';
}

/**
 * The URL the window loads: the dev server during `electron-vite dev` (never in a packaged app),
 * the app protocol otherwise.
 */
export function chooseEntryUrl(opts: { isPackaged: boolean; devServerUrl?: string }): string {
  if (!opts.isPackaged && isLoopbackDevServerUrl(opts.devServerUrl)) return opts.devServerUrl;
  return APP_ENTRY_URL;
}

/** `will-navigate` / `will-redirect`: only a reload of the app document itself goes ahead. */
export function shouldAllowNavigation(targetUrl: string, entryUrl: string): boolean {
  return isAppDocumentUrl(targetUrl, entryUrl);
}

/** `setWindowOpenHandler`: the app never opens other windows. */
export function windowOpenDecision(): { action: 'deny' } {
  return { action: 'deny' };
}

/** `setPermissionRequestHandler` / `setPermissionCheckHandler`: the app needs no permission. */
export function permissionDecision(_permission: string): boolean {
  return false;
}

function sameFrame(a: FrameLike, b: FrameLike): boolean {
  if (a === b) return true;
  return a.processId !== undefined && a.routingId !== undefined && a.processId === b.processId && a.routingId === b.routingId;
}

/**
 * The IPC sender check: the message must come from the main frame of our window (not a subframe,
 * not another window), and that frame must be showing the app document.
 */
export function isTrustedSenderFrame(frame: FrameLike | null | undefined, ctx: { entryUrl: string; mainFrame: FrameLike | null | undefined }): boolean {
  if (!frame || !ctx.mainFrame) return false;
  if (frame.parent !== null) return false;
  if (!sameFrame(frame, ctx.mainFrame)) return false;
  return isAppDocumentUrl(frame.url, ctx.entryUrl);
}

/**
 * Maps an app:// request onto a file under the renderer build directory, or null when the URL is
 * not ours or would escape that directory (`..`, encoded separators, absolute paths).
 */
export function resolveRendererAsset(rendererDir: string, requestUrl: string): string | null {
  const u = parseUrl(requestUrl);
  if (!u || u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const root = resolve(rendererDir);
  const target = resolve(root, `.${pathname}`);
  const rel = relative(root, target);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return null;
  return target;
}

const CSP_BASE = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'none'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
} as const;

function serializeCsp(directives: Record<string, readonly string[]>): string {
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** The policy for the packaged renderer, as a <meta> tag carries it (no frame-ancestors there). */
export const RENDERER_META_CSP = serializeCsp(CSP_BASE);

/** The same policy as an HTTP header on app:// documents, where frame-ancestors is honoured. */
export const RENDERER_HEADER_CSP = serializeCsp({ ...CSP_BASE, 'frame-ancestors': ["'none'"] });

/**
 * Development only (electron-vite dev server): the React refresh preamble is an inline module
 * script and HMR talks over a websocket to the same loopback server.
 */
export function devServerCsp(devServerUrl: string): string {
  const u = new URL(devServerUrl);
  return serializeCsp({
    ...CSP_BASE,
    'script-src': ["'self'", "'unsafe-inline'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'connect-src': ["'self'", `ws://${u.host}`],
  });
}

/** Response headers with our CSP set (replacing any the server sent, whatever its case). */
export function withCspHeader(headers: Record<string, string[] | string> | undefined, csp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    out[name] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [csp];
  return out;
}
