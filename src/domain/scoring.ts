// Board operators and resets, and the JSON shapes stored with action types and actions.

export const BOARD_OPERATORS = ['incr', 'best', 'set'] as const;
export type BoardOperator = (typeof BOARD_OPERATORS)[number];
export const BOARD_RESETS = ['never', 'daily', 'weekly', 'monthly'] as const;
export type BoardReset = (typeof BOARD_RESETS)[number];

/** Validated at the API (routes) before it is stored; the shape the service reads back. */
export interface ActionRules {
  cooldownSeconds?: number;
  maxPerUser?: number;
  maxPerDay?: number;
  activeFrom?: string;
  activeTo?: string;
  eventId?: string;
  multiplier?: number;
  boards?: string[];
}

/** What a completed action answered the first time; a replay answers it again. */
export interface StoredActionResult {
  scoreEarned: number;
  boards: Array<{ board: string; period: string; score: number; rank: number | null; previousRank: number | null }>;
}
