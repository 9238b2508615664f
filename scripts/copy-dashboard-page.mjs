// Part of `npm run build`: the dashboard's page (plain ES modules, CSS, HTML; no build step of their own) beside
// the compiled server, where src/dashboard/assets.ts looks for it (dist/dashboard/page).
import { cpSync, rmSync } from 'node:fs';

rmSync('dist/dashboard/page', { recursive: true, force: true });
cpSync('src/dashboard/page', 'dist/dashboard/page', { recursive: true });
