// GitHub's official REST description (npm @octokit/openapi) turned into request/response checks
// for the GitHub double: which operation a request is, and whether its parameters, body and our
// answer match the operation's schemas.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: object;
}
interface Operation {
  operationId: string;
  parameters?: Array<Parameter | { $ref: string }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: object }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: object }> }>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
}

export interface MatchedOperation {
  operationId: string;
  template: string;
  pathParams: Record<string, string>;
  /** Problems with the request's parameters and body, empty when it matches the description. */
  checkRequest(query: URLSearchParams, body: unknown): string[];
  /** Problems with a response we are about to send, empty when it matches the description. */
  checkResponse(status: number, body: unknown): string[];
}

const SCHEMA_ID = 'github-rest';

/** The description and its compiled checks, loaded once per test process (13 MB of JSON). */
export class GitHubDescription {
  readonly #doc: OpenApi;
  readonly #ajv: Ajv;
  readonly #routes: Array<{ template: string; regex: RegExp; names: string[]; literal: number }>;
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(doc: OpenApi) {
    this.#doc = doc;
    // OpenAPI 3.0 schemas: `nullable` is understood by Ajv; vendor keywords (x-github, example) are not
    // schema errors; formats are documentation here.
    this.#ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, validateSchema: false });
    this.#ajv.addSchema({ $id: SCHEMA_ID, components: nullableWithoutType(doc.components) });
    this.#routes = Object.keys(doc.paths).map((template) => {
      const names = Array.from(template.matchAll(/\{([^}]+)\}/g), (m) => m[1]!);
      const pattern = template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('([^/]+)');
      return { template, regex: new RegExp(`^${pattern}$`), names, literal: template.replace(/\{[^}]+\}/g, '').length };
    });
  }

  static load(): GitHubDescription {
    const require = createRequire(import.meta.url);
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    return new GitHubDescription(JSON.parse(readFileSync(file, 'utf8')) as OpenApi);
  }

  /** A named example of GitHub's description (`#/components/examples/<name>`), as a fresh copy: the
   * double builds its answers from them so they carry every field real ones do. */
  example(name: string): Record<string, unknown> {
    const example = this.#doc.components['examples']?.[name] as { value?: unknown } | undefined;
    if (!example?.value) throw new Error(`GitHub's description has no example ${name}`);
    return structuredClone(example.value) as Record<string, unknown>;
  }

  /** The operation for a method and path, preferring the most literal template (as routers do). */
  match(method: string, pathname: string): MatchedOperation | undefined {
    const candidates = this.#routes
      .map((route) => ({ route, m: route.regex.exec(pathname) }))
      .filter((c) => c.m !== null && this.#doc.paths[c.route.template]![method.toLowerCase()] !== undefined)
      .sort((a, b) => b.route.literal - a.route.literal);
    const best = candidates[0];
    if (!best) return undefined;
    const operation = this.#doc.paths[best.route.template]![method.toLowerCase()]!;
    const pathParams = Object.fromEntries(best.route.names.map((name, i) => [name, decodeURIComponent(best.m![i + 1]!)]));
    return {
      operationId: operation.operationId,
      template: best.route.template,
      pathParams,
      checkRequest: (query, body) => this.#checkRequest(operation, pathParams, query, body),
      checkResponse: (status, body) => this.#checkResponse(operation, status, body),
    };
  }

  #checkRequest(operation: Operation, pathParams: Record<string, string>, query: URLSearchParams, body: unknown): string[] {
    const problems: string[] = [];
    const parameters = (operation.parameters ?? []).map((p) => this.#resolve<Parameter>(p));
    for (const parameter of parameters.filter((p) => p.in === 'path' || p.in === 'query')) {
      const raw = parameter.in === 'path' ? pathParams[parameter.name] : query.get(parameter.name) ?? undefined;
      if (raw === undefined) {
        if (parameter.required) problems.push(`missing ${parameter.in} parameter ${parameter.name}`);
        continue;
      }
      if (parameter.schema) problems.push(...this.#validate(parameter.schema, coerce(raw, parameter.schema), `${parameter.in} parameter ${parameter.name}`));
    }
    const known = new Set(parameters.filter((p) => p.in === 'query').map((p) => p.name));
    for (const name of query.keys()) if (!known.has(name)) problems.push(`unknown query parameter ${name}`);
    const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
    if (body === undefined) {
      if (operation.requestBody?.required) problems.push('missing request body');
    } else if (!bodySchema) {
      problems.push('the operation takes no JSON body');
    } else {
      problems.push(...this.#validate(bodySchema, body, 'request body'));
    }
    return problems;
  }

  #checkResponse(operation: Operation, status: number, body: unknown): string[] {
    const described = operation.responses[String(status)];
    if (!described) return [`status ${status} is not a documented response of ${operation.operationId}`];
    const schema = this.#resolve<{ content?: Record<string, { schema?: object }> }>(described).content?.['application/json']?.schema;
    return schema ? this.#validate(schema, body, `response ${status}`) : [];
  }

  #validate(schema: object, value: unknown, what: string): string[] {
    const key = JSON.stringify(schema);
    let validate = this.#compiled.get(key);
    if (!validate) {
      // Refs inside operations point at `#/components/...` of the whole document.
      validate = this.#ajv.compile(nullableWithoutType(JSON.parse(key.replaceAll('"#/components/', `"${SCHEMA_ID}#/components/`)) as object));
      this.#compiled.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${what}${e.instancePath} ${e.message ?? 'is invalid'}`);
  }

  #resolve<T>(item: T | { $ref: string }): T {
    const ref = (item as { $ref?: string }).$ref;
    if (!ref) return item as T;
    const [, section, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(ref) ?? [];
    const resolved = section && name ? this.#doc.components[section]?.[name] : undefined;
    if (!resolved) throw new Error(`unresolvable $ref ${ref}`);
    return this.#resolve(resolved as T | { $ref: string });
  }
}

/**
 * OpenAPI 3.0 allows `nullable: true` beside `allOf`/`anyOf`/`$ref` with no `type` (GitHub's
 * commit-comparison does); Ajv reads `nullable` only next to `type`. Such a schema becomes "the
 * schema, or null", which is what the description means.
 */
function nullableWithoutType<T>(value: T): T {
  if (Array.isArray(value)) return value.map(nullableWithoutType) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, nullableWithoutType(v)])) as Record<string, unknown>;
  if (out['nullable'] === true && out['type'] === undefined) {
    const { nullable: _, ...rest } = out;
    return { anyOf: [rest, { type: 'null' }] } as T;
  }
  return out as T;
}

/** Query and path values arrive as text; convert to what the parameter's schema types. */
function coerce(raw: string, schema: object): unknown {
  const type = (schema as { type?: string }).type;
  if ((type === 'integer' || type === 'number') && raw.trim() !== '' && !Number.isNaN(Number(raw))) return Number(raw);
  if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}
