// Tables for the scoring feature (filled in by its slice).
export {};
