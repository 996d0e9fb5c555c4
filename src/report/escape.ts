// Escaping for text we put into GitHub-flavoured markdown. Everything user-controlled (names,
// reasons, queries) goes through one of these, so it renders as the literal text and can never
// close a table cell, a code block, an HTML block or the comment's hidden marker.

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  // A zero-width space after it, as Renovate does: GitHub still turns `\@name` (and an entity
  // that decodes to `@`) into a mention, but not `@` followed by anything but a name.
  '@': '@&#8203;',
};

/** Characters with a meaning in inline markdown or in a table row, escaped with a backslash. */
const MARKDOWN_PUNCTUATION = /[\\`*_{}[\]()#+!|~]/g;

/** Where GFM would start a link on its own (`www.`, `http:`), so untrusted text never becomes one. */
const AUTOLINK_START = /(www|https?|ftp)([.:])/gi;

/** Text for a paragraph or a table cell: one line, markdown and HTML inert. */
export function escapeInline(text: string): string {
  // Backslashes first: the entities added next contain `#`, which must stay unescaped.
  return text
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`)
    .replace(AUTOLINK_START, '$1\\$2')
    .replace(/[&<>"'@]/g, (c) => HTML_ENTITIES[c] ?? c);
}

/** Text inside an HTML element such as `<summary>`, where markdown is not parsed. */
export function escapeHtml(text: string): string {
  return text.replace(/\r\n|\r|\n/g, ' ').replace(/[&<>"'@]/g, (c) => HTML_ENTITIES[c] ?? c);
}

/** A fenced code block whose fence is longer than any run of backticks in the content, so the
 * content cannot close it (CommonMark: a closing fence is at least as long as the opening one). */
export function codeBlock(content: string, language = ''): string {
  const longestRun = Math.max(0, ...Array.from(content.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${language}\n${content.replace(/\r\n|\r/g, '\n')}\n${fence}`;
}

/** Shortens text to at most `max` characters, saying so. Applied before escaping. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = ` … (${text.length - max} more characters)`;
  return text.slice(0, Math.max(0, max - note.length)) + note;
}

/** Text for a Mermaid label (a quoted title, axis or category): only letters, digits, spaces and a
 * few harmless marks survive, so no label can end its quotes, start a directive (`%%`), inject
 * HTML or close the fenced block; everything else becomes a space. */
export function mermaidLabel(text: string, max = 60): string {
  const kept = text
    .replace(/>=/g, '≥')
    .replace(/<=/g, '≤')
    .replace(/[^\p{L}\p{N} .,:+\-_/%≥≤×@()]/gu, ' ')
    .replace(/%+/g, '%')
    .replace(/\s+/g, ' ')
    .trim();
  return kept.length > max ? `${kept.slice(0, max - 1)}…` : kept;
}

/** An inline code span that no content can end early: a backtick fence longer than any run inside
 * (CommonMark), one line, padded when the content starts or ends with a backtick. */
export function inlineCode(text: string): string {
  const line = text.replace(/\r\n|\r|\n/g, ' ');
  const longestRun = Math.max(0, ...Array.from(line.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = line.startsWith('`') || line.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${line}${pad}${fence}`;
}

/** Only http(s) URLs, normalised, credentials dropped, with parentheses encoded so they cannot end
 * a markdown link; undefined for anything else. */
export function safeUrl(text: string | undefined): string | undefined {
  if (!text) return undefined;
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    url.username = '';
    url.password = '';
    return url.href.replace(/\(/g, '%28').replace(/\)/g, '%29');
  } catch {
    return undefined;
  }
}
