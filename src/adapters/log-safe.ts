// Text from a spec, a live object or a server made safe for a log line. The GitHub runner reads a
// step's output line by line (a line ends at \n or \r) and runs as a workflow command any line that,
// after leading whitespace, starts with `::` (`::set-output name=status::promoted`), or that holds
// `##[` anywhere (the older syntax). Every logger and every text the entries print goes through
// here, so no value can start a command, whatever it contains. Unlike GitHub's `::stop-commands::`,
// which needs a token the text cannot guess, this works line by line and keeps the text readable:
// the command is shown, with a backslash, instead of being run.
import type { Logger } from '../core/ports.ts';

/** Control characters other than tab and line feed (which keeps its meaning): shown as escapes.
 * A lone carriage return is a line end for the runner, and NEL / LS / PS are for other viewers. */
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;
/** .NET's TrimStart removes all Unicode white space; JavaScript's \s is a superset of it here. */
const COMMAND_START = /^(\s*):(?=:)/;
const OLD_COMMAND = /##\[/g;

function shown(c: string): string {
  if (c === '\t' || c === '\n') return c;
  const named: Record<string, string> = { '\r': '\\r', '\0': '\\0' };
  return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** One line made inert: no control characters, no command start, no `##[`. */
function safeLine(line: string): string {
  return line.replace(CONTROL, shown).replace(OLD_COMMAND, '##\\[').replace(COMMAND_START, '$1\\:');
}

/** `text` for a log: its own line breaks kept (\r\n and \r become \n), every line made inert. */
export function logSafe(text: string): string {
  return text.replace(/\r\n/g, '\n').split('\n').map(safeLine).join('\n');
}

/** JSON text for a log: `##[` written with a JSON escape, so the value it parses to is unchanged.
 * (Pretty JSON lines start with a quote, a bracket or a literal, never with `::`.) */
export function jsonLogSafe(json: string): string {
  return json.replace(OLD_COMMAND, '#\\u0023[');
}

/** Every message of `logger` made safe first. */
export function safeLogger(logger: Logger): Logger {
  return {
    info: (m) => logger.info(logSafe(m)),
    warning: (m) => logger.warning(logSafe(m)),
    error: (m) => logger.error(logSafe(m)),
  };
}
