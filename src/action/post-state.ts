// Keys of the state the main step hands to the post step (core.saveState / core.getState).
export const STATE_FINISHED = 'finished';
export const STATE_SPEC = 'spec';
export const STATE_INPUTS = 'inputs';
/** 'true' when the main step's own rollback failed after its command had written: the post step
 * retries it whatever holder the state shows (the command may have released its holder already). */
export const STATE_ROLLBACK_PENDING = 'rollback-pending';
