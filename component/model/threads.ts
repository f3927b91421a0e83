/** Tables, validators and helpers of the threads domain. */
export const threadTables = {};
