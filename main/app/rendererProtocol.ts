/**
 * What the app:// protocol answers: files of the renderer build only, with a strict MIME type
 * (module scripts need one) and the CSP as a real header on documents. File reading is injected,
 * so the decision is tested under Node; in Electron it is fs.readFile (which reads inside asar).
 */
import { extname } from 'node:path';
import { RENDERER_HEADER_CSP, resolveRendererAsset } from './securityPolicy.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

export interface AssetResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

const COMMON_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };

export async function serveRendererAsset(rendererDir: string, requestUrl: string, readFile: (path: string) => Promise<Uint8Array>): Promise<AssetResponse> {
  const file = resolveRendererAsset(rendererDir, requestUrl);
  const contentType = file ? CONTENT_TYPES[extname(file).toLowerCase()] : undefined;
  if (!file || !contentType) {
    return { status: 404, headers: { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Not found' };
  }
  let body: Uint8Array;
  try {
    body = await readFile(file);
  } catch {
    return { status: 404, headers: { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Not found' };
  }
  const headers: Record<string, string> = { ...COMMON_HEADERS, 'Content-Type': contentType };
  if (contentType.startsWith('text/html')) headers['Content-Security-Policy'] = RENDERER_HEADER_CSP;
  return { status: 200, headers, body };
}
