// Shapes of live trivia shared by the schema, the feature and its routes.

export const QUESTION_KINDS = ['choice', 'multi', 'text', 'number'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

/**
 * The answer key by kind: `choice` one option index, `multi` the set of correct indexes,
 * `text` the accepted answers, `number` a value and how far from it still counts.
 */
export type QuestionAnswer = number | number[] | string[] | { value: number; tolerance: number };

export interface Question {
  text: string;
  kind: QuestionKind;
  options?: string[];
  answer: QuestionAnswer;
  timeLimitSec: number;
  points: number;
  media?: string;
}

/** What a player sends: an option index, several, a text or a number, by kind. */
export type AnswerChoice = number | number[] | string;

export const GAME_MODES = ['live', 'async'] as const;
export type GameMode = (typeof GAME_MODES)[number];

export const GAME_STATUSES = ['lobby', 'question', 'results', 'paused', 'ended'] as const;
export type GameStatus = (typeof GAME_STATUSES)[number];

export interface GameSettings {
  /** Runs the whole game on the schedule: results after each close, the next question after resultsMs. */
  autoAdvance: boolean;
  maxPlayers: number;
  /** A question is pushed this long before it opens, so every client can show it at the same moment. */
  leadMs: number;
  /** Answers received this long after closesAt still count (network and clock slack). */
  graceMs: number;
  /** With autoAdvance, how long results stay up before the next question. */
  resultsMs: number;
  /** +100 per consecutive right answer, up to +500. */
  streakBonus: boolean;
  /** Each player's points of each question are completed as an action of this type, so they reach its boards. */
  feed?: { actionTypeId: string };
}

export const DEFAULT_GAME_SETTINGS: GameSettings = {
  autoAdvance: false,
  maxPlayers: 10_000,
  leadMs: 3_000,
  graceMs: 500,
  resultsMs: 5_000,
  streakBonus: false,
};
