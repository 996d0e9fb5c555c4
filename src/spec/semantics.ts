// Rules the JSON Schema cannot express. Runs on the document even when the schema found problems, so
// one pass reports everything; every rule therefore checks the types it relies on.
import { durationProblem, parseDuration } from './duration.ts';
import type { PathSegment } from './locate.ts';
import { isDnsLabel, shortHost } from './names.ts';
import { isRecord, type PathProblem } from './problem.ts';
import { promqlSyntaxError } from './promql.ts';
import { findCheckType } from '../analysis/checks/registry.ts';
import { templateProblems, templateVariables } from '../analysis/render.ts';
import { regexProblem } from '../istio/regex.ts';
import { headerRuleName } from '../istio/header-rule.ts';
import { branchNameProblem, isRepositoryPath } from './repository-path.ts';
import { reporterProblems } from './reporter-rules.ts';
import { routingProblems, usesHttpRoute } from './routing-rules.ts';
import { egressProblems } from './egress.ts';

type Problems = PathProblem[];
const STAGE_KINDS = ['darkLaunch', 'mirror', 'weight'] as const;
const LINE_BREAK = /[\r\n\0\u0085\u2028\u2029]/;
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

function versionRules(spec: Record<string, unknown>, role: 'stable' | 'canary', problems: Problems): void {
  const ref = spec[role];
  if (isRecord(ref) && ref.host === undefined && ref.labels === undefined) {
    problems.push({ path: ['spec', role, 'labels'], message: 'missing required field `labels` (the pod labels of the version\'s subset; or `host`, the version\'s own Service)' });
    return;
  }
  if (isRecord(ref) && ref.host !== undefined) {
    if (ref.subset !== undefined) problems.push({ path: ['spec', role, 'subset'], message: '`subset` and `host` exclude each other: a version is either a subset of the spec\'s host or a Service of its own; expected one of them' });
    return;
  }
  if (!isRecord(ref) || !isRecord(ref.labels)) return;
  const version = ref.labels.version;
  const path: PathSegment[] = ['spec', role];
  // A version that is present but not a string (`version: 2`) is the schema's to report ("quote it").
  if (version === undefined) {
    if (ref.subset === undefined) problems.push({ path: [...path, 'subset'], message: 'missing required field `subset` (required when the labels have no `version`)' });
    if (ref.workload === undefined) problems.push({ path: [...path, 'workload'], message: 'missing required field `workload` (required when the labels have no `version`)' });
    return;
  }
  if (typeof version === 'string' && ref.subset === undefined && !isDnsLabel(`version-${version}`)) {
    problems.push({ path: [...path, 'labels', 'version'], message: `the default subset name \`version-${version}\` (from the version) is not a DNS-1123 label: use a lowercase version or set \`subset\`` });
  }
}

function sameLabels(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return Object.entries(a).every(([k, v]) => b[k] === v);
}

