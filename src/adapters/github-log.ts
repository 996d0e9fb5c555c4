// The release's log as GitHub's runner shows it: a collapsible group per stage, a failed gate as an
// error annotation that names the check and its value, a completed rollback as a notice. Lines
// and annotations go through @actions/core, which escapes workflow-command syntax in them; plain
// lines (core.info) it writes as they are, so they go through logSafe first.
import type { AnnotationProperties } from '@actions/core';
import type { Logger, ReleaseEvent } from '../core/ports.ts';
import { formatValue } from '../analysis/format.ts';
import { logSafe } from './log-safe.ts';

/** The parts of @actions/core this logger uses (the real module, or a recorder in tests). */
export interface ActionsCore {
  info(message: string): void;
  warning(message: string): void;
  error(message: string, properties?: AnnotationProperties): void;
  notice(message: string, properties?: AnnotationProperties): void;
  startGroup(name: string): void;
  endGroup(): void;
}

export interface ActionsLogger extends Logger {
  /** Closes the open group, if any: call once the command is done. */
  close(): void;
}

export function createActionsLogger(core: ActionsCore): ActionsLogger {
  let grouped = false;
  const close = () => {
    if (grouped) core.endGroup();
    grouped = false;
  };
  const event = (e: ReleaseEvent) => {
    switch (e.kind) {
      case 'stage':
        // Groups cannot nest: a new stage ends the previous one's.
        close();
        core.startGroup(`Stage ${e.stage}: ${e.summary}`);
        grouped = true;
        return;
      case 'gate-failed': {
        const value = e.value === undefined ? 'no data' : formatValue(e.value);
        core.error(`${e.check} = ${value}, threshold ${e.threshold}: ${e.reason}`, { title: `Gate failed at ${e.stage}: ${e.check} = ${value}` });
        return;
      }
      case 'rolled-back':
        core.notice(`${e.canary}: all traffic is back on ${e.stable}. Why: ${e.reason}`, { title: `Rolled back: ${e.canary}` });
        return;
    }
  };
  return { info: (m) => core.info(logSafe(m)), warning: (m) => core.warning(m), error: (m) => core.error(m), event, close };
}
