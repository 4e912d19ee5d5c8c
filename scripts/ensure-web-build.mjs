// Builds the web app when web/dist is missing or older than its sources, so `npm start`
// and `npm test` work from a fresh clone without a separate build step.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const dist = path.join(web, 'dist', 'index.html');

function newest(dir) {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const p = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return latest;
}

const sources = [path.join(web, 'src'), path.join(root, 'contracts', 'src')];
const built = fs.existsSync(dist) ? fs.statSync(dist).mtimeMs : 0;
const changed = Math.max(...sources.filter((s) => fs.existsSync(s)).map(newest), fs.statSync(path.join(web, 'index.html'), { throwIfNoEntry: false })?.mtimeMs ?? 0);
if (!fs.existsSync(path.join(web, 'index.html'))) {
  console.log('web app sources missing; skipping build');
} else if (built < changed) {
  console.log('Building the web app (web/dist)...');
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: web, stdio: 'inherit' });
}
