// Trivia in async mode over WhatsApp: "JOIN <pin>" seats the number's guest account in the
// game and sends its first question; every later message answers the question on screen, gets
// that question's result and the next question, and the last one the final standing.
import type { Logger } from 'pino';
import type { AnswerChoice } from '../../domain/trivia.js';
import { isAppError } from '../../errors.js';
import type { AccountsService } from '../accounts/index.js';
import type { TriviaService } from '../trivia/index.js';
import { optionIndex, renderQuestion, type InboundHandler, type InboundMessage, type Reply } from '../whatsapp/index.js';
import type { WhatsAppPlayersStore } from './store.js';

type Current = Awaited<ReturnType<TriviaService['currentQuestion']>>;
type Question = NonNullable<Current['question']>;

export interface WhatsAppTriviaDeps {
  store: WhatsAppPlayersStore;
  trivia: TriviaService;
  accounts: Pick<AccountsService, 'guest'>;
  log: Logger;
}

const prefixOf = (seq: number) => `q${seq}`;
const letterIndexes = (text: string) =>
  text
    .toUpperCase()
    .match(/\b[A-J]\b/g)
    ?.map((letter) => letter.charCodeAt(0) - 65) ?? [];

/** What the player's message means as an answer to `question`; undefined when it cannot be one. */
export function choiceFor(question: Pick<Question, 'seq' | 'kind' | 'options'>, reply: InboundMessage['reply']): AnswerChoice | undefined {
  const { kind, options } = question;
  let index: number | undefined;
  if (reply.kind === 'choice') index = optionIndex(prefixOf(question.seq), reply.id);
  else if (reply.kind === 'letter') index = reply.index;
  if (kind === 'choice' || kind === 'multi') {
    if (reply.kind === 'text') {
      const named = options.findIndex((option) => option.trim().toLowerCase() === reply.text.toLowerCase());
      if (kind === 'choice') return named >= 0 ? named : undefined;
      const indexes = letterIndexes(reply.text);
      return indexes.length > 0 ? indexes : named >= 0 ? [named] : undefined;
    }
    if (index === undefined) return undefined;
    return kind === 'multi' ? [index] : index;
  }
  const typed = reply.kind === 'text' ? reply.text : reply.kind === 'letter' ? reply.letter : undefined;
  if (typed === undefined) return undefined;
  if (kind === 'text') return typed;
  const value = Number(typed.replace(',', '.'));
  return Number.isFinite(value) ? value : undefined;
}

const render = (question: Question) =>
  renderQuestion(
    { text: `Question ${question.seq + 1}/${question.questionCount}: ${question.text}`, options: question.options },
    prefixOf(question.seq),
  );

