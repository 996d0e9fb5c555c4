// Makes docs/pr-comment.png, the README's picture of the PR comment: the sample report (a release
// rolled back at 50 %) rendered as GitHub renders it (GFM, GitHub's markdown CSS, Mermaid drawing
// the charts), photographed by headless Chromium. Not part of the tests; run it after changing how
// the report looks: `node scripts/screenshot-report.ts` (needs Debian's `chromium`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderGfm } from '../test/support/gfm.ts';
import { sampleReport } from '../test/support/sample-report.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'docs', 'pr-comment.png');
const require = createRequire(import.meta.url);
const css = pathToFileURL(require.resolve('github-markdown-css/github-markdown-light.css')).href;
const mermaid = pathToFileURL(join(require.resolve('mermaid/package.json'), '..', 'dist', 'mermaid.min.js')).href;

// GitHub draws a mermaid code block as a diagram; Mermaid's browser build looks for `pre.mermaid`.
const body = renderGfm(sampleReport()).replace(/<pre><code class="language-mermaid">([\s\S]*?)<\/code><\/pre>/g, '<pre class="mermaid">$1</pre>');
const page = `<!doctype html>
<html><head><meta charset="utf-8">
<link rel="stylesheet" href="${css}">
<style>
  body { margin: 0; background: #fff; font-family: -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
  .comment { margin: 16px; border: 1px solid #d1d9e0; border-radius: 6px; }
  .comment-header { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px; color: #59636e; font-size: 14px; border-radius: 6px 6px 0 0; }
  .comment-header b { color: #1f2328; }
  .markdown-body { padding: 16px; font-size: 14px; }
  pre.mermaid { background: none; text-align: center; }
</style>
<script src="${mermaid}"></script>
</head><body>
<div class="comment"><div class="comment-header"><b>github-actions</b> bot commented</div>
<div class="markdown-body">${body}</div></div>
<script>mermaid.initialize({ startOnLoad: true, theme: 'default' });</script>
</body></html>`;

const dir = mkdtempSync(join(tmpdir(), 'report-shot-'));
const html = join(dir, 'comment.html');
writeFileSync(html, page);
const chromium = spawnSync(
  'chromium',
  ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--allow-file-access-from-files', '--window-size=900,1540', '--virtual-time-budget=15000', `--screenshot=${OUT}`, pathToFileURL(html).href],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
);
if (chromium.error || chromium.status !== 0) {
  console.error(`chromium failed (${chromium.error?.message ?? `exit ${chromium.status}`}); install it with: apt-get install chromium\n${chromium.stderr}`);
  process.exit(1);
}
console.log(`wrote ${OUT}`);
