// The YAML document's shape once the schema has validated it and filled its defaults: what the user
// wrote, before the spec's computed defaults (subsets, workloads, per-stage bakes) and ms conversion.
import type { CheckSpec, DataPlane, EgressProtocol, StringMatch } from './types.ts';

export interface RawVersion {
  /** One Service per version (VirtualService routing): this version's own Service. */
  host?: string;
  /** routing httpRoute: the version's Service. */
  service?: string;
  subset?: string;
  /** Required with routing virtualService (semantics.ts). */
  labels?: Record<string, string>;
  workload?: string;
}

export interface RawStage {
  darkLaunch?: { headers: Record<string, StringMatch>; keep: boolean };
  mirror?: { percentage: number };
  weight?: number;
  bake?: string;
  pause: boolean;
}

/** A check as written: the defaults the parser fills in may still be missing. */
export type RawCheck = Omit<CheckSpec, 'minRequests' | 'failureLimit'> & { minRequests?: number; failureLimit?: number };

export interface RawAnalysis {
  interval: string;
  prometheus: { url?: string; headers: Record<string, string>; bearerTokenEnv?: string };
  failureLimit: number;
  maxHold?: string;
  alpha: number;
  strict?: boolean;
  checks: RawCheck[];
}

export interface RawEgress {
  hosts: Array<{ host: string; ports: Array<{ number: number; protocol: EgressProtocol; name?: string }>; resolution?: 'DNS' | 'DNS_ROUND_ROBIN' | 'NONE' }>;
  mode?: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  policy: 'fail' | 'warn';
}

export interface RawCanaryDocument {
  apiVersion: 'istio-canary/v1';
  kind: 'Canary';
  metadata: { name: string };
  spec: {
    namespace: string;
    /** Filled in by the schema's default when parsed from YAML. */
    routing?: 'virtualService' | 'httpRoute';
    /** Required with routing virtualService (routing-rules.ts). */
    virtualService?: string;
    httpRoute?: string;
    /** routing httpRoute: how long a write waits for Istio to accept the route (a duration). */
    acceptanceTimeout?: string;
    dataPlane?: DataPlane;
    route?: string | number;
    destinationRule?: string;
    /** Required with routing virtualService (routing-rules.ts). */
    host?: string;
    stable: RawVersion;
    canary: RawVersion;
    stages: RawStage[];
    bake: string;
    settle: string;
    analysis?: RawAnalysis;
    /** The schema fills in `apply`; a document written back leaves it out in apply mode. */
    mode?: 'apply' | 'commit';
    commit?: RawCommit;
    egress?: RawEgress;
  };
}

export interface RawControllerRef {
  name: string;
  namespace?: string;
}

export interface RawCommit {
  repository: string;
  branch: string;
  push?: 'git' | 'github';
  file: string;
  files?: Record<string, string>;
  sync: { argocd?: RawControllerRef; flux?: RawControllerRef; live?: boolean; wait?: string; timeout: string; interval: string };
}

export const API_VERSION = 'istio-canary/v1';
export const KIND = 'Canary';
