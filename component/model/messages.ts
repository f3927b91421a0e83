/** Tables, validators and helpers of the messages domain. */
export const messageTables = {};