export function createWhatsAppTrivia({ store, trivia, accounts, log }: WhatsAppTriviaDeps): InboundHandler {
  /** The account this number plays as, made (a guest) on its first JOIN. */
  async function accountFor(message: InboundMessage): Promise<string> {
    const known = await store.find(message.from);
    if (known) return known.userId;
    const { user } = await accounts.guest({ nickname: message.profileName ?? 'whatsapp' });
    // Two deliveries of a first JOIN racing: one link wins, the other guest stays unused.
    return store.link(message.from, user.id);
  }

  async function join(message: InboundMessage, pin: string, reply: Reply): Promise<boolean> {
    let game;
    try {
      game = await trivia.games.byPin(pin);
    } catch (error) {
      // Not one of ours: the next handler, or the channel's help reply, answers it.
      if (isAppError(error) && error.code === 'NOT_FOUND') return false;
      throw error;
    }
    if (game.mode !== 'async') {
      await reply({ kind: 'text', body: `Game ${pin} is played live in the app, not on WhatsApp.` });
      return true;
    }
    const userId = await accountFor(message);
    const actor = { id: userId, role: 'player' as const, isGuest: true };
    const base = (message.profileName ?? '').trim().slice(0, 20) || 'Player';
    let player;
    try {
      ({ player } = await trivia.join(actor, pin, base).catch((error: unknown) => {
        // Nicknames are unique per game: a namesake gets the number's last digits added.
        if (isAppError(error) && error.code === 'NICKNAME_TAKEN') return trivia.join(actor, pin, `${base}-${message.from.slice(-4)}`);
        throw error;
      }));
    } catch (error) {
      if (!isAppError(error) || (error.code !== 'GAME_FULL' && error.code !== 'NICKNAME_TAKEN')) throw error;
      await reply({ kind: 'text', body: error.code === 'GAME_FULL' ? 'Sorry, this game is full.' : 'That name is taken in this game.' });
      return true;
    }
    await store.setGame(message.from, game.id);
    await reply({ kind: 'text', body: `You're in "${game.title}" as ${player.nickname}.` });
    await sendNext(userId, game.id, reply, player.score);
    return true;
  }

  /** Moves the player on (scoring what they answered) and sends the result, then the next question or the final standing. */
  async function sendNext(userId: string, gameId: string, reply: Reply, scoreBefore: number, answered?: number): Promise<void> {
    let next: Current;
    try {
      next = await trivia.currentQuestion(userId, gameId);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'GAME_STATE') throw error;
      const status = error.extensions.gameStatus;
      if (status === 'ended') return sendStanding(userId, gameId, reply);
      await reply({ kind: 'text', body: 'The game has not started yet. Send any message once it has to get your question.' });
      return;
    }
    if (answered !== undefined) {
      const gained = next.me.score - scoreBefore;
      const result = gained > 0 ? `Right! +${gained} points.` : 'Not this time.';
      await reply({ kind: 'text', body: `${result} Your score: ${next.me.score}.` });
    }
    if (next.done) return sendStanding(userId, gameId, reply);
    await reply(render(next.question!));
  }

  async function sendStanding(userId: string, gameId: string, reply: Reply): Promise<void> {
    const { game, me } = await trivia.games.state(gameId, userId);
    const rank = me?.rank ? `, rank ${me.rank} of ${game.players}` : '';
    await reply({ kind: 'text', body: `That's all! Final score ${me?.score ?? 0}${rank}. Thanks for playing "${game.title}".` });
  }

  async function answer(message: InboundMessage, userId: string, gameId: string, reply: Reply): Promise<void> {
    const { game, question, me } = await trivia.games.state(gameId, userId);
    const scoreBefore = me?.score ?? 0;
    if (game.status === 'ended') return sendStanding(userId, gameId, reply);
    // Nothing sent yet (the game started after the JOIN): this message asks for the first question.
    if (!question) return sendNext(userId, gameId, reply, scoreBefore);
    const choice = choiceFor(question, message.reply);
    if (choice === undefined) {
      const hint = question.options.length > 0 ? 'Tap an option or reply with its letter.' : 'Reply with your answer.';
      await reply({ kind: 'text', body: `That is not an answer to question ${question.seq + 1}. ${hint}` });
      return;
    }
    try {
      await trivia.answer(userId, { gameId, questionId: question.seq, choice });
    } catch (error) {
      if (!isAppError(error)) throw error;
      if (error.code === 'VALIDATION_FAILED') {
        await reply({ kind: 'text', body: `That is not an answer to question ${question.seq + 1}. Tap an option or reply with its letter.` });
        return;
      }
      if (error.code !== 'ANSWER_TOO_LATE' && error.code !== 'ALREADY_ANSWERED') throw error;
      const why =
        error.code === 'ANSWER_TOO_LATE' ? `Too late for question ${question.seq + 1}.` : `You already answered question ${question.seq + 1}.`;
      await reply({ kind: 'text', body: why });
      return sendNext(userId, gameId, reply, scoreBefore);
    }
    await sendNext(userId, gameId, reply, scoreBefore, question.seq);
  }

  return {
    async handle(message, reply) {
      if (message.reply.kind === 'join') return join(message, message.reply.pin, reply);
      const player = await store.find(message.from);
      // A number in no game: the channel's help reply tells it how to join.
      if (!player?.gameId) return false;
      log.debug({ gameId: player.gameId }, 'whatsapp trivia answer');
      await answer(message, player.userId, player.gameId, reply);
      return true;
    },
  };
}
