/** Tables, validators and helpers of the resources domain. */
export const resourceTables = {};
