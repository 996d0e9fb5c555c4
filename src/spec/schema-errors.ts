// ajv's errors in plain words: what was expected, what was found, and a "did you mean" for typos.
import type { ErrorObject } from 'ajv';
import { durationProblem } from './duration.ts';
import type { PathSegment } from './locate.ts';
import { isRecord, shown, wordList, type PathProblem } from './problem.ts';
import { didYouMean } from './suggest.ts';
import { redactUrl } from './url.ts';

/** What a value of each shared definition must look like, for pattern errors. */
const EXPECTED_BY_DEFINITION: Record<string, string> = {
  dnsLabel: 'a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)',
  objectName: 'a Kubernetes object name (lowercase letters, digits, "-" and ".", at most 253 characters)',
  host: 'a host name such as `catalog` or `catalog.istioinaction.svc.cluster.local`',
  labelValue: 'a label value (at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit)',
  labelKey: 'a label key such as `version` or `app.kubernetes.io/version`',
  headerName: 'a lowercase HTTP header name (letters, digits and !#$%&\'*+-.^_`|~)',
  httpHeaderName: 'an HTTP header name (letters, digits and !#$%&\'*+-.^_`|~)',
};

/** What a string with one of the schema's own patterns (outside the definitions) must look like. */
const STRING_PATTERNS: Record<string, string> = {
  '^https?://[^\\s]+$': 'an http:// or https:// URL',
  '^[A-Za-z_][A-Za-z0-9_]*$': 'an environment variable name (letters, digits and "_", not starting with a digit)',
};

function pathOf(instancePath: string): PathSegment[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

function definitionOf(schemaPath: string): string | undefined {
  return /^#\/definitions\/([^/]+)\//.exec(schemaPath)?.[1];
}

function range(schema: Record<string, unknown>): string {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
  if (minimum !== undefined && maximum !== undefined) return ` from ${minimum} to ${maximum}`;
  const lower = minimum !== undefined ? `at least ${minimum}` : exclusiveMinimum !== undefined ? `more than ${exclusiveMinimum}` : '';
  const upper = maximum !== undefined ? `at most ${maximum}` : exclusiveMaximum !== undefined ? `less than ${exclusiveMaximum}` : '';
  const both = [lower, upper].filter((part) => part !== '').join(' and ');
  return both === '' ? '' : ` ${both}`;
}

/** "a whole number from 0 to 100", "a duration such as …", "one of `a`, `b`". */
function expected(schema: Record<string, unknown>, definition: string | undefined): string {
  if (definition === 'duration') return 'a duration such as 500ms, 30s, 5m or 1h30m';
  if (definition && EXPECTED_BY_DEFINITION[definition]) return EXPECTED_BY_DEFINITION[definition];
  if (Array.isArray(schema.enum)) return `one of ${wordList(schema.enum.map(String))}`;
  if (schema.const !== undefined) return `\`${String(schema.const)}\``;
  switch (schema.type) {
    case 'integer': return `a whole number${range(schema)}`;
    case 'number': return `a number${range(schema)}`;
    case 'boolean': return 'true or false';
    case 'object': return 'a mapping';
    case 'array': return 'a list';
    case 'string': return STRING_PATTERNS[String(schema.pattern)] ?? (schema.pattern ? `a string matching \`${String(schema.pattern)}\`` : 'a string');
    default: return 'a valid value';
  }
}

function alternativesOf(schema: unknown): string[] {
  if (!isRecord(schema) || !Array.isArray(schema.oneOf)) return [];
  return schema.oneOf.flatMap((branch: unknown) => (isRecord(branch) && Array.isArray(branch.required) ? branch.required.map(String) : []));
}

interface ErrorContext {
  path: PathSegment[];
  parent: Record<string, unknown>;
  definition: string | undefined;
  data: unknown;
  params: Record<string, unknown>;
}

function plural(n: unknown, one: string, many: string): string {
  return `${String(n)} ${Number(n) === 1 ? one : many}`;
}

/** Problems with the document's structure: missing, unknown, or too few/many entries. */
function structureProblem(keyword: string, { path, parent, definition, data, params }: ErrorContext): PathProblem | undefined {
  switch (keyword) {
    case 'required': {
      const field = String(params.missingProperty);
      return { path: [...path, field], message: `missing required field \`${field}\`` };
    }
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const known = isRecord(parent.properties) ? Object.keys(parent.properties) : [];
      const hint = didYouMean(field, known) || (known.length ? `; expected one of ${wordList(known)}` : '');
      return { path: [...path, field], atKey: true, message: `unknown field \`${field}\`${hint}` };
    }
    case 'oneOf': {
      const options = alternativesOf(parent);
      const present = isRecord(data) ? options.filter((o) => o in data) : [];
      const found = present.length ? `, got ${wordList(present, 'and')}` : isRecord(data) ? '' : `, got ${shown(data)}`;
      return { path, message: `expected exactly one of ${wordList(options)}${found}` };
    }
    case 'maxProperties':
      if (definition === 'stringMatch' && isRecord(data)) {
        return { path, message: `a header match has exactly one of \`exact\`, \`prefix\` or \`regex\` (or is {} for "header present"), got ${wordList(Object.keys(data), 'and')}` };
      }
      return { path, message: `expected at most ${plural(params.limit, 'entry', 'entries')}` };
    case 'minProperties':
      return { path, message: `expected at least ${plural(params.limit, 'entry', 'entries')}, got none` };
    case 'minItems':
      return { path, message: `expected at least ${plural(params.limit, 'item', 'items')}, got ${Array.isArray(data) ? data.length : 0}` };
    default:
      return undefined;
  }
}

