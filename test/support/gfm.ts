// Renders markdown the way GitHub does (CommonMark + the GFM extensions, raw HTML passed through as
// GitHub passes <details>) and parses the result into a DOM, so tests look at what people see.
import { parseHTML } from 'linkedom';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';

export function renderGfm(markdown: string): string {
  return micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

export type RenderedDocument = ReturnType<typeof parseHTML>['document'];

export function renderGfmDocument(markdown: string): RenderedDocument {
  return parseHTML(`<!doctype html><html><body>${renderGfm(markdown)}</body></html>`).document;
}

/** The mermaid blocks as GitHub finds them: fenced code with the language `mermaid`. */
export function mermaidBlocks(document: RenderedDocument): string[] {
  return Array.from(document.querySelectorAll('pre > code.language-mermaid'), (code: { textContent: string | null }) => code.textContent ?? '');
}
