/** Tables, validators and helpers of the scores domain. */
export const scoreTables = {};
