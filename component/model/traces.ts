/** Tables, validators and helpers of the traces domain. */
export const traceTables = {};
