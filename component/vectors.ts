// Public functions of the vectors domain.
export {};
