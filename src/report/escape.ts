// Escaping for text we put into GitHub-flavoured markdown. Everything user-controlled (names,
// reasons, queries) goes through one of these, so it renders as the literal text and can never
// close a table cell, a code block, an HTML block or the comment's hidden marker.

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  // An entity, not a backslash: GitHub still turns `\@name` into a mention.
  '@': '&#64;',
};

/** Characters with a meaning in inline markdown or in a table row, escaped with a backslash. */
const MARKDOWN_PUNCTUATION = /[\\`*_{}[\]()#+!|~]/g;

/** Text for a paragraph or a table cell: one line, markdown and HTML inert. */
export function escapeInline(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[&<>"'@]/g, (c) => HTML_ENTITIES[c] ?? c)
    .replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`);
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
