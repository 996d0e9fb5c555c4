// The action's logger, for the main and the post step. It is handed @actions/core's functions one by
// one, never the module as a value: esbuild would then keep all of @actions/core (its OIDC client,
// undici) in the start path.
import * as core from '@actions/core';
import { createActionsLogger, type ActionsLogger } from '../adapters/github-log.ts';

export function actionLogger(): ActionsLogger {
  return createActionsLogger({ info: core.info, warning: core.warning, error: core.error, notice: core.notice, startGroup: core.startGroup, endGroup: core.endGroup });
}
