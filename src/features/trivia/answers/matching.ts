// Whether answers are right, for a whole batch at once. Text and number matching can run on a
// piscina worker pool (TRIVIA_MATCHING_THREADS > 0) or inline on the event loop (0, the
// default); docs/benchmarks.md ("piscina decision") has the A/B that chose the default.
// Choice and multi answers are an index comparison and always stay inline.
import { Piscina } from 'piscina';
import type { AnswerChoice, Question } from '../../../domain/trivia.js';
import { isCorrect } from '../quizzes/rules.js';

export type MatchPair = [question: Question, choice: AnswerChoice];

export interface Matcher {
  correct(pairs: MatchPair[]): Promise<boolean[]>;
  close(): Promise<void>;
}

const pooled = (question: Question) => question.kind === 'text' || question.kind === 'number';

const fromSource = import.meta.url.endsWith('.ts');
/** The worker's file next to this one: .ts when run from source, .js when built. */
const workerFile = new URL(`./matching-worker${fromSource ? '.ts' : '.js'}`, import.meta.url).href;
/** From source (tests, the bench) the workers need tsx to load TypeScript, unless the process already has it. */
const execArgv = fromSource && !process.execArgv.includes('tsx') ? [...process.execArgv, '--import', 'tsx'] : process.execArgv;

export function createMatcher(threads: number): Matcher {
  if (threads === 0) return { correct: async (pairs) => pairs.map(([question, choice]) => isCorrect(question, choice)), close: async () => {} };
  const pool = new Piscina<MatchPair[], boolean[]>({ filename: workerFile, minThreads: threads, maxThreads: threads, execArgv });
  return {
    async correct(pairs) {
      const offloaded = pairs.flatMap((pair, index) => (pooled(pair[0]) ? [index] : []));
      const result = pairs.map(([question, choice]) => !pooled(question) && isCorrect(question, choice));
      if (offloaded.length === 0) return result;
      const matched = await pool.run(offloaded.map((index) => pairs[index]!));
      offloaded.forEach((index, n) => (result[index] = matched[n]!));
      return result;
    },
    close: () => pool.destroy(),
  };
}
