// Escaping of values placed inside PromQL string literals. PromQL strings follow Go's quoting rules;
// we only emit escapes whose meaning is identical in Go and JSON (\\ \" \n \r \t \uXXXX), so the
// result is easy to check and cannot end the literal early or inject matchers.

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be escaped
const CONTROL_OR_SPECIAL = /[\\"\u0000-\u001f\u007f]/g;

const NAMED_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function escapeChar(ch: string): string {
  return NAMED_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * The body of a double-quoted PromQL string literal holding `value` (without the quotes).
 * Lone UTF-16 surrogates cannot exist in a Prometheus label value (UTF-8), so they become U+FFFD.
 */
export function escapePromqlString(value: string): string {
  return value.toWellFormed().replace(CONTROL_OR_SPECIAL, escapeChar);
}

/** A complete double-quoted PromQL string literal holding `value`. */
export function quotePromqlString(value: string): string {
  return `"${escapePromqlString(value)}"`;
}

// RE2 metacharacters; escaping them makes a `=~` matcher match `value` literally (RE2 is fully anchored
// in PromQL matchers, so the escaped value matches exactly the value).
const RE2_META = /[\\.+*?()|[\]{}^$]/g;

/** An RE2 pattern matching exactly `value` (metacharacters escaped); still needs string escaping. */
export function escapeRe2(value: string): string {
  return value.replace(RE2_META, (ch) => `\\${ch}`);
}

/** The body of a `=~` matcher's string that matches exactly `value`: RE2-escaped, then string-escaped. */
export function escapePromqlRegex(value: string): string {
  return escapePromqlString(escapeRe2(value));
}
