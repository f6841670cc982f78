// TypeBox schemas of the scoring API: request validation (negative or non-numeric rule values
// are 400s here) and the response shapes in the OpenAPI document.
import { Type, type TSchema } from 'typebox';
import type { FastifyReply } from 'fastify';
import { JsonObject, literals, ref, Uuid } from '../../http/schemas.js';
import { BOARD_OPERATORS, BOARD_RESETS } from '../../domain/scoring.js';
import { BOARD_NAME_PATTERN } from './boards/service.js';

export const BoardName = Type.String({ pattern: BOARD_NAME_PATTERN, description: 'Letters, digits, _ . : - (e.g. global, event:<id>, weekly-cup)' });
/** Board names in paths are looked up as given: anything unknown is a 404, not a 400. */
export const BoardParam = Type.Object({ board: Type.String({ minLength: 1, maxLength: 200 }) });

const Count = (description: string) => Type.Integer({ minimum: 0, maximum: 1_000_000_000, description });

export const RulesSchema = Type.Object(
  {
    cooldownSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 31_536_000, description: 'Seconds a user waits between two of these' })),
    maxPerUser: Type.Optional(Count('Lifetime limit per user')),
    maxPerDay: Type.Optional(Count("Limit per user per day, in the user's UTC offset")),
    activeFrom: Type.Optional(Type.String({ format: 'date-time' })),
    activeTo: Type.Optional(Type.String({ format: 'date-time' })),
    eventId: Type.Optional(Type.String({ format: 'uuid', description: 'Only entrants confirmed for this event may score' })),
    multiplier: Type.Optional(Type.Number({ minimum: 0, maximum: 1000, description: 'Score = round(baseScore × multiplier)' })),
    boards: Type.Optional(
      Type.Array(BoardName, {
        minItems: 1,
        maxItems: 10,
        uniqueItems: true,
        description: "Boards fed; default global, plus the event's board with eventId",
      }),
    ),
  },
  { $id: 'ActionRules', additionalProperties: false },
);

export const ActionTypeSchema = Type.Object(
  {
    id: Uuid,
    key: Type.String(),
    name: Type.String(),
    baseScore: Type.Integer(),
    active: Type.Boolean(),
    rules: ref(RulesSchema),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'ActionType' },
);

export const ActionTypeBody = {
  key: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$', description: 'Lowercase letters, digits, _ . -' }),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  baseScore: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
  active: Type.Boolean(),
  rules: ref(RulesSchema),
};

const BoardResult = Type.Object({
  board: Type.String(),
  period: Type.String(),
  score: Type.Number(),
  rank: Type.Union([Type.Integer(), Type.Null()]),
  previousRank: Type.Union([Type.Integer(), Type.Null()]),
});

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const CompletionSchema = Type.Object(
  {
    action: Type.Object({
      id: Uuid,
      actionType: Type.String(),
      identifier: Type.String(),
      metadata: Nullable(JsonObject('What the client sent with the action')),
      scoreEarned: Type.Number(),
      createdAt: Type.String({ format: 'date-time' }),
    }),
    scoreEarned: Type.Number(),
    score: Nullable(Type.Number()),
    rank: Nullable(Type.Integer()),
    previousRank: Nullable(Type.Integer()),
    boards: Type.Array(BoardResult),
  },
  { $id: 'ActionCompletion' },
);

export const BoardSchema = Type.Object(
  {
    name: Type.String(),
    operator: literals(BOARD_OPERATORS),
    reset: literals(BOARD_RESETS),
    timeZone: Type.String(),
    resetHour: Type.Integer(),
    period: Type.String({ description: 'The current period: all, or 2026-11-22 / 2026-W47 / 2026-11' }),
    nextResetAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'Leaderboard' },
);

export const BoardBody = Type.Object(
  {
    name: BoardName,
    operator: Type.Optional(literals(BOARD_OPERATORS)),
    reset: Type.Optional(literals(BOARD_RESETS)),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone of the resets, e.g. Europe/Paris' })),
    resetHour: Type.Optional(Type.Integer({ minimum: 0, maximum: 23 })),
  },
  { additionalProperties: false },
);

export const EntrySchema = Type.Object(
  { rank: Type.Integer(), userId: Uuid, handle: Type.String(), score: Type.Number() },
  { $id: 'LeaderboardEntry' },
);

export const PageSchema = Type.Object({
  board: Type.String(),
  entries: Type.Array(ref(EntrySchema)),
  total: Type.Integer(),
  period: Type.String(),
  nextResetAt: Nullable(Type.String({ format: 'date-time' })),
});

export const MeSchema = Type.Object({
  board: Type.String(),
  period: Type.String(),
  nextResetAt: Nullable(Type.String({ format: 'date-time' })),
  rank: Nullable(Type.Integer()),
  score: Nullable(Type.Number()),
  total: Type.Integer(),
  entries: Type.Array(ref(EntrySchema)),
});

export const PeriodQuery = Type.Optional(Type.String({ maxLength: 16, description: 'A past or current period key; default the current one' }));

/** Cached reads say where they came from: X-Cache HIT or MISS. */
export function cacheHeader(reply: FastifyReply, hit: boolean): FastifyReply {
  return reply.header('x-cache', hit ? 'HIT' : 'MISS');
}
