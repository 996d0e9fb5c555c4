// One test per kind of bad input: the message names file, line:column, field path and what was expected.
import { describe, expect, it } from 'vitest';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';
import { editedSpec, specError } from '../../support/spec-text.ts';

const BASE = [
  'apiVersion: istio-canary/v1', //                                      1
  'kind: Canary', //                                                     2
  'metadata:', //                                                        3
  '  name: catalog', //                                                  4
  'spec:', //                                                            5
  '  namespace: istioinaction', //                                       6
  '  virtualService: catalog', //                                        7
  '  host: catalog', //                                                  8
  '  stable: {subset: version-v1, labels: {version: v1}}', //            9
  '  canary: {subset: version-v2, labels: {version: v2}}', //           10
  '  stages:', //                                                       11
  '    - darkLaunch: {headers: {x-istio-cohort: {exact: internal}}}', // 12
  '    - mirror: {percentage: 100}', //                                 13
  '    - weight: 10', //                                                14
  '    - weight: 50', //                                                15
  '  bake: 5m', //                                                      16
  '  analysis:', //                                                     17
  '    interval: 1m', //                                                18
  '    checks:', //                                                     19
  '      - {name: success, type: success-rate, min: 99}', //            20
];

/** The base spec with lines replaced (1-based line → new text; null deletes the line). */
function spec(edits: Record<number, string | null> = {}, extra: string[] = []): string {
  return editedSpec(BASE, edits, extra);
}

const errorOf = specError;

/** Asserts one problem reads exactly `canary.yaml:<at> <path>: <message…>`. */
function expectProblem(text: string, at: string, path: string, message: string | RegExp): void {
  const error = errorOf(text);
  const lines = error.message.split('\n');
  const prefix = `canary.yaml:${at} ${path}: `;
  const line = lines.find((l) => l.startsWith(prefix));
  expect(line, `no problem at "${prefix}" in:\n${error.message}`).toBeDefined();
  const text_ = line!.slice(prefix.length);
  if (typeof message === 'string') expect(text_).toContain(message);
  else expect(text_).toMatch(message);
}

it('the base spec is valid (so each test below fails for its one edit)', () => {
  expect(parseCanarySpecs(spec(), 'canary.yaml')).toHaveLength(1);
});

