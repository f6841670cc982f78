// Tables for the events feature (filled in by its slice).
export {};
