// The YAML document's shape once the schema has validated it and filled its defaults: what the user
// wrote, before the spec's computed defaults (subsets, workloads, per-stage bakes) and ms conversion.
import type { CheckSpec, EgressProtocol, StringMatch } from './types.ts';

export interface RawVersion {
  /** One Service per version: this version's own Service. */
  host?: string;
  subset?: string;
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
    virtualService: string;
    route?: string | number;
    destinationRule?: string;
    host?: string;
    stable: RawVersion;
    canary: RawVersion;
    stages: RawStage[];
    bake: string;
    settle: string;
    analysis?: RawAnalysis;
    egress?: RawEgress;
  };
}

export const API_VERSION = 'istio-canary/v1';
export const KIND = 'Canary';
