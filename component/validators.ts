/**
 * Validators shared by the component and by host apps (the client helper
 * builds the exposed functions' `args` and `returns` from them).
 */
export * from "./model/errors.js";
