// Public functions of the traces domain.
export {};
