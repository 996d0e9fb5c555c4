// Istio compiles header regexes with Go's RE2 (and caps them at 1024 bytes of UTF-8, Go's len); check with an RE2 port
// so lookarounds and backreferences are refused here rather than by istiod mid-release.
import { RE2JS } from 're2js';

export const MAX_REGEX_LENGTH = 1024;

/** What is wrong with `pattern` as an Istio header regex, or undefined. */
export function regexProblem(pattern: string): string | undefined {
  const bytes = Buffer.byteLength(pattern, 'utf8');
  if (bytes > MAX_REGEX_LENGTH) {
    return `regex is ${bytes} bytes long (UTF-8); Istio allows at most ${MAX_REGEX_LENGTH}`;
  }
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (e) {
    const reason = e instanceof Error ? e.message.replace(/^error parsing regexp: /, '') : String(e);
    return `not a valid RE2 regular expression (${reason})`;
  }
}
