// Tables for the payments feature (filled in by its slice).
export {};