/** One Service per version: both versions name their own Service, or neither does (then the spec's host is required). */
function versionHosts(spec: Record<string, unknown>, problems: Problems): void {
  const { stable, canary } = spec;
  const hostOf = (ref: unknown) => (isRecord(ref) && typeof ref.host === 'string' ? ref.host : undefined);
  const [a, b] = [hostOf(stable), hostOf(canary)];
  if (a === undefined && b === undefined) {
    if (spec.host === undefined) problems.push({ path: ['spec', 'host'], message: 'missing required field `host` (the destination host of the routes to release; or give each version its own `host`)' });
    return;
  }
  if (a === undefined || b === undefined) {
    const missing = a === undefined ? 'stable' : 'canary';
    problems.push({ path: ['spec', missing], message: `expected \`host\` here too: with one Service per version, both versions name their own Service (the ${missing === 'stable' ? 'canary' : 'stable'} version has \`host: ${a ?? b}\`)` });
    return;
  }
  if (a === b) problems.push({ path: ['spec', 'canary', 'host'], message: `stable and canary are both the Service \`${a}\`; expected each version's own Service` });
  // Equal workloads are fine here (Argo Rollouts: both Services select pods of one Rollout): the checks
  // select each version by its Service from the client's side (analysis/queries.ts). Shadow requests
  // are reported by the receiving pod alone, under its workload, so a mirror stage needs two.
  const workloadOf = (ref: unknown, host: string) => (isRecord(ref) && typeof ref.workload === 'string' ? ref.workload : shortHost(host));
  // The default stages are filled in before these rules run.
  const mirrorStage = Array.isArray(spec.stages) ? spec.stages.findIndex((st) => isRecord(st) && 'mirror' in st) : -1;
  if (a !== b && workloadOf(stable, a) === workloadOf(canary, b) && mirrorStage >= 0) {
    problems.push({ path: ['spec', 'canary', 'workload'], message: `stable and canary share the workload \`${workloadOf(canary, b)}\` and stage ${mirrorStage} mirrors: shadow requests are reported only by the pod that receives them, under its workload, so the canary's could not be told from stable's; expected each version's own workload, or stages without \`mirror\`` });
  }
  if (typeof spec.host === 'string' && spec.host !== a) {
    problems.push({ path: ['spec', 'host'], message: `with one Service per version the released host is the stable one, \`${a}\`, not \`${spec.host}\`; expected \`host: ${a}\` or no \`host\`` });
  }
}

function stableVersusCanary(spec: Record<string, unknown>, problems: Problems): void {
  const { stable, canary } = spec;
  if (!isRecord(stable) || !isRecord(canary) || !isRecord(stable.labels) || !isRecord(canary.labels)) return;
  if (stable.host !== undefined || canary.host !== undefined) return; // two Services: the labels may well be equal
  const subsetOf = (ref: Record<string, unknown>, labels: Record<string, unknown>) => ref.subset ?? (typeof labels.version === 'string' ? `version-${labels.version}` : undefined);
  const stableSubset = subsetOf(stable, stable.labels);
  if (stableSubset !== undefined && stableSubset === subsetOf(canary, canary.labels)) {
    problems.push({ path: ['spec', 'canary', 'subset'], message: `stable and canary use the same subset \`${String(stableSubset)}\`; they must differ` });
  }
  const stableSelectsCanary = sameLabels(stable.labels, canary.labels);
  const canarySelectsStable = sameLabels(canary.labels, stable.labels);
  if (stableSelectsCanary || canarySelectsStable) {
    const overlap = stableSelectsCanary && canarySelectsStable ? 'stable and canary have the same labels'
      : stableSelectsCanary ? 'the stable labels also select every canary pod' : 'the canary labels also select every stable pod';
    problems.push({ path: ['spec', 'canary', 'labels'], message: `${overlap}; each must select only its own pods (e.g. differ in \`version\`)` });
  }
  const workloadOf = (ref: Record<string, unknown>, labels: Record<string, unknown>) =>
    ref.workload ?? (typeof labels.version === 'string' && typeof spec.host === 'string' ? `${shortHost(spec.host)}-${labels.version}` : undefined);
  const stableWorkload = workloadOf(stable, stable.labels);
  if (stableWorkload !== undefined && stableWorkload === workloadOf(canary, canary.labels)) {
    problems.push({ path: ['spec', 'canary', 'workload'], message: `stable and canary have the same workload \`${String(stableWorkload)}\`; metrics could not tell them apart` });
  }
}

function stageKind(stage: Record<string, unknown>): (typeof STAGE_KINDS)[number] | undefined {
  const kinds = STAGE_KINDS.filter((k) => k in stage);
  return kinds.length === 1 ? kinds[0] : undefined;
}

/** Stages with exactly one kind, with their index (a stage with none or several is a schema error). */
function kindedStages(stages: unknown[]): { index: number; kind: (typeof STAGE_KINDS)[number]; stage: Record<string, unknown> }[] {
  return stages.flatMap((stage, index) => {
    const kind = isRecord(stage) ? stageKind(stage) : undefined;
    return kind && isRecord(stage) ? [{ index, kind, stage }] : [];
  });
}

