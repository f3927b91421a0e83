/** Tables, validators and helpers of the workflows domain. */
export const workflowTables = {};
