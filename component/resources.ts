// Public functions of the resources domain.
export {};