describe('schema problems', () => {
  it('unknown key, with a did-you-mean hint', () => {
    expectProblem(spec({ 7: '  virtualServce: catalog' }), '7:3', 'spec.virtualServce', 'unknown field `virtualServce`; did you mean `virtualService`?');
  });

  it('unknown key without a close match lists the known ones', () => {
    expectProblem(spec({ 4: '  name: catalog\n  labels: {a: b}' }), '5:3', 'metadata.labels', 'unknown field `labels`; expected one of `name`');
  });

  it('missing required field', () => {
    expectProblem(spec({ 8: null }), '6:3', 'spec.host', 'missing required field `host`');
  });

  it('wrong type', () => {
    expectProblem(spec({ 14: '    - weight: ten' }), '14:15', 'spec.stages[2].weight', 'expected a whole number from 0 to 100, got "ten"');
  });

  it('a number where a string was meant, with a hint to quote it', () => {
    expectProblem(spec({ 10: '  canary: {subset: version-v2, labels: {version: 2}}' }), '10:50', 'spec.canary.labels.version',
      'expected a label value (at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit), got 2; quote it to make it a string');
  });

  it('weight out of range', () => {
    expectProblem(spec({ 15: '    - weight: 150' }), '15:15', 'spec.stages[3].weight', 'expected a whole number from 0 to 100, got 150');
  });

  it('mirror percentage of 0', () => {
    expectProblem(spec({ 13: '    - mirror: {percentage: 0}' }), '13:28', 'spec.stages[1].mirror.percentage', 'expected a number from 0.0001 to 100, got 0');
  });

  it('mirror percentage below one per million, which pilot truncates to nothing mirrored', () => {
    expectProblem(spec({ 13: '    - mirror: {percentage: 0.00001}' }), '13:28', 'spec.stages[1].mirror.percentage', 'expected a number from 0.0001 to 100, got 0.00001');
  });

  it('a dark-launch regex with a Unicode class RE2 knows but istiod (Go) does not', () => {
    expectProblem(spec({ 12: '    - darkLaunch: {headers: {x-cohort: {regex: "\\\\p{Sunuwar}+"}}}' }), '12:48', 'spec.stages[0].darkLaunch.headers.x-cohort.regex',
      "not a valid RE2 regular expression (invalid character class range: `\\p{Sunuwar}`: Go's regexp");
  });

  it('a stage with two kinds', () => {
    expectProblem(spec({ 14: '    - {weight: 10, mirror: {}}' }), '14:7', 'spec.stages[2]', 'expected exactly one of `darkLaunch`, `mirror` or `weight`, got `mirror` and `weight`');
  });

  it('a stage with no kind', () => {
    expectProblem(spec({ 14: '    - bake: 1m' }), '14:7', 'spec.stages[2]', 'expected exactly one of `darkLaunch`, `mirror` or `weight`');
  });

  it('empty stages', () => {
    expectProblem(spec({ 11: '  stages: []', 12: null, 13: null, 14: null, 15: null }), '11:11', 'spec.stages', 'expected at least 1 item, got 0');
  });

  it('invalid subset name', () => {
    expectProblem(spec({ 10: '  canary: {subset: Version_2, labels: {version: v2}}' }), '10:20', 'spec.canary.subset', 'expected a DNS-1123 label');
  });

  it('invalid metadata name', () => {
    expectProblem(spec({ 4: '  name: Catalog' }), '4:9', 'metadata.name', 'expected a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters), got "Catalog"');
  });

  it('bad duration', () => {
    expectProblem(spec({ 16: '  bake: 5 minutes' }), '16:9', 'spec.bake', 'expected a duration such as 500ms, 30s, 5m or 1h30m, got "5 minutes"');
  });

  it('header match with two kinds', () => {
    expectProblem(spec({ 12: '    - darkLaunch: {headers: {x-cohort: {exact: a, prefix: b}}}' }), '12:40', 'spec.stages[0].darkLaunch.headers.x-cohort',
      'a header match has exactly one of `exact`, `prefix` or `regex` (or is {} for "header present"), got `exact` and `prefix`');
  });

  it('header match with an empty prefix', () => {
    expectProblem(spec({ 12: '    - darkLaunch: {headers: {x-cohort: {prefix: ""}}}' }), '12:49', 'spec.stages[0].darkLaunch.headers.x-cohort.prefix', 'expected a non-empty string');
  });

  it('header match with an empty regex', () => {
    // istiod refuses an empty regex; caught here, not as an invalid produced VirtualService mid-plan.
    expectProblem(spec({ 12: '    - darkLaunch: {headers: {x-cohort: {regex: ""}}}' }), '12:48', 'spec.stages[0].darkLaunch.headers.x-cohort.regex', 'expected a non-empty string');
  });

  it('header name in capitals', () => {
    expectProblem(spec({ 12: '    - darkLaunch: {headers: {X-Cohort: {exact: a}}}' }), '12:30', 'spec.stages[0].darkLaunch.headers.X-Cohort', 'header names are lowercase: write `x-cohort`');
  });

  it('enum value with a typo', () => {
    expectProblem(spec({ 20: '      - {name: success, type: succes-rate, min: 99}' }), '20:31', 'spec.analysis.checks[0].type',
      'expected one of `success-rate`, `latency-p99` or `custom`, got "succes-rate"; did you mean `success-rate`?');
  });
});

