// Every cache tag of the achievements feature, built in one place.

/** The achievement definitions. */
export const DEFINITIONS_TAG = 'achievements';
/** What one user has been awarded. */
export const awardedTag = (userId: string) => `achievements:user:${userId}`;
