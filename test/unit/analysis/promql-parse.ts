// Test helper: reads PromQL with Prometheus' own grammar (lezer-promql) and collects what escaping must preserve.
import { parser } from '@prometheus-io/lezer-promql';

export interface ParsedPromql {
  /** Number of syntax-error nodes. */
  errors: number;
  /** Number of `label op "value"` matchers. */
  matchers: number;
  /** Every string literal, quotes included. */
  strings: string[];
}

export function parsePromql(promql: string): ParsedPromql {
  const parsed: ParsedPromql = { errors: 0, matchers: 0, strings: [] };
  parser.parse(promql).iterate({
    enter(node) {
      if (node.type.isError) parsed.errors++;
      if (node.name === 'UnquotedLabelMatcher') parsed.matchers++;
      if (node.name === 'StringLiteral') parsed.strings.push(promql.slice(node.from, node.to));
    },
  });
  return parsed;
}