describe('semantic problems', () => {
  it('non-increasing weights', () => {
    expectProblem(spec({ 15: '    - weight: 10' }), '15:15', 'spec.stages[3].weight', 'weights must strictly increase: 10 follows 10');
  });

  it('stages out of order', () => {
    expectProblem(spec({ 12: '    - mirror: {}', 13: '    - darkLaunch: {}' }), '13:19', 'spec.stages[1].darkLaunch', '`darkLaunch` must come before `mirror` and `weight` stages');
  });

  it('stable and canary equal', () => {
    const text = spec({ 10: '  canary: {subset: version-v1, labels: {version: v1}}' });
    expectProblem(text, '10:20', 'spec.canary.subset', 'stable and canary use the same subset `version-v1`; they must differ');
    expectProblem(text, '10:40', 'spec.canary.labels', 'stable and canary have the same labels; each must select only its own pods');
    expectProblem(text, '10:11', 'spec.canary.workload', 'stable and canary have the same workload `catalog-v1`');
  });

  it('stable labels that also select the canary pods', () => {
    expectProblem(spec({ 9: '  stable: {subset: stable, labels: {app: catalog}, workload: catalog-v1}', 10: '  canary: {subset: canary, labels: {app: catalog, version: v2}}' }),
      '10:36', 'spec.canary.labels', 'the stable labels also select every canary pod');
  });

  it('an unquoted numeric version is one problem ("quote it"), not also a missing subset and workload', () => {
    const error = errorOf(spec({ 10: '  canary: {labels: {version: 2}}' }));
    expect(error.problems.map((p) => p.path)).toEqual(['spec.canary.labels.version']);
    expect(error.problems[0]!.message).toContain('quote it to make it a string');
  });

  it('labels without `version` and no workload', () => {
    expectProblem(spec({ 10: '  canary: {subset: canary, labels: {track: canary}}' }), '10:11', 'spec.canary.workload', 'missing required field `workload` (required when the labels have no `version`)');
  });

  it('bad header regex', () => {
    expectProblem(spec({ 12: '    - darkLaunch: {headers: {x-cohort: {regex: "(?<=a)b"}}}' }), '12:48', 'spec.stages[0].darkLaunch.headers.x-cohort.regex',
      'not a valid RE2 regular expression (invalid named capture: `(?<=a)b`)');
  });

  it('header regex longer than Istio allows', () => {
    expectProblem(spec({ 12: `    - darkLaunch: {headers: {x-cohort: {regex: "${'a'.repeat(1025)}"}}}` }), '12:48', 'spec.stages[0].darkLaunch.headers.x-cohort.regex', 'expected at most 1024 characters, got 1025');
  });

  it('analysis interval below one second', () => {
    expectProblem(spec({ 18: '    interval: 500ms' }), '18:15', 'spec.analysis.interval', 'expected at least 1s, got 500ms');
  });

  it('duplicate check names', () => {
    expectProblem(spec({}, ['      - {name: success, type: latency-p99, max: 300}']), '21:16', 'spec.analysis.checks[1].name', 'duplicate check name `success` (also checks[0])');
  });

  it('relative check without a shift stage', () => {
    expectProblem(spec({ 14: null, 15: null, 20: '      - {name: success, type: success-rate, min: 99, compare: both}' }), '18:63', 'spec.analysis.checks[0].compare',
      'compare `both` needs a weight stage between 0 and 100');
  });

  it('success-rate with a max', () => {
    expectProblem(spec({ 20: '      - {name: success, type: success-rate, min: 99, max: 100}' }), '20:59', 'spec.analysis.checks[0].max', '`max` does not apply to success-rate');
  });

  it('custom check without a query', () => {
    expectProblem(spec({}, ['      - {name: depth, type: custom, max: 3}']), '21:9', 'spec.analysis.checks[1].query', 'missing required field `query`');
  });

  it('bad PromQL, with the column inside the query', () => {
    expectProblem(spec({}, ['      - {name: depth, type: custom, max: 3, query: "sum(rate(q[{{ interval }}])"}']), '21:52', 'spec.analysis.checks[1].query',
      'PromQL syntax error at column 28: unexpected end of query');
  });

  it('unknown template variable', () => {
    expectProblem(spec({}, ['      - {name: depth, type: custom, max: 3, query: "q{w=\\"{{ workload }}\\"}"}']), '21:52', 'spec.analysis.checks[1].query',
      'unknown template variable {{ workload }} at column 6; allowed: {{ namespace }}, {{ service }}, {{ canaryService }}, {{ stableService }}, {{ canaryWorkload }}');
  });

  it('template variable outside double quotes (its value could not be escaped)', () => {
    expectProblem(spec({}, ['      - {name: depth, type: custom, max: 3, query: "q{w=~{{ canaryWorkload }}}"}']), '21:52', 'spec.analysis.checks[1].query',
      '{{ canaryWorkload }} must be inside a double-quoted string so its value can be escaped');
  });

  it('version variable for a version whose labels have no `version` (it would have no value mid-release)', () => {
    expectProblem(spec({ 10: '  canary: {subset: canary, workload: catalog-canary, labels: {track: canary}}' }, ['      - {name: depth, type: custom, max: 3, query: "q{v=\\"{{ canaryVersion }}\\"}"}']),
      '21:52', 'spec.analysis.checks[1].query', '{{ canaryVersion }} has no value: the canary labels have no `version`');
  });

  it('a Prometheus header value with a line break (fetch would refuse it at the first gate, mid-release)', () => {
    expectProblem(spec({ 18: '    interval: 1m\n    prometheus: {headers: {X-Scope-OrgID: "a\\nb"}}' }), '19:43', 'spec.analysis.prometheus.headers.X-Scope-OrgID',
      'an HTTP header value cannot contain line breaks or NUL characters');
  });

  it('a dark-launch header value with a line break (no request can carry it; it would reach the log as a workflow command)', () => {
    expectProblem(spec({ 12: '    - darkLaunch: {headers: {x-istio-cohort: {exact: "internal\\n::warning::X\\n::set-output name=status::promoted"}}}' }), '12:54',
      'spec.stages[0].darkLaunch.headers.x-istio-cohort.exact', 'a header value cannot contain line breaks or NUL characters (no request can carry one); expected a single line');
  });

  it('a dark-launch header value with spaces around it (Envoy trims them, so nothing would match)', () => {
    expectProblem(spec({ 12: '    - darkLaunch: {headers: {x-istio-cohort: {exact: " internal"}}}' }), '12:54',
      'spec.stages[0].darkLaunch.headers.x-istio-cohort.exact', 'header values reach Envoy without leading or trailing spaces and tabs, so no request would match " internal"; expected the value without them');
    expectProblem(spec({ 12: '    - darkLaunch: {headers: {x-istio-cohort: {prefix: "\\tin"}}}' }), '12:55',
      'spec.stages[0].darkLaunch.headers.x-istio-cohort.prefix', 'header values reach Envoy without leading spaces and tabs');
    expect(() => parseCanarySpecs(spec({ 12: '    - darkLaunch: {headers: {x-istio-cohort: {prefix: "in "}}}' }), 'canary.yaml')).not.toThrow();
  });

  it('a check name with a line break or another control character', () => {
    for (const name of ['"ok\\n::set-output name=status::promoted"', '"ok\\rx"', '"a\\u0007b"']) {
      expectProblem(spec({ 20: `      - {name: ${name}, type: success-rate, min: 99}` }), '20:16', 'spec.analysis.checks[0].name',
        'a check name cannot contain line breaks or other control characters (it is printed in logs and reports); expected a single line of text');
    }
  });

  it('a route name that is the canary\'s own header rule name', () => {
    expectProblem(spec({ 7: '  virtualService: catalog\n  route: catalog-dark-launch' }), '8:10', 'spec.route',
      '`catalog-dark-launch` is the name of the dark-launch rule this canary adds; expected the name of the route that carries the traffic');
  });

  it('credentials in the Prometheus URL', () => {
    expectProblem(spec({ 18: '    interval: 1m\n    prometheus: {url: "https://admin:s3cret@prom.example:9090"}' }), '19:23', 'spec.analysis.prometheus.url',
      'do not put credentials in the spec; pass a URL with credentials through the `prometheus-url` input (from a secret) or use `bearerTokenEnv`');
  });

  it('a malformed Prometheus URL with credentials: the error never repeats them', () => {
    const error = errorOf(spec({ 18: '    interval: 1m\n    prometheus: {url: "https://admin:s3cret pass@prom.example:9090/?token=t0ken x"}' }));
    expect(error.message).toContain('spec.analysis.prometheus.url: expected an http:// or https:// URL, got "https://***@prom.example:9090/?***"');
    expect(error.message).not.toMatch(/s3cret|t0ken/);
  });

  it('bearerTokenEnv with characters an environment variable name cannot have says what is expected', () => {
    expectProblem(spec({ 18: '    interval: 1m\n    prometheus: {bearerTokenEnv: MY-TOKEN}' }), '19:34', 'spec.analysis.prometheus.bearerTokenEnv',
      'expected an environment variable name (letters, digits and "_", not starting with a digit), got "MY-TOKEN"');
  });

  it('nesting deeper than any spec needs is one clear error at its line, not a stack overflow', () => {
    for (const depth of [150, 5000]) {
      const error = errorOf(spec({}, [`  extra: ${'['.repeat(depth)}${']'.repeat(depth)}`]));
      expect(error.message).toMatch(/^canary\.yaml:21:\d+[: ].*nested (more than 100 levels deep|too deeply); expected at most 100 levels of lists and mappings$/);
    }
  });

  it('credentials in Prometheus headers', () => {
    expectProblem(spec({ 18: '    interval: 1m\n    prometheus: {headers: {Authorization: Bearer x}}' }), '19:28', 'spec.analysis.prometheus.headers.Authorization',
      'name an environment variable holding the token in `bearerTokenEnv`');
  });
});

