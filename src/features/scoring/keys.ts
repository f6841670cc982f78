// Every channel name, cache tag and board name the scoring feature derives, built in one place.
import { isUuid } from '../../domain/ids.js';
import { indexKey } from './boards/periods.js';

/** Live top N of a board. */
export const boardChannel = (board: string) => `board:${board}`;
/** The board every action type feeds unless it lists its own. */
export const GLOBAL_BOARD = 'global';
const EVENT_BOARD_PREFIX = 'event:';
/** The board of one event; UUIDs compare case-insensitively, so the name holds the lower-case form. */
export const eventBoard = (eventId: string) => `${EVENT_BOARD_PREFIX}${eventId.toLowerCase()}`;
/** The event id an event board is named after (lower-cased), or undefined for any other board. */
export function eventOfBoard(name: string): string | undefined {
  const id = name.slice(EVENT_BOARD_PREFIX.length);
  return name.startsWith(EVENT_BOARD_PREFIX) && isUuid(id) ? id.toLowerCase() : undefined;
}
/**
 * The one spelling of a board name under which it is stored and looked up: an event board's
 * UUID in lower case (every case variant names the same event), any other name as given.
 */
export function canonicalBoard(name: string): string {
  const eventId = eventOfBoard(name);
  return eventId ? eventBoard(eventId) : name;
}

/** Cached pages and counts of one board period. */
export const boardTag = (board: string, period: string) => `leaderboard:${indexKey(board, period)}`;
/** One user's cached scores across boards. */
export const userScoresTag = (userId: string) => `scores:${userId}`;
/** Whether a user is a confirmed entrant of an event. */
export const entrantTag = (eventId: string, userId: string) => `entrant:${eventId}:${userId}`;
export const ACTION_TYPES_TAG = 'action-types';
export const HOME_STATS_TAG = 'home-stats';
