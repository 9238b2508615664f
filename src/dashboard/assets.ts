/**
 * The page's files, all served by the process (no CDN: a Raspberry Pi may have no internet): the page folder
 * (plain ES modules and CSS, no build step) and uPlot's minified build from node_modules. Read once at start and
 * kept gzipped, so a request costs no file system access and the transfer size is known.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The page folder: beside this module (src/dashboard/page when run from source, dist/dashboard/page when built). */
export const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'page');

function uplotDir(): string {
  return dirname(createRequire(import.meta.url).resolve('uplot'));
}

function asset(path: string): Asset {
  const ext = path.slice(path.lastIndexOf('.'));
  const body = readFileSync(path);
  return { type: TYPES[ext] ?? 'application/octet-stream', body, gzip: gzipSync(body, { level: 9 }) };
}

/** URL path → asset: "/" is the page, "/assets/<file>" the page folder's files and uPlot. */
export function loadAssets(pageDir = PAGE_DIR): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const name of readdirSync(pageDir).sort()) {
    if (name.startsWith('.') || !(name.slice(name.lastIndexOf('.')) in TYPES)) continue;
    out.set(name === 'index.html' ? '/' : `/assets/${name}`, asset(join(pageDir, name)));
  }
  const uplot = uplotDir();
  out.set('/assets/uPlot.iife.min.js', asset(join(uplot, 'uPlot.iife.min.js')));
  out.set('/assets/uPlot.min.css', asset(join(uplot, 'uPlot.min.css')));
  return out;
}

/** Bytes the page transfers gzipped (everything but the HTML document itself is JS, CSS or SVG). */
export function gzippedSize(assets: Map<string, Asset>, types = ['text/javascript', 'text/css']): number {
  let n = 0;
  for (const a of assets.values()) if (types.some((t) => a.type.startsWith(t))) n += a.gzip.byteLength;
  return n;
}
