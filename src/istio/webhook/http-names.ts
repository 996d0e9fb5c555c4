// Header names, header values and string matches as istiod's validation checks them.
import { MAX_REGEX_LENGTH, regexProblem } from '../regex.ts';
import { byteLength } from './names.ts';
import { isObject, q } from './problem.ts';

const TOKEN = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;
const PSEUDO_HEADERS = new Set([':method', ':scheme', ':authority', ':path', ':status']);
const JWT_CLAIM = '@request.auth.claims';
/** httpHeaderValueRegexp: no control characters but tab. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what istiod refuses
const HEADER_VALUE = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;


/** jwt.ToRoutingClaim(name).Match: `@request.auth.claims.sub` or `@request.auth.claims[sub]`. */
export function isJwtClaimRoute(name: string): boolean {
  if (!name.toLowerCase().startsWith(JWT_CLAIM)) return false;
  const rest = name.slice(JWT_CLAIM.length);
  return (rest.startsWith('.') && rest.length > 1) || (rest.startsWith('[') && rest.endsWith(']') && rest.length > 2);
}

/** ValidateHTTPHeaderNameOrJwtClaimRoute (match headers and withoutHeaders). */
export function matchHeaderNameError(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (isJwtClaimRoute(name) || PSEUDO_HEADERS.has(name)) return undefined;
  return TOKEN.test(name) ? undefined : `header name ${name} is not a valid header name`;
}

const isAuthorityHeader = (name: string) => name.toLowerCase() === ':authority' || name.toLowerCase() === 'host';
const isInternalHeader = (name: string) => name.startsWith(':') || name.toLowerCase() === 'host';

/** ValidateHTTPHeaderWithAuthorityOperationName (request add and set). */
export function requestSetNameError(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  return isInternalHeader(name) && !isAuthorityHeader(name) ? `invalid header ${q(name)}: header cannot have ":" prefix` : undefined;
}

/** ValidateHTTPHeaderOperationName (request remove, every response operation). */
export function headerOperationNameError(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (name.toLowerCase() === 'host') return `invalid header ${q(name)}: cannot set Host header`;
  return isInternalHeader(name) ? `invalid header ${q(name)}: header cannot have ":" prefix` : undefined;
}

/** ValidateHTTPHeaderValue, its character check (the %-variable syntax check is not mirrored). */
export function headerValueError(value: unknown): string | undefined {
  return typeof value === 'string' && !HEADER_VALUE.test(value) ? `header value configuration ${value} is invalid` : undefined;
}

export function isAuthority(name: string): boolean {
  return isAuthorityHeader(name);
}

/** validateStringRegexp (istiod prefixes the field name; our path names it). */
export function regexError(re: string): string | undefined {
  if (byteLength(re) > MAX_REGEX_LENGTH) return `regex is too large, max length allowed is ${MAX_REGEX_LENGTH}`;
  const problem = regexProblem(re);
  return problem === undefined ? undefined : `${problem}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)`;
}

export interface StringMatchFinding {
  /** `prefix` or `regex`: the field at fault. */
  field: 'prefix' | 'regex';
  /** `string-match` for an empty value, `regex` for a regex RE2 refuses or that is too long. */
  rule: 'string-match' | 'regex';
  message: string;
}

/** validateStringMatchRegexp: only the regex form is checked (an empty uri prefix is valid). */
export function stringMatchRegexpError(sm: unknown): StringMatchFinding | undefined {
  if (!isObject(sm) || typeof sm.regex !== 'string') return undefined;
  if (sm.regex === '') return { field: 'regex', rule: 'string-match', message: 'regex string match should not be empty' };
  const message = regexError(sm.regex);
  return message === undefined ? undefined : { field: 'regex', rule: 'regex', message };
}

/** validateStringMatch: a prefix must not be empty, a regex as above. */
export function stringMatchError(sm: unknown): StringMatchFinding | undefined {
  if (isObject(sm) && sm.prefix === '') return { field: 'prefix', rule: 'string-match', message: 'prefix string match should not be empty' };
  return stringMatchRegexpError(sm);
}
