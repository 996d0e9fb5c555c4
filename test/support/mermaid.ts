// Mermaid's own parser, run in Node: mermaid needs a DOM for its sanitiser at load time, which a
// linkedom window provides. `parse` throws on any text Mermaid would refuse to draw.
import { parseHTML } from 'linkedom';

type Mermaid = (typeof import('mermaid'))['default'];
let loaded: Promise<Mermaid> | undefined;

async function load(): Promise<Mermaid> {
  const globals = globalThis as unknown as Record<string, unknown>;
  if (!globals['window']) {
    const { window, document } = parseHTML('<!doctype html><html><body></body></html>');
    globals['window'] = window;
    globals['document'] = document;
  }
  return (await import('mermaid')).default;
}

/** The diagram type Mermaid recognised; throws Mermaid's parse error otherwise. */
export async function parseMermaid(text: string): Promise<string> {
  loaded ??= load();
  const mermaid = await loaded;
  const result = await mermaid.parse(text);
  if (!result) throw new Error('mermaid did not recognise the diagram');
  return result.diagramType;
}
