// What a version does with a request it serves: answer (maybe with an error), take some time,
// and maybe call hosts outside the mesh — all drawn from its profile.

import { lognormalMs, type Random } from './rng.ts';
import type { OutboundCall, Profile } from './world.ts';

export interface Response {
  code: number;
  durationMs: number;
}

export function respond(profile: Profile, random: Random): Response {
  const failed = profile.errorRatio > 0 && random() < profile.errorRatio;
  return { code: failed ? profile.errorCode : 200, durationMs: lognormalMs(random, profile.latency.medianMs, profile.latency.p99Ms) };
}

export function outboundCallsMade(profile: Profile, random: Random): OutboundCall[] {
  return profile.outbound.filter((call) => call.share >= 1 || random() < call.share);
}

/** External hosts are outside the simulation; they answer 200 after a typical internet delay. */
export function externalResponse(random: Random): Response {
  return { code: 200, durationMs: lognormalMs(random, 50, 200) };
}
