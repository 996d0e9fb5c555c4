// Istio compiles header regexes with Go's RE2 (and caps them at 1024 bytes of UTF-8, Go's len); check with an RE2 port
// so lookarounds and backreferences are refused here rather than by istiod mid-release.
import { RE2JS } from 're2js';
import { GO_REGEXP_UNICODE_CLASSES } from './go-unicode-classes.ts';

export const MAX_REGEX_LENGTH = 1024;

/** What is wrong with `pattern` as an Istio header regex, or undefined. */
export function regexProblem(pattern: string): string | undefined {
  const bytes = Buffer.byteLength(pattern, 'utf8');
  if (bytes > MAX_REGEX_LENGTH) {
    return `regex is ${bytes} bytes long (UTF-8); Istio allows at most ${MAX_REGEX_LENGTH}`;
  }
  try {
    RE2JS.compile(pattern);
  } catch (e) {
    const reason = e instanceof Error ? e.message.replace(/^error parsing regexp: /, '') : String(e);
    return `not a valid RE2 regular expression (${reason})`;
  }
  const unknown = unicodeClasses(pattern).find((c) => !GO_REGEXP_UNICODE_CLASSES.has(c.name));
  return unknown === undefined
    ? undefined
    : `not a valid RE2 regular expression (invalid character class range: \`${unknown.text}\`: Go's regexp, which istiod compiles it with, does not know that Unicode class; expected a script or category such as Greek, Latin, L or Lu)`;
}

/** The `\p`/`\P` classes of an RE2 pattern, as written and by name (escaped backslashes and `\Q…\E` literals skipped). */
export function unicodeClasses(pattern: string): Array<{ text: string; name: string }> {
  const found: Array<{ text: string; name: string }> = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '\\') continue;
    const next = pattern[i + 1];
    const braced = pattern[i + 2] === '{';
    if (next === 'Q') {
      const end = pattern.indexOf('\\E', i + 2);
      i = end === -1 ? pattern.length : end + 1;
    } else if (next === 'p' || next === 'P') {
      const end = braced ? pattern.indexOf('}', i + 3) : i + 2;
      const text = pattern.slice(i, end + 1);
      found.push({ text, name: braced ? text.slice(3, -1).replace(/^\^/, '') : text.slice(2) });
      i = end;
    } else {
      i++;
    }
  }
  return found;
}
