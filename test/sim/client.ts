// A small typed client for the simulator's control API, for tests and the demo.

import type { ServiceStats } from './stats.ts';
import type { Load, OutboundMode, Profile, Service, World } from './world.ts';

/** Input shapes: what the API accepts (fields left out keep their value or default). */
export type ProfileChange = Partial<Omit<Profile, 'latency' | 'outbound'>> & { latency?: Profile['latency']; outbound?: Array<{ host: string; port?: number; share?: number }> };
export type LoadChange = Partial<Omit<Load, 'via'>> & { via?: Load['via'] | null };
export type ServiceInput = Omit<Partial<Service>, 'versions' | 'load'> & {
  versions: Array<{ name: string; labels?: Record<string, string>; readyReplicas?: number; workload?: string; workloadNamespace?: string; profile?: ProfileChange }>;
  load?: LoadChange;
};

export interface ConfigObject {
  /** `namespace/name` */
  name: string;
  resourceVersion: string;
}

export interface SimulatorConfig {
  synced: boolean;
  virtualServices: ConfigObject[];
  destinationRules: ConfigObject[];
  serviceEntries: ConfigObject[];
  httpRoutes: ConfigObject[];
  sidecars: ConfigObject[];
  /** VirtualServices istiod's validation would reject; they never take effect. */
  rejected: Array<{ name: string; reason: string }>;
}

export class SimulatorError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export class SimulatorClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new SimulatorError(res.status, `simulator ${method} ${path}: ${res.status} ${message}`);
    }
    return JSON.parse(text) as T;
  }

  private servicePath(namespace: string, name: string): string {
    return `/services/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
  }

  async healthy(): Promise<boolean> {
    try {
      return (await fetch(`${this.baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok;
    } catch {
      return false;
    }
  }

  world(): Promise<World> {
    return this.call('GET', '/world');
  }

  replaceWorld(world: unknown): Promise<World> {
    return this.call('PUT', '/world', world);
  }

  /** Istio objects the simulator currently routes with, and those istiod would reject. */
  config(): Promise<SimulatorConfig> {
    return this.call('GET', '/config');
  }

  /** Whether the simulator routes with this object at (at least) this resourceVersion. */
  async sees(kind: 'virtualServices' | 'destinationRules' | 'serviceEntries' | 'httpRoutes' | 'sidecars', name: string, resourceVersion: string): Promise<boolean> {
    const config = await this.config();
    return config[kind].some((o) => o.name === name && o.resourceVersion === resourceVersion);
  }

  putService(namespace: string, name: string, service: ServiceInput): Promise<Service> {
    return this.call('PUT', this.servicePath(namespace, name), service);
  }

  getService(namespace: string, name: string): Promise<Service> {
    return this.call('GET', this.servicePath(namespace, name));
  }

  deleteService(namespace: string, name: string): Promise<unknown> {
    return this.call('DELETE', this.servicePath(namespace, name));
  }

  /** Change a version's behaviour now, e.g. `{ errorRatio: 0.3 }`. */
  setProfile(namespace: string, name: string, version: string, change: ProfileChange): Promise<Profile> {
    return this.call('PUT', `${this.servicePath(namespace, name)}/versions/${encodeURIComponent(version)}/profile`, change);
  }

  setReadyReplicas(namespace: string, name: string, version: string, readyReplicas: number): Promise<unknown> {
    return this.call('PUT', `${this.servicePath(namespace, name)}/versions/${encodeURIComponent(version)}/replicas`, { readyReplicas });
  }

  setLoad(namespace: string, name: string, change: LoadChange): Promise<Load> {
    return this.call('PUT', `${this.servicePath(namespace, name)}/load`, change);
  }

  /** Send exactly `count` requests of the service's load shape now; returns the stats after. */
  send(namespace: string, name: string, count: number): Promise<ServiceStats> {
    return this.call('POST', `${this.servicePath(namespace, name)}/send`, { count });
  }

  stats(namespace: string, name: string): Promise<ServiceStats> {
    return this.call('GET', `${this.servicePath(namespace, name)}/stats`);
  }

  resetService(namespace: string, name: string): Promise<unknown> {
    return this.call('POST', `${this.servicePath(namespace, name)}/reset`);
  }

  resetAll(): Promise<unknown> {
    return this.call('POST', '/reset');
  }

  pauseLoad(): Promise<unknown> {
    return this.call('POST', '/load/pause');
  }

  resumeLoad(): Promise<unknown> {
    return this.call('POST', '/load/resume');
  }

  /** Like a Sidecar's outboundTrafficPolicy for one namespace; null restores the mesh default. */
  setOutboundPolicy(namespace: string, mode: OutboundMode | null): Promise<unknown> {
    return this.call('PUT', `/namespaces/${encodeURIComponent(namespace)}/outbound-policy`, { mode });
  }

  /** Istio's Gateway API controller stops (false) or restarts (true) writing HTTPRoute status in one namespace. */
  setGatewayController(namespace: string, running: boolean): Promise<unknown> {
    return this.call('PUT', `/namespaces/${encodeURIComponent(namespace)}/gateway-controller`, { running });
  }

  async metricsText(): Promise<string> {
    const res = await fetch(`${this.baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new SimulatorError(res.status, `simulator GET /metrics: ${res.status}`);
    return res.text();
  }
}
