// TypeBox schemas of the trivia API, shared by its routes.
import { Type } from 'typebox';
import { literals, Uuid } from '../../http/schemas.js';
import { GAME_MODES, GAME_STATUSES, QUESTION_KINDS } from '../../domain/trivia.js';

const NumberAnswer = Type.Object({ value: Type.Number(), tolerance: Type.Number({ minimum: 0 }) }, { additionalProperties: false });
const Answer = Type.Union(
  [Type.Integer(), Type.Array(Type.Integer(), { maxItems: 10 }), Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 }), NumberAnswer],
  {
    description: 'choice: the correct option index; multi: the correct indexes; text: accepted answers; number: {value, tolerance}',
  },
);

const questionFields = {
  text: Type.String({ minLength: 1, maxLength: 1000 }),
  kind: literals(QUESTION_KINDS),
  options: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 10, description: '2 to 6 for choice and multi; none otherwise' }),
  ),
  answer: Answer,
  timeLimitSec: Type.Integer({ description: '5 to 120' }),
  media: Type.Optional(Type.String({ maxLength: 2000, description: 'An image or video URL shown with the question' })),
};

export const QuestionInput = Type.Object(
  { ...questionFields, points: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: 'Default 1000' })) },
  { additionalProperties: false },
);
export const QuestionSchema = Type.Object({ ...questionFields, points: Type.Integer() });

export const QuizBody = Type.Object(
  { title: Type.String({ minLength: 1, maxLength: 200 }), questions: Type.Array(QuestionInput, { maxItems: 200, description: 'At least one' }) },
  { additionalProperties: false },
);
export const QuizPatch = Type.Object(
  { title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), questions: Type.Optional(Type.Array(QuestionInput, { maxItems: 200 })) },
  { additionalProperties: false },
);
export const QuizImport = Type.Object(
  {
    format: Type.Optional(Type.Literal('stampede-quiz')),
    version: Type.Optional(Type.Literal(1)),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    questions: Type.Array(QuestionInput, { maxItems: 200 }),
  },
  { additionalProperties: false },
);
export const QuizSchema = Type.Object({
  id: Uuid,
  title: Type.String(),
  questions: Type.Array(QuestionSchema),
  ownerId: Uuid,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export const QuizExportSchema = Type.Object({
  format: Type.Literal('stampede-quiz'),
  version: Type.Literal(1),
  title: Type.String(),
  questions: Type.Array(QuestionSchema),
});

const FeedSchema = Type.Object(
  { actionTypeId: Uuid },
  {
    additionalProperties: false,
    description: "Each player's points of each question are completed as an action of this type (yours), feeding its boards",
  },
);

export const SettingsInput = Type.Object(
  {
    autoAdvance: Type.Optional(
      Type.Boolean({ description: 'Run the game on the schedule: results at each close, the next question resultsMs later' }),
    ),
    maxPlayers: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    leadMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 30_000, description: 'Default 3000' })),
    graceMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 5_000, description: 'Default 500' })),
    resultsMs: Type.Optional(Type.Integer({ minimum: 1_000, maximum: 120_000, description: 'Default 5000' })),
    streakBonus: Type.Optional(Type.Boolean()),
    feed: Type.Optional(FeedSchema),
  },
  { additionalProperties: false },
);
const SettingsSchema = Type.Object({
  autoAdvance: Type.Boolean(),
  maxPlayers: Type.Integer(),
  leadMs: Type.Integer(),
  graceMs: Type.Integer(),
  resultsMs: Type.Integer(),
  streakBonus: Type.Boolean(),
  feed: Type.Optional(FeedSchema),
});

export const GameSchema = Type.Object({
  id: Uuid,
  pin: Type.String({ pattern: '^[0-9]{6}$' }),
  title: Type.String(),
  mode: literals(GAME_MODES),
  status: literals(GAME_STATUSES),
  seq: Type.Integer({ description: 'The current question index; -1 in the lobby' }),
  questionCount: Type.Integer(),
  players: Type.Integer(),
  settings: SettingsSchema,
  hostId: Uuid,
  createdAt: Type.String({ format: 'date-time' }),
});

export const PlayerSchema = Type.Object({
  playerId: Uuid,
  nickname: Type.String(),
  score: Type.Integer(),
  rank: Type.Union([Type.Integer(), Type.Null()]),
});

export const QuestionViewSchema = Type.Object({
  gameId: Uuid,
  seq: Type.Integer(),
  questionId: Type.Integer(),
  questionCount: Type.Integer(),
  text: Type.String(),
  kind: literals(QUESTION_KINDS),
  options: Type.Array(Type.String()),
  timeLimitSec: Type.Integer(),
  points: Type.Integer(),
  media: Type.Optional(Type.String()),
  opensAt: Type.Number({ description: 'Epoch ms on the server clock' }),
  closesAt: Type.Number({ description: 'Epoch ms on the server clock' }),
  serverNow: Type.Number({ description: 'Epoch ms when the server built this message' }),
});

export const Choice = Type.Union([Type.Integer(), Type.Array(Type.Integer(), { maxItems: 10 }), Type.String({ maxLength: 200 }), Type.Number()], {
  description: 'An option index (choice), option indexes (multi), a text (text) or a number (number)',
});

export const StateSchema = Type.Object({
  game: GameSchema,
  question: Type.Union([QuestionViewSchema, Type.Null()]),
  me: Type.Union([
    Type.Object({
      ...PlayerSchema.properties,
      answer: Type.Union([
        Type.Object({
          questionId: Type.Integer(),
          choice: Choice,
          receivedAt: Type.Number(),
          correct: Type.Optional(Type.Boolean({ description: 'Once the question is scored (live games): whether the answer was right' })),
          points: Type.Optional(Type.Integer({ description: 'Once the question is scored (live games): the points it earned' })),
        }),
        Type.Null(),
      ]),
    }),
    Type.Null(),
  ]),
  serverNow: Type.Number(),
});

export const AckSchema = Type.Object({
  gameId: Uuid,
  questionId: Type.Integer(),
  receivedAt: Type.String({ format: 'date-time', description: 'When the server received the first copy of this answer' }),
  replayed: Type.Boolean(),
});

const TopEntrySchema = Type.Object({ userId: Uuid, nickname: Type.String(), score: Type.Integer(), rank: Type.Integer() });

export const ResultsSchema = Type.Object({
  gameId: Uuid,
  seq: Type.Integer(),
  questionId: Type.Integer(),
  text: Type.String(),
  options: Type.Array(Type.String()),
  correctAnswer: Answer,
  counts: Type.Union([Type.Array(Type.Integer()), Type.Null()], { description: 'Answers per option; null for text and number questions' }),
  answered: Type.Integer(),
  correct: Type.Integer(),
  top: Type.Array(TopEntrySchema),
});

export const ScreenSchema = Type.Object({
  game: GameSchema,
  question: Type.Union([QuestionViewSchema, Type.Null()], { description: 'The open question, without its answer' }),
  answered: Type.Union([Type.Integer(), Type.Null()], { description: 'Answers to the open question so far' }),
  results: Type.Union([ResultsSchema, Type.Null()], { description: 'The last scored question, with its answer; null while a question is open' }),
  top: Type.Array(TopEntrySchema, { description: 'The top 10' }),
  serverNow: Type.Number(),
});
