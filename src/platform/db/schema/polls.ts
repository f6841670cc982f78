// Tables for the polls feature (filled in by its slice).
export {};
