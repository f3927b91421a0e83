// Public functions of the scores domain.
export {};