/** Dark launch, then mirror, then weights: each later stage builds on the route the earlier one left. */
function stageOrder(stages: unknown[], problems: Problems): void {
  const rank = { darkLaunch: 0, mirror: 1, weight: 2 } as const;
  let highest = -1;
  const seen = new Set<string>();
  for (const { index, kind } of kindedStages(stages)) {
    const path: PathSegment[] = ['spec', 'stages', index, kind];
    if (kind !== 'weight' && seen.has(kind)) problems.push({ path, message: `only one \`${kind}\` stage is allowed` });
    else if (rank[kind] < highest) problems.push({ path, message: `\`${kind}\` must come before ${kind === 'darkLaunch' ? '`mirror` and `weight`' : '`weight`'} stages (order: darkLaunch, mirror, weights)` });
    seen.add(kind);
    highest = Math.max(highest, rank[kind]);
  }
}

function increasingWeights(stages: unknown[], problems: Problems): void {
  let highest: number | undefined;
  for (const { index, stage } of kindedStages(stages)) {
    if (typeof stage.weight !== 'number') continue;
    if (highest !== undefined && stage.weight <= highest) {
      problems.push({ path: ['spec', 'stages', index, 'weight'], message: `weights must strictly increase: ${stage.weight} follows ${highest}` });
    }
    highest = Math.max(highest ?? -1, stage.weight);
  }
}

function headerRules(stages: unknown[], problems: Problems): void {
  stages.forEach((stage, i) => {
    if (!isRecord(stage) || !isRecord(stage.darkLaunch) || !isRecord(stage.darkLaunch.headers)) return;
    for (const [name, match] of Object.entries(stage.darkLaunch.headers)) {
      if (!isRecord(match)) continue;
      for (const [op, value] of Object.entries(match)) {
        // HTTP forbids them in a header value, so no request could ever match; and the value is logged.
        if (typeof value === 'string' && LINE_BREAK.test(value)) {
          problems.push({ path: ['spec', 'stages', i, 'darkLaunch', 'headers', name, op], message: 'a header value cannot contain line breaks or NUL characters (no request can carry one); expected a single line' });
        } else if (typeof value === 'string' && ((op === 'exact' && /^[ \t]|[ \t]$/.test(value)) || (op === 'prefix' && /^[ \t]/.test(value)))) {
          // Envoy's HTTP/1 codec trims spaces and tabs around a header value (RFC 9110 5.5), so no request would match.
          problems.push({ path: ['spec', 'stages', i, 'darkLaunch', 'headers', name, op], message: `header values reach Envoy without leading${op === 'exact' ? ' or trailing' : ''} spaces and tabs, so no request would match ${JSON.stringify(value)}; expected the value without them` });
        }
      }
      if (typeof match.regex !== 'string') continue;
      const problem = regexProblem(match.regex);
      if (problem) problems.push({ path: ['spec', 'stages', i, 'darkLaunch', 'headers', name, 'regex'], message: problem });
    }
  });
}

function hasStableTraffic(stages: unknown[]): boolean {
  return stages.some((s) => isRecord(s) && typeof s.weight === 'number' && s.weight > 0 && s.weight < 100);
}

/** `stable`/`canary` whose labels have no `version`: their {{ …Version }} variable has no value. */
function versionlessRoles(spec: Record<string, unknown>): Array<'stable' | 'canary'> {
  return (['stable', 'canary'] as const).filter((role) => {
    const ref = spec[role];
    return isRecord(ref) && isRecord(ref.labels) && ref.labels.version === undefined;
  });
}

/** A version variable the template uses that would fail at its first evaluation, mid-release. */
function versionlessProblem(query: string, versionless: Array<'stable' | 'canary'>): string | undefined {
  const used = templateVariables(query);
  const role = versionless.find((r) => used.includes(`${r}Version`));
  return role && `{{ ${role}Version }} has no value: the ${role} labels have no \`version\`; use {{ ${role}Workload }} or add a \`version\` label`;
}

/** A custom query template's first problem: unknown variables are best named by the syntax check (it
 * gives the column); otherwise a placeholder outside double quotes (its value could not be escaped)
 * explains more than the syntax error its stand-in causes. */
