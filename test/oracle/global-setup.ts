// Vitest global setup of the oracle project: builds istioctl and the route oracle from the pinned
// istio.io/istio module into the binary cache (minutes cold, nothing when cached), once per run.
import { ensureIstioctl, ensureRouteOracle } from '../env/istio-tools.ts';

export default async function setup(): Promise<void> {
  await ensureRouteOracle();
  await ensureIstioctl();
}
