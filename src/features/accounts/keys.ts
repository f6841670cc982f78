// Every cache tag of the accounts feature, built in one place.

/** Everything cached about one user (role, time zone offset). */
export const userTag = (userId: string) => `user:${userId}`;
