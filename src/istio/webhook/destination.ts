// validateDestination, validateHTTPRouteDestinations / validateRouteDestinations, header operations.
import { portError, isIstioDnsLabel, wildcardDomainError } from './names.ts';
import { headerOperationNameError, headerValueError, requestSetNameError } from './http-names.ts';
import { entries, type Findings, isObject, list } from './problem.ts';

/** validateDestination (route destinations, mirror, mirrors). */
export function checkDestination(f: Findings, d: unknown, path: string): void {
  if (!isObject(d)) return;
  const host = typeof d.host === 'string' ? d.host : '';
  f.check('host', `${path}.host`, host === '*' ? `invalid destination host ${host}` : wildcardDomainError(host));
  if (typeof d.subset === 'string' && d.subset !== '') {
    f.check('subset-name', `${path}.subset`, isIstioDnsLabel(d.subset) ? undefined : `subset name is invalid: ${d.subset}`);
  }
  if (d.port !== undefined && d.port !== null) f.check('port', `${path}.port.number`, portError(isObject(d.port) ? d.port.number : undefined));
}

/** The header operations of a route or of one of its destinations (`headers.request/response.add/set/remove`). */
export function checkHeaderOperations(f: Findings, headers: unknown, path: string): void {
  if (!isObject(headers)) return;
  for (const side of ['request', 'response'] as const) {
    const ops = headers[side];
    if (!isObject(ops)) continue;
    const nameError = side === 'request' ? requestSetNameError : headerOperationNameError;
    for (const op of ['add', 'set'] as const) {
      for (const [name, value] of entries(ops[op])) {
        const at = `${path}.${side}.${op}.${name}`;
        f.check('header-operation', at, nameError(name));
        f.check('header-value', at, headerValueError(value));
      }
    }
    for (const [i, name] of list(ops.remove).entries()) f.check('header-operation', `${path}.${side}.remove[${i}]`, headerOperationNameError(String(name)));
  }
}

/** Weights non-negative, a total above 0 with several destinations; each destination valid. */
export function checkRouteDestinations(f: Findings, route: unknown, path: string, withHeaders: boolean): void {
  const destinations = list(route);
  let total = 0;
  destinations.forEach((d, k) => {
    const at = `${path}[${k}]`;
    if (!isObject(d)) {
      f.add('destination-required', at, 'weight may not be nil');
      return;
    }
    if (!isObject(d.destination)) f.add('destination-required', `${at}.destination`, 'destination is required');
    if (withHeaders) checkHeaderOperations(f, d.headers, `${at}.headers`);
    checkDestination(f, d.destination, `${at}.destination`);
    const weight = typeof d.weight === 'number' ? d.weight : 0;
    if (weight < 0) f.add('weight-range', `${at}.weight`, `weight ${weight} < 0`);
    total += weight;
  });
  if (destinations.length > 1 && total === 0) f.add('weight-total', path, 'total destination weight = 0; with several destinations the weights must add up to more than 0');
}
