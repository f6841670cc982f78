// HTTP for games: creation, joining by pin, the host's controls, the state for reconnects, and
// the answer endpoint (the same rules as the socket's `answer` event).
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { literals, Uuid, withProblems } from '../../../http/schemas.js';
import { ORGANIZERS } from '../../../domain/accounts.js';
import { GAME_MODES } from '../../../domain/trivia.js';
import { AckSchema, Choice, GameSchema, PlayerSchema, ScreenSchema, SettingsInput, StateSchema } from '../schemas.js';
import type { TriviaService } from '../service.js';
import { HOST_ACTIONS } from './transitions.js';

const Params = Type.Object({ id: Uuid });
const PinParams = Type.Object({ pin: Type.String({ pattern: '^[0-9]{6}$' }) });
const tags = ['trivia'];
const ACTION_SUMMARIES: Record<(typeof HOST_ACTIONS)[number], string> = {
  start: 'Start the game: the first question is pushed leadMs before it opens (host)',
  next: 'Open the next question, or end the game after the last (host, from results)',
  close: 'Close the current question early; results follow after the grace period (host)',
  pause: 'Pause during a question or its results; the question keeps the time it had left (host)',
  resume: 'Resume a paused game (host)',
  end: 'End the game; a running question is scored first (host)',
};

export const gamesRoutes =
  (trivia: TriviaService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/api/games',
      {
        config: { auth: ORGANIZERS },
        schema: {
          tags,
          summary: 'Create a game from one of my quizzes; I am its host',
          body: Type.Object({ quizId: Uuid, mode: literals(GAME_MODES), settings: Type.Optional(SettingsInput) }, { additionalProperties: false }),
          response: withProblems({ 201: Type.Object({ game: GameSchema }) }, 400, 401, 403, 404),
        },
      },
      async (request, reply) => {
        const { quizId, mode, settings = {} } = request.body;
        return reply.code(201).send({ game: await trivia.createGame(request.actor, quizId, mode, settings) });
      },
    );

    app.get(
      '/api/games/:id',
      {
        schema: {
          tags,
          summary: 'A game (no answers)',
          params: Params,
          response: withProblems({ 200: Type.Object({ game: GameSchema }) }, 400, 404),
        },
      },
      async (request) => ({ game: await trivia.games.get(request.params.id) }),
    );

    // The big screen (no sign-in): the PIN on the wall is its whole configuration.
    app.get(
      '/api/games/pin/:pin',
      {
        schema: {
          tags,
          summary: 'The game that is not over with this pin (no answers)',
          params: PinParams,
          response: withProblems({ 200: Type.Object({ game: GameSchema }) }, 400, 404),
        },
      },
      async (request) => ({ game: await trivia.games.byPin(request.params.pin) }),
    );

    app.get(
      '/api/games/:id/screen',
      {
        schema: {
          tags,
          summary: 'What the big screen shows: the open question (no answer), answers so far, the last results once scored, and the top 10',
          params: Params,
          response: withProblems({ 200: ScreenSchema }, 400, 404),
        },
      },
      async (request) => trivia.games.screen(request.params.id),
    );

    app.post(
      '/api/games/:pin/players',
      {
        config: { auth: 'user' },
        schema: {
          tags,
          summary: 'Join a game by its pin (guests too); joining again keeps my seat and score',
          params: PinParams,
          body: Type.Object({ nickname: Type.String({ minLength: 1, maxLength: 32, pattern: '\\S' }) }, { additionalProperties: false }),
          response: withProblems({ 200: Type.Object({ game: GameSchema, player: PlayerSchema, rejoined: Type.Boolean() }) }, 400, 401, 404, 409),
        },
      },
      async (request) => trivia.join(request.actor, request.params.pin, request.body.nickname.trim()),
    );

    for (const action of HOST_ACTIONS) {
      app.post(
        `/api/games/:id/${action}`,
        {
          config: { auth: 'user' },
          schema: {
            tags,
            summary: ACTION_SUMMARIES[action],
            params: Params,
            response: withProblems({ 200: Type.Object({ game: GameSchema }) }, 400, 401, 403, 404, 409),
          },
        },
        async (request) => ({ game: await trivia.games.act(request.actor, request.params.id, action) }),
      );
    }

    app.get(
      '/api/games/:id/state',
      {
        config: { auth: 'user' },
        schema: {
          tags,
          summary: 'The game, the open question with its window and the server clock, and my answer and score (for reconnects)',
          params: Params,
          response: withProblems({ 200: StateSchema }, 400, 401, 404),
        },
      },
      async (request) => trivia.games.state(request.params.id, request.actor.id),
    );

    app.post(
      '/api/games/:id/answers',
      {
        config: { auth: 'user' },
        schema: {
          tags,
          summary: 'Answer a question: once per question (the same answer again replays the ack); correctness comes with the results',
          params: Params,
          body: Type.Object({ questionId: Type.Integer({ minimum: 0 }), choice: Choice }, { additionalProperties: false }),
          response: withProblems({ 200: AckSchema }, 400, 401, 403, 404, 409, 429),
        },
      },
      async (request) => trivia.answer(request.actor.id, { gameId: request.params.id, ...request.body }),
    );
  };