/** Problems with one value: its type, range, length, spelling or pattern. */
function valueProblem(keyword: string, { path, parent, definition, data, params }: ErrorContext): PathProblem {
  switch (keyword) {
    case 'minLength':
      return { path, message: Number(params.limit) === 1 ? 'expected a non-empty string' : `expected at least ${String(params.limit)} characters` };
    case 'maxLength':
      return { path, message: `expected at most ${String(params.limit)} characters, got ${typeof data === 'string' ? data.length : '?'}` };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      return { path, message: `expected one of ${wordList(allowed)}, got ${shown(data)}${typeof data === 'string' ? didYouMean(data, allowed) : ''}` };
    }
    case 'pattern':
      if (definition === 'duration' && typeof data === 'string') return { path, message: durationProblem(data)! };
      if (definition === 'headerName' && typeof data === 'string' && /^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(data.toLowerCase())) {
        return { path, message: `header names are lowercase: write \`${data.toLowerCase()}\`` };
      }
      // A URL may carry a password: never repeat it.
      return { path, message: `expected ${expected(parent, definition)}, got ${shown(path.at(-1) === 'url' && typeof data === 'string' ? redactUrl(data) : data)}` };
    default: {
      // YAML reads `version: 2` or `on` unquoted as a number or boolean where a string was meant.
      const quoteHint = keyword === 'type' && parent.type === 'string' && (typeof data === 'number' || typeof data === 'boolean')
        ? `; quote it to make it a string` : '';
      return { path, message: `expected ${expected(parent, definition)}, got ${shown(data)}${quoteHint}` };
    }
  }
}

function translate(error: ErrorObject): PathProblem | undefined {
  // propertyNames wraps a nested error that carries `propertyName` and says it better.
  if (error.keyword === 'propertyNames') return undefined;
  const context: ErrorContext = {
    path: pathOf(error.instancePath),
    parent: isRecord(error.parentSchema) ? error.parentSchema : {},
    definition: definitionOf(error.schemaPath),
    data: error.data,
    params: error.params as Record<string, unknown>,
  };
  return structureProblem(error.keyword, context) ?? valueProblem(error.keyword, context);
}

/** Drops errors already explained by an enclosing oneOf (its branches' "missing" complaints). */
function withoutBranchNoise(errors: ErrorObject[]): ErrorObject[] {
  const choices = errors.filter((e) => e.keyword === 'oneOf');
  return errors.filter((e) => !choices.some((c) => c !== e && c.instancePath === e.instancePath && e.schemaPath.startsWith(`${c.schemaPath}/`)));
}

export function problemsFromSchemaErrors(errors: ErrorObject[]): PathProblem[] {
  const problems: PathProblem[] = [];
  const seen = new Set<string>();
  for (const error of withoutBranchNoise(errors)) {
    const problem = translate(error);
    if (!problem) continue;
    // propertyNames errors are about a key: point at it.
    if (error.propertyName !== undefined) Object.assign(problem, { path: [...problem.path, error.propertyName], atKey: true });
    const key = JSON.stringify([problem.path, problem.message]);
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}
