// Stable stage ids: directories under `plan --out` and the engine's state both use them.
import type { StageSpec } from '../spec/types.ts';

const KIND_SLUG: Record<StageSpec['kind'], string> = { darkLaunch: 'dark-launch', mirror: 'mirror', weight: 'weight' };

/** `00-dark-launch`, `01-mirror`, `02-weight-10`. */
export function stageId(index: number, stage: StageSpec): string {
  const nn = String(index).padStart(2, '0');
  return stage.kind === 'weight' ? `${nn}-${KIND_SLUG.weight}-${stage.weight}` : `${nn}-${KIND_SLUG[stage.kind]}`;
}
