/** Tables, validators and helpers of the vectors domain. */
export const vectorTables = {};
