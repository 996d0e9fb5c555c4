// Rendering of PromQL templates (`{{ name }}` placeholders) with escaped values. Templates are data
// from the user's spec: a variable that is unknown, empty, or placed where escaping cannot protect it
// (outside a double-quoted string) is an error, never an empty string or a silent injection.
import { InputError } from '../errors.ts';
import { escapePromqlString } from './escape.ts';
import type { QueryVars } from './types.ts';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PROMQL_DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;

const STRING_VARIABLES = ['namespace', 'service', 'canaryService', 'stableService', 'canaryWorkload', 'stableWorkload', 'canaryVersion', 'stableVersion', 'reporter', 'clientReporter'] as const;
/** Every variable a query template may use, in the order messages list them. */
export const TEMPLATE_VARIABLES: readonly Exclude<keyof QueryVars, 'services'>[] = [...STRING_VARIABLES, 'interval'];
const VARIABLES: readonly string[] = TEMPLATE_VARIABLES;

/** Where a position is: inside a string opened by that quote, inside a `#` comment, or in plain PromQL. */
type Quote = '"' | "'" | '`' | '#' | undefined;

interface Placeholder {
  name: string;
  start: number;
  end: number;
  /** The string literal (or comment) the placeholder sits in, if any. */
  quote: Quote;
}

/** Quote state after reading `text` from `quote`: tracks PromQL strings (with backslash escapes) and `#` comments.
 * The state carries over from one call to the next, so a comment holding a placeholder still ends at its line end. */
function advanceQuote(text: string, quote: Quote): Quote {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote === '#') {
      if (ch === '\n') quote = undefined;
    } else if (quote === undefined) {
      if (ch === '"' || ch === "'" || ch === '`' || ch === '#') quote = ch;
    } else if (ch === '\\' && quote !== '`') i++;
    else if (ch === quote) quote = undefined;
  }
  return quote;
}

function placeholdersOf(template: string): Placeholder[] {
  const found: Placeholder[] = [];
  let quote: Quote;
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    quote = advanceQuote(template.slice(last, m.index), quote);
    found.push({ name: m[1] ?? '', start: m.index, end: m.index + m[0].length, quote });
    last = m.index + m[0].length;
  }
  return found;
}

function placementProblem(p: Placeholder): string | undefined {
  if (!VARIABLES.includes(p.name)) {
    return `unknown variable {{ ${p.name} }}; known variables: ${VARIABLES.join(', ')}`;
  }
  // In a comment the value is inert: string values are escaped (no line break) and the interval is a checked duration.
  if (p.quote === '#') return undefined;
  if (p.name === 'interval') {
    return p.quote === undefined ? undefined : '{{ interval }} is a PromQL duration and must not be inside a string, e.g. rate(x[{{ interval }}])';
  }
  return p.quote === '"'
    ? undefined
    : `{{ ${p.name} }} must be inside a double-quoted string so its value can be escaped, e.g. label="{{ ${p.name} }}"`;
}

function variableValue(name: string, vars: QueryVars): string {
  const value = (vars as unknown as Record<string, unknown>)[name];
  if (typeof value !== 'string' || value === '') {
    throw new InputError({ path: '', message: `query template: variable {{ ${name} }} has no value for this canary` });
  }
  return name === 'interval' ? checkedDuration(value) : escapePromqlString(value);
}

/** `value` when it is a PromQL duration (it goes into queries unquoted); InputError otherwise. */
export function checkedDuration(value: string): string {
  if (!PROMQL_DURATION.test(value)) {
    throw new InputError({ path: '', message: `query window ${JSON.stringify(value)} is not a PromQL duration such as 30s or 1m` });
  }
  return value;
}

/** Problems of a template that can be found without values: unknown variables and unsafe placements. */
export function templateProblems(template: string): string[] {
  return placeholdersOf(template).flatMap((p) => placementProblem(p) ?? []);
}

/** The variable names a template uses, in order of appearance, each once. */
export function templateVariables(template: string): string[] {
  return [...new Set(placeholdersOf(template).map((p) => p.name))];
}

/** Substitutes every `{{ name }}` in `template`; throws InputError on any problem. */
export function renderQuery(template: string, vars: QueryVars): string {
  const placeholders = placeholdersOf(template);
  const problems = placeholders.flatMap((p) => placementProblem(p) ?? []);
  if (problems.length > 0) throw new InputError({ path: '', message: `query template: ${problems[0]}` });
  let rendered = '';
  let last = 0;
  for (const p of placeholders) {
    rendered += template.slice(last, p.start) + variableValue(p.name, vars);
    last = p.end;
  }
  return rendered + template.slice(last);
}
