// The pure rules of a quiz: what a valid question is, and whether an answer matches it.
import type { AnswerChoice, Question, QuestionAnswer } from '../../../domain/trivia.js';

export const MIN_TIME_LIMIT_SEC = 5;
export const MAX_TIME_LIMIT_SEC = 120;
export const DEFAULT_POINTS = 1000;
/** Text answers this long or longer forgive one typo (an insertion, deletion or substitution). */
export const TYPO_MIN_LETTERS = 5;

export interface FieldProblem {
  field: string;
  message: string;
}

/** Every problem of a question, with a JSON pointer below `at`; empty when the question is valid. */
export function questionProblems(question: Question, at: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const fail = (field: string, message: string) => problems.push({ field: `${at}${field}`, message });
  const { kind, options = [], answer } = question;
  if (!Number.isInteger(question.timeLimitSec) || question.timeLimitSec < MIN_TIME_LIMIT_SEC || question.timeLimitSec > MAX_TIME_LIMIT_SEC)
    fail('/timeLimitSec', `A time limit is a whole number of seconds from ${MIN_TIME_LIMIT_SEC} to ${MAX_TIME_LIMIT_SEC}`);
  const isIndex = (value: unknown) => Number.isInteger(value) && (value as number) >= 0 && (value as number) < options.length;
  switch (kind) {
    case 'choice':
      if (options.length < 2 || options.length > 6) fail('/options', 'A choice question has 2 to 6 options');
      if (!isIndex(answer)) fail('/answer', 'The answer of a choice question is the index of its one correct option');
      break;
    case 'multi':
      if (options.length < 2 || options.length > 6) fail('/options', 'A multi question has 2 to 6 options');
      if (!Array.isArray(answer) || answer.length === 0 || !answer.every(isIndex) || new Set<unknown>(answer).size !== answer.length)
        fail('/answer', 'The answer of a multi question is the distinct indexes of its correct options, at least one');
      break;
    case 'text':
      if (options.length > 0) fail('/options', 'A text question has no options');
      if (!Array.isArray(answer) || answer.length === 0 || !answer.every((text) => typeof text === 'string' && normalizeText(text).length > 0))
        fail('/answer', 'The answer of a text question is a list of accepted answers, at least one with a letter or digit');
      break;
    case 'number':
      if (options.length > 0) fail('/options', 'A number question has no options');
      if (!isNumberAnswer(answer)) fail('/answer', 'The answer of a number question is {value, tolerance} with tolerance >= 0');
      break;
  }
  return problems;
}

function isNumberAnswer(answer: QuestionAnswer): answer is { value: number; tolerance: number } {
  return (
    typeof answer === 'object' &&
    answer !== null &&
    !Array.isArray(answer) &&
    Number.isFinite(answer.value) &&
    Number.isFinite(answer.tolerance) &&
    answer.tolerance >= 0
  );
}

/** Why a player's answer is malformed for this question (a 400), or undefined when it is well formed. */
export function choiceProblem(question: Question, choice: AnswerChoice): string | undefined {
  const options = question.options?.length ?? 0;
  const isIndex = (value: unknown) => Number.isInteger(value) && (value as number) >= 0 && (value as number) < options;
  switch (question.kind) {
    case 'choice':
      return isIndex(choice) ? undefined : `choice must be an option index from 0 to ${options - 1}`;
    case 'multi':
      return Array.isArray(choice) && choice.length > 0 && choice.every(isIndex) && new Set(choice).size === choice.length
        ? undefined
        : `choice must be distinct option indexes from 0 to ${options - 1}`;
    case 'text':
      return typeof choice === 'string' && choice.length <= 200 ? undefined : 'choice must be a text of at most 200 characters';
    case 'number':
      return typeof choice === 'number' && Number.isFinite(choice) ? undefined : 'choice must be a finite number';
  }
}

/** Lower case, accents stripped, punctuation and runs of spaces folded: "L'Été!" and "l ete" match. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** True when a and b differ by at most one insertion, deletion or substitution. */
export function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

export function matchesText(accepted: string[], given: string): boolean {
  const answer = normalizeText(given);
  if (answer.length === 0) return false;
  return accepted.some((text) => {
    const expected = normalizeText(text);
    if (expected === answer) return true;
    const letters = expected.replace(/ /g, '').length;
    return letters >= TYPO_MIN_LETTERS && withinOneEdit(expected, answer);
  });
}

/** Whether a well-formed choice is right. */
export function isCorrect(question: Question, choice: AnswerChoice): boolean {
  const { answer } = question;
  switch (question.kind) {
    case 'choice':
      return choice === answer;
    case 'multi': {
      const expected = new Set(answer as number[]);
      const given = choice as number[];
      return given.length === expected.size && given.every((index) => expected.has(index));
    }
    case 'text':
      return matchesText(answer as string[], choice as string);
    case 'number': {
      const { value, tolerance } = answer as { value: number; tolerance: number };
      return Math.abs((choice as number) - value) <= tolerance;
    }
  }
}

/** The same answer sent twice must compare equal whatever order a multi choice came in. */
export function sameChoice(a: AnswerChoice, b: AnswerChoice): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && [...a].sort().join() === [...b].sort().join();
  return a === b;
}
