// The quiz editor's form state and its conversions: API questions to editable drafts (inputs
// hold strings), drafts back to the API's body, and the server's field problems placed on the
// question and field they name. The server validates; the editor only reshapes.
import type { operations } from '../../api/schema';

export type QuizBody = operations['createQuiz']['requestBody']['content']['application/json'];
export type Quiz = operations['getQuiz']['responses'][200]['content']['application/json']['quiz'];
type QuestionInput = QuizBody['questions'][number];
type Question = Quiz['questions'][number];
export type QuestionKind = QuestionInput['kind'];

export const KINDS: { kind: QuestionKind; label: string }[] = [
  { kind: 'choice', label: 'One correct option' },
  { kind: 'multi', label: 'Several correct options' },
  { kind: 'text', label: 'Free text' },
  { kind: 'number', label: 'Number' },
];
export const MIN_OPTIONS = 2;
export const MAX_OPTIONS = 6;
export const DEFAULT_POINTS = 1000;
const DEFAULT_TIME_LIMIT_SEC = 20;

export interface DraftQuestion {
  /** React's key: stays with the question when it moves. */
  key: number;
  text: string;
  kind: QuestionKind;
  options: string[];
  /** The indexes of the correct options (choice: one, multi: any). */
  correct: number[];
  /** Text: the accepted answers, one per line. */
  accepted: string;
  value: string;
  tolerance: string;
  timeLimitSec: string;
  points: string;
  media?: string;
}

let nextKey = 1;

export function blankQuestion(): DraftQuestion {
  return {
    key: nextKey++,
    text: '',
    kind: 'choice',
    options: ['', ''],
    // None marked: a forgotten mark is the server's "no correct option", never a silent "A".
    correct: [],
    accepted: '',
    value: '',
    tolerance: '0',
    timeLimitSec: String(DEFAULT_TIME_LIMIT_SEC),
    points: String(DEFAULT_POINTS),
  };
}

export function toDraft(question: Question): DraftQuestion {
  const draft: DraftQuestion = {
    ...blankQuestion(),
    text: question.text,
    kind: question.kind,
    timeLimitSec: String(question.timeLimitSec),
    points: String(question.points),
    media: question.media,
  };
  const { answer } = question;
  if (question.kind === 'choice' || question.kind === 'multi') {
    draft.options = question.options ?? [];
    draft.correct = typeof answer === 'number' ? [answer] : (answer as number[]);
  } else if (question.kind === 'text') {
    draft.accepted = (answer as string[]).join('\n');
  } else if (typeof answer === 'object' && !Array.isArray(answer)) {
    draft.value = String(answer.value);
    draft.tolerance = String(answer.tolerance);
  }
  return draft;
}

/** A whole number from an input, or NaN (sent as null, which the server reports on that field). */
const whole = (value: string) => (value.trim() === '' ? Number.NaN : Number(value));

export function toQuestionInput(draft: DraftQuestion): QuestionInput {
  const base = {
    text: draft.text.trim(),
    kind: draft.kind,
    timeLimitSec: whole(draft.timeLimitSec),
    points: draft.points.trim() === '' ? undefined : whole(draft.points),
    ...(draft.media ? { media: draft.media } : {}),
  };
  switch (draft.kind) {
    case 'choice':
      return { ...base, options: draft.options.map((option) => option.trim()), answer: draft.correct[0] ?? -1 };
    case 'multi':
      return { ...base, options: draft.options.map((option) => option.trim()), answer: [...draft.correct].sort((a, b) => a - b) };
    case 'text':
      return {
        ...base,
        answer: draft.accepted
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean),
      };
    case 'number':
      return { ...base, answer: { value: whole(draft.value), tolerance: whole(draft.tolerance) } };
  }
}

/** Switching kind keeps what still applies: the options between choice and multi, one correct for choice. */
export function withKind(draft: DraftQuestion, kind: QuestionKind): DraftQuestion {
  const options = draft.options.length >= MIN_OPTIONS ? draft.options : ['', ''];
  return { ...draft, kind, options, correct: kind === 'choice' ? draft.correct.slice(0, 1) : draft.correct };
}

/** The option list without option `index`; the correct marks follow their options. */
export function withoutOption(draft: DraftQuestion, index: number): DraftQuestion {
  return {
    ...draft,
    options: draft.options.filter((_, i) => i !== index),
    correct: draft.correct.filter((i) => i !== index).map((i) => (i > index ? i - 1 : i)),
  };
}

export interface FieldProblem {
  field: string;
  message: string;
}

export interface PlacedProblems {
  title?: string;
  /** Per question index, per field (text, options, answer, timeLimitSec, points, …). */
  questions: Record<number, Record<string, string>>;
  /** Problems about the quiz as a whole (no questions at all). */
  general: string[];
}

/**
 * Places the server's problems: the service names fields as JSON pointers
 * (`/questions/2/timeLimitSec`), schema validation as dotted paths (`body.questions.2.timeLimitSec`).
 */
export function placeProblems(errors: FieldProblem[]): PlacedProblems {
  const placed: PlacedProblems = { questions: {}, general: [] };
  for (const { field, message } of errors) {
    const parts = field.split(/[./]/).filter((part) => part !== '' && part !== 'body');
    const [top, index, name] = parts;
    if (top === 'title') placed.title = message;
    else if (top === 'questions' && index !== undefined && /^\d+$/.test(index)) {
      const fields = (placed.questions[Number(index)] ??= {});
      const key = name ?? 'question';
      fields[key] = fields[key] ? `${fields[key]}; ${message}` : message;
    } else placed.general.push(message);
  }
  return placed;
}
