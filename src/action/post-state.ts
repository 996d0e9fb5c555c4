// Keys of the state the main step hands to the post step (core.saveState / core.getState).
export const STATE_FINISHED = 'finished';
export const STATE_SPEC = 'spec';
export const STATE_INPUTS = 'inputs';