function queryProblem(query: string, versionless: Array<'stable' | 'canary'>): string | undefined {
  const syntax = promqlSyntaxError(query);
  return syntax?.startsWith('unknown template variable') ? syntax : (templateProblems(query)[0] ?? syntax) ?? versionlessProblem(query, versionless);
}

function checkRules(check: Record<string, unknown>, path: PathSegment[], shiftStage: boolean, versionless: Array<'stable' | 'canary'>, problems: Problems): void {
  const { compare } = check;
  const relative = compare === 'relative' || compare === 'both';
  const absolute = compare === 'absolute' || compare === 'both';
  const problem = (field: string | undefined, message: string) => problems.push({ path: field === undefined ? path : [...path, field], message });
  // The type's own rules live in its check file; an unknown type is the schema's to report.
  findCheckType(check.type)?.specRules(check, {
    relative,
    absolute,
    problem,
    refuse: (field, why) => {
      if (check[field] !== undefined) problem(field, why);
    },
    need: (field, why) => {
      if (check[field] === undefined) problem(field, `missing required field \`${field}\` (${why})`);
    },
    queryProblem: (query) => queryProblem(query, versionless),
  });
  if (typeof check.min === 'number' && typeof check.max === 'number' && check.min > check.max) {
    problems.push({ path: [...path, 'min'], message: `min ${check.min} is above max ${check.max}` });
  }
  if (relative && !shiftStage) {
    problems.push({ path: [...path, 'compare'], message: `compare \`${String(compare)}\` needs a weight stage between 0 and 100 (stable must still get traffic); use \`absolute\`` });
  }
}

/** `https://user:password@host`: credentials the adapter would send as Basic auth, written in the spec. */
function hasUserinfo(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false; // the schema's pattern reports a malformed URL
  }
}

function analysisRules(analysis: Record<string, unknown>, stages: unknown[], versionless: Array<'stable' | 'canary'>, problems: Problems): void {
  const path: PathSegment[] = ['spec', 'analysis'];
  if (typeof analysis.interval === 'string' && !durationProblem(analysis.interval) && parseDuration(analysis.interval) < 1000) {
    problems.push({ path: [...path, 'interval'], message: `expected at least 1s, got ${analysis.interval}` });
  }
  const prometheus = analysis.prometheus;
  if (isRecord(prometheus) && typeof prometheus.url === 'string' && hasUserinfo(prometheus.url)) {
    problems.push({ path: [...path, 'prometheus', 'url'], message: 'do not put credentials in the spec; pass a URL with credentials through the `prometheus-url` input (from a secret) or use `bearerTokenEnv`' });
  }
  if (isRecord(prometheus) && isRecord(prometheus.headers)) {
    for (const [name, value] of Object.entries(prometheus.headers)) {
      if (name.toLowerCase() === 'authorization') {
        problems.push({ path: [...path, 'prometheus', 'headers', name], atKey: true, message: 'do not put credentials in the spec; name an environment variable holding the token in `bearerTokenEnv`' });
      }
      // fetch refuses such a value, which would fail the first gate of the release instead of the spec.
      if (typeof value === 'string' && LINE_BREAK.test(value)) {
        problems.push({ path: [...path, 'prometheus', 'headers', name], message: 'an HTTP header value cannot contain line breaks or NUL characters' });
      }
    }
  }
  if (!Array.isArray(analysis.checks)) return;
  const names = new Map<string, number>();
  const shiftStage = hasStableTraffic(stages);
  analysis.checks.forEach((check, i) => {
    if (!isRecord(check)) return;
    const checkPath = [...path, 'checks', i];
    if (typeof check.name === 'string' && CONTROL.test(check.name)) {
      problems.push({ path: [...checkPath, 'name'], message: 'a check name cannot contain line breaks or other control characters (it is printed in logs and reports); expected a single line of text' });
    }
    if (typeof check.name === 'string') {
      const first = names.get(check.name);
      if (first !== undefined) problems.push({ path: [...checkPath, 'name'], message: `duplicate check name \`${check.name}\` (also checks[${first}])` });
      else names.set(check.name, i);
    }
    checkRules(check, checkPath, shiftStage, versionless, problems);
  });
}

