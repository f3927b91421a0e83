// Public functions of the threads domain.
export {};
