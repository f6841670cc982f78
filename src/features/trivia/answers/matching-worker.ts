// A piscina worker: text and number matching for one batch of answers (see matching.ts).
import { isCorrect } from '../quizzes/rules.js';
import type { MatchPair } from './matching.js';

export default function match(pairs: MatchPair[]): boolean[] {
  return pairs.map(([question, choice]) => isCorrect(question, choice));
}
