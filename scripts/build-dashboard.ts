// Builds the web dashboard (web/) into dist/dashboard/: one bundled, minified script (esbuild), the page and
// its stylesheet. Run by `npm run build`, and by postinstall/pretest so a fresh `npm ci` has it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

export const WEB_DIR = path.resolve(__dirname, '../web');
export const OUT_DIR = path.resolve(__dirname, '../dist/dashboard');

export function buildDashboard(out = OUT_DIR): void {
  fs.mkdirSync(out, { recursive: true });
  buildSync({
    entryPoints: [path.join(WEB_DIR, 'src/main.ts')],
    outfile: path.join(out, 'app.js'),
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'iife',
    target: ['es2020'],
    platform: 'browser',
    tsconfig: path.join(WEB_DIR, 'tsconfig.json'),
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'style.css']) {
    fs.copyFileSync(path.join(WEB_DIR, f), path.join(out, f === 'style.css' ? 'app.css' : f));
  }
}

if (require.main === module) {
  buildDashboard();
  console.log(`dashboard built into ${path.relative(process.cwd(), OUT_DIR) || OUT_DIR}`);
}