describe('document problems', () => {
  it('malformed YAML points at the syntax error', () => {
    const error = errorOf(spec({ 9: '  stable: {subset: version-v1, labels: {version: v1}' }));
    expect(error.message).toMatch(/^canary\.yaml:10:\d+: malformed YAML: /);
  });

  it('duplicate keys are malformed YAML', () => {
    const error = errorOf(spec({ 8: '  host: catalog\n  host: reviews' }));
    expect(error.message).toMatch(/^canary\.yaml:9:3: malformed YAML: Map keys must be unique/);
  });

  it('wrong kind', () => {
    expectProblem(spec({ 2: 'kind: VirtualService' }), '2:7', 'kind', 'expected kind `Canary`, got "VirtualService"');
  });

  it('kind in the wrong case, with a hint', () => {
    expectProblem(spec({ 2: 'kind: canary' }), '2:7', 'kind', 'expected kind `Canary`, got "canary"; did you mean `Canary`?');
  });

  it('wrong apiVersion', () => {
    expectProblem(spec({ 1: 'apiVersion: istio-canary/v2' }), '1:13', 'apiVersion', 'expected apiVersion `istio-canary/v1`, got "istio-canary/v2"');
  });

  it('a document that is not a mapping', () => {
    const error = errorOf('- a\n- b\n');
    expect(error.message).toBe('canary.yaml:1:1: expected a Canary spec (a mapping with apiVersion, kind, metadata and spec), got a list');
  });

  it('two specs with one name', () => {
    expectProblem(`${spec()}---\n${spec()}`, '25:9', 'metadata.name', 'duplicate Canary name `catalog` (also document 1)');
  });

  it('an empty file', () => {
    expect(errorOf('# nothing here\n').message).toBe('canary.yaml: no Canary spec found (the file has no YAML document)');
  });

  it('lists every problem of a document, in source order', () => {
    const error = errorOf(spec({ 4: '  name: Catalog', 14: '    - weight: ten', 16: '  bake: soon' }));
    expect(error.problems.map((p) => [p.line, p.path])).toEqual([[4, 'metadata.name'], [14, 'spec.stages[2].weight'], [16, 'spec.bake']]);
    expect(error.message).not.toMatch(/\n\s+at /); // no stack trace
  });
});
