// Ids are UUIDs. Checked before a lookup, so a malformed id is a plain "not found" rather than
// a database error about an invalid uuid.

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const UUID = new RegExp(UUID_PATTERN);

export const isUuid = (value: string) => UUID.test(value);
