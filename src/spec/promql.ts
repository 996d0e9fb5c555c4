// Syntax check of custom-check PromQL templates at load time, so a typo fails the spec, not stage 3.
import { parser } from '@prometheus-io/lezer-promql';
import { TEMPLATE_VARIABLES } from '../analysis/render.ts';

/** A harmless stand-in for each template variable (analysis/render.ts lists them), as it would
 * appear after substitution; the type keeps the two lists the same. */
const STAND_INS: Record<(typeof TEMPLATE_VARIABLES)[number], string> = {
  namespace: 'ns',
  service: 'svc.ns.svc.cluster.local',
  canaryService: 'svc-v2.ns.svc.cluster.local',
  stableService: 'svc-v1.ns.svc.cluster.local',
  canaryWorkload: 'canary',
  stableWorkload: 'stable',
  canaryVersion: 'v2',
  stableVersion: 'v1',
  reporter: 'destination',
  clientReporter: 'source',
  interval: '1m',
};

export { TEMPLATE_VARIABLES };

const VARIABLE = /\{\{\s*([^}]*?)\s*\}\}/g;

interface Substituted {
  text: string;
  /** Offset in the template of each offset in `text` (same length as text, plus the end). */
  origin: number[];
}

function substitute(template: string): Substituted | { unknown: string; at: number } {
  let text = '';
  const origin: number[] = [];
  let last = 0;
  for (const match of template.matchAll(VARIABLE)) {
    const name = match[1]!;
    const value = (STAND_INS as Record<string, string>)[name];
    if (value === undefined || !Object.hasOwn(STAND_INS, name)) return { unknown: name, at: match.index };
    for (let i = last; i < match.index; i++) {
      text += template[i];
      origin.push(i);
    }
    for (const ch of value) {
      text += ch;
      origin.push(match.index);
    }
    last = match.index + match[0].length;
  }
  for (let i = last; i < template.length; i++) {
    text += template[i];
    origin.push(i);
  }
  origin.push(template.length);
  return { text, origin };
}

/** `line L, column C` (1-based) of an offset, the line only when the template has several. */
function position(template: string, offset: number): string {
  const before = template.slice(0, offset).split('\n');
  const column = before.at(-1)!.length + 1;
  return template.includes('\n') ? `line ${before.length}, column ${column}` : `column ${column}`;
}

function firstErrorOffset(text: string): number | undefined {
  let found: number | undefined;
  parser.parse(text).iterate({
    enter: (node) => {
      if (found !== undefined) return false;
      if (node.type.isError) found = node.from;
      return undefined;
    },
  });
  return found;
}

/** The first syntax error of a PromQL template in words (with its column), or undefined. */
export function promqlSyntaxError(template: string): string | undefined {
  if (template.trim() === '') return 'the PromQL query is empty';
  const substituted = substitute(template);
  if ('unknown' in substituted) {
    return `unknown template variable {{ ${substituted.unknown} }} at ${position(template, substituted.at)}; ` +
      `allowed: ${TEMPLATE_VARIABLES.map((v) => `{{ ${v} }}`).join(', ')}`;
  }
  const errorAt = firstErrorOffset(substituted.text);
  if (errorAt === undefined) return undefined;
  const offset = substituted.origin[errorAt]!;
  const near = template.slice(offset, offset + 20).split('\n')[0]!;
  const what = near === '' ? 'unexpected end of query' : `unexpected ${JSON.stringify(near)}`;
  return `PromQL syntax error at ${position(template, offset)}: ${what}`;
}

/**
 * The metric names a PromQL template selects, one per vector selector (`undefined` for a selector
 * without a literal name, e.g. `{__name__=~"…"}`); undefined when the template does not parse.
 */
export function selectedMetricNames(template: string): Array<string | undefined> | undefined {
  const substituted = substitute(template);
  if ('unknown' in substituted || firstErrorOffset(substituted.text) !== undefined) return undefined;
  const { text } = substituted;
  const names: Array<string | undefined> = [];
  parser.parse(text).iterate({
    enter: (ref) => {
      if (ref.type.name !== 'VectorSelector') return undefined;
      const identifier = ref.node.getChild('Identifier');
      const byName = ref.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher').find((m) => {
        const label = m.getChild('LabelName');
        return label !== null && text.slice(label.from, label.to) === '__name__' && m.getChild('MatchOp')?.getChild('EqlSingle') != null;
      });
      const literal = byName?.getChild('StringLiteral');
      names.push(identifier ? text.slice(identifier.from, identifier.to) : literal ? text.slice(literal.from + 1, literal.to - 1) : undefined);
      return false;
    },
  });
  return names;
}
