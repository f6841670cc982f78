// `npx tsx bench/trivia-matching.ts`: what trivia's text and number matching cost per answer on
// the event loop, over 10,000 answers, three rounds. The figure a worker pool (piscina) could at
// most take off the event loop (docs/benchmarks.md, "Text and number matching").
import type { Question } from '../src/domain/trivia.js';
import { isCorrect } from '../src/features/trivia/quizzes/rules.js';

const ANSWERS = 10_000;
const text: Question = { text: 'q', kind: 'text', answer: ['Paris', 'Lutetia Parisiorum'], timeLimitSec: 5, points: 1000 };
const number: Question = { text: 'q', kind: 'number', answer: { value: 299792, tolerance: 1000 }, timeLimitSec: 5, points: 1000 };
const texts = Array.from({ length: ANSWERS }, (_, i) => ['paris', 'Pariss!', 'Lyon', "L'utétia parisiorum"][i % 4]!);

function microsecondsPerAnswer(question: Question, choices: Array<string | number>): number {
  const started = performance.now();
  let right = 0;
  for (const choice of choices) if (isCorrect(question, choice)) right++;
  const elapsed = performance.now() - started;
  // Reading `right` keeps the loop from being optimised away.
  return right >= 0 ? (elapsed * 1000) / choices.length : Number.NaN;
}

for (const round of [1, 2, 3]) {
  const numbers = Array.from({ length: ANSWERS }, (_, i) => 299792 + i - ANSWERS / 2);
  console.log(
    `round ${round}: text ${microsecondsPerAnswer(text, texts).toFixed(2)} µs, number ${microsecondsPerAnswer(number, numbers).toFixed(3)} µs per answer`,
  );
}
