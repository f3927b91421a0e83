// Public functions of the messages domain.
export {};