/** The owned route must not carry the name of the header rule the canary inserts before it (`<name>-dark-launch`):
 * the two would share a name and a later run could not tell them apart. */
function routeNameRule(document: Record<string, unknown>, spec: Record<string, unknown>, problems: Problems): void {
  const name = isRecord(document.metadata) ? document.metadata.name : undefined;
  if (typeof name === 'string' && spec.route === headerRuleName(name)) {
    problems.push({ path: ['spec', 'route'], message: `\`${spec.route}\` is the name of the dark-launch rule this canary adds; expected the name of the route that carries the traffic` });
  }
}

const SYNC_SOURCES = ['argocd', 'flux', 'live', 'wait'] as const;
const PATH_EXPECTED = 'expected a file of the repository: a relative path with `/` between folders and no `.` or `..` parts';

/** Commit mode needs to know where the objects live; paths stay inside the repository; one sync source. */
function commitRules(spec: Record<string, unknown>, problems: Problems): void {
  const commit = spec.commit;
  if (spec.mode === 'commit' && commit === undefined) {
    problems.push({ path: ['spec', 'commit'], message: 'missing: `mode: commit` needs `commit` with the `branch` and the `file` that holds the managed objects' });
  }
  if (!isRecord(commit)) return;
  const path: PathSegment[] = ['spec', 'commit'];
  if (typeof commit.file === 'string' && !isRepositoryPath(commit.file)) problems.push({ path: [...path, 'file'], message: `\`${commit.file}\` is not a file of the repository; ${PATH_EXPECTED}` });
  if (isRecord(commit.files)) {
    for (const [object, file] of Object.entries(commit.files)) {
      if (typeof file === 'string' && !isRepositoryPath(file)) problems.push({ path: [...path, 'files', object], message: `\`${file}\` is not a file of the repository; ${PATH_EXPECTED}` });
    }
  }
  if (typeof commit.branch === 'string') {
    const problem = branchNameProblem(commit.branch);
    if (problem) problems.push({ path: [...path, 'branch'], message: `git does not allow this branch name: it ${problem}` });
  }
  // A URL with a password or token would be printed in logs and stored in the rollout's history.
  if (typeof commit.repository === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(commit.repository)) {
    problems.push({ path: [...path, 'repository'], message: 'do not put credentials in the spec; give git its credentials (a credential helper, GIT_ASKPASS) or use `push: github`' });
  }
  if (isRecord(commit.sync)) {
    const given = SYNC_SOURCES.filter((k) => commit.sync !== undefined && (commit.sync as Record<string, unknown>)[k] !== undefined && (commit.sync as Record<string, unknown>)[k] !== false);
    if (given.length > 1) problems.push({ path: [...path, 'sync', given[1]!], atKey: true, message: `give one way to tell a commit is in effect, not ${given.map((g) => `\`${g}\``).join(' and ')}` });
  }
}

/** Every semantic problem of a (possibly schema-invalid) document, located by field path.
 * `defaultStages`: the schema filled in `stages` (the document had none). */
export function semanticProblems(document: unknown, { defaultStages = false } = {}): PathProblem[] {
  const problems: Problems = [];
  const spec = isRecord(document) ? document.spec : undefined;
  if (!isRecord(spec)) return problems;
  routeNameRule(document as Record<string, unknown>, spec, problems);
  routingProblems(spec, problems);
  reporterProblems(spec, problems, defaultStages);
  if (!usesHttpRoute(spec)) {
    versionRules(spec, 'stable', problems);
    versionRules(spec, 'canary', problems);
    versionHosts(spec, problems);
    stableVersusCanary(spec, problems);
  }
  const stages = Array.isArray(spec.stages) ? spec.stages : [];
  stageOrder(stages, problems);
  increasingWeights(stages, problems);
  headerRules(stages, problems);
  if (isRecord(spec.analysis)) analysisRules(spec.analysis, stages, versionlessRoles(spec), problems);
  commitRules(spec, problems);
  problems.push(...egressProblems(spec));
  return problems;
}
