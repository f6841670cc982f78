// The atomic "first answer wins" step of a batch, on the answer ledger (Redis when REDIS_URL is
// set, in process otherwise). A claim carries the whole scored answer, so whichever instance
// meets a claim first can write that very answer to the database: the ledger and the record
// never tell two different stories about one player's answer.
import type { Logger } from 'pino';
import type { AnswerClaim, AnswerLedger } from '../../../platform/answer-ledger/port.js';
import type { AnswerChoice } from '../../../domain/trivia.js';
import type { StoredAnswer } from './store.js';

export const answerKey = (gameId: string, seq: number, playerId: string) => `${gameId}/${seq}/${playerId}`;

type ClaimedValue = Pick<StoredAnswer, 'choice' | 'receivedAt' | 'correct' | 'points'>;

export function toClaim(answer: StoredAnswer): AnswerClaim {
  const value: ClaimedValue = { choice: answer.choice, receivedAt: answer.receivedAt, correct: answer.correct, points: answer.points };
  return {
    scope: answer.gameId,
    key: `${answer.seq}/${answer.playerId}`,
    value: JSON.stringify(value),
    member: answer.playerId,
    points: answer.points,
  };
}

/**
 * Per answer, the first one the ledger holds for its player and question: the answer itself when
 * it is the first. `claimed` collects this call's first claims, for release if the batch fails.
 * Without the ledger (Redis down) every answer counts as first and the primary key alone dedupes.
 */
export async function firstAnswers(ledger: AnswerLedger, answers: StoredAnswer[], claimed: AnswerClaim[], log: Logger): Promise<StoredAnswer[]> {
  if (answers.length === 0) return [];
  const claims = answers.map(toClaim);
  const outcomes = await ledger.claim(claims).catch((error: unknown) => {
    log.warn({ err: error }, 'answer ledger unavailable; the database alone deduplicates this batch');
    return undefined;
  });
  if (!outcomes) return answers;
  return answers.map((answer, index) => {
    const outcome = outcomes[index]!;
    const claim = claims[index]!;
    // A retried transaction meets its own earlier claim: still this batch's first.
    if (outcome.first || outcome.value === claim.value) {
      claimed.push(claim);
      return answer;
    }
    const held = JSON.parse(outcome.value) as ClaimedValue & { choice: AnswerChoice };
    return { ...answer, ...held };
  });
}
