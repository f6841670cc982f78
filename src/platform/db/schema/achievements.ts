// Tables for the achievements feature (filled in by its slice).
export {};
