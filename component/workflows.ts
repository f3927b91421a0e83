// Public functions of the workflows domain.
export {};
