// Every channel name and cache tag of the polls feature, built in one place.

/** Live results; polls share the public `board` channel kind. */
export const pollChannel = (pollId: string) => `board:poll:${pollId}`;
/** A poll's definition and results. */
export const pollTag = (pollId: string) => `poll:${pollId}`;
