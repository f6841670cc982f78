// Every channel name the events feature pushes on, built in one place.

/** Live counts of one event. */
export const eventChannel = (eventId: string) => `event:${eventId}`;
