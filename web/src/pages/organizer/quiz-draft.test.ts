// The quiz editor's reshaping: every kind survives API -> draft -> API unchanged, option removal
// keeps the correct marks on their options, and the server's problems land on the right field
// whichever way the server spelt the path.
import { describe, expect, it } from 'vitest';
import { placeProblems, toDraft, toQuestionInput, withKind, withoutOption, type Quiz } from './quiz-draft';

const QUESTIONS: Quiz['questions'] = [
  { text: 'Capital?', kind: 'choice', options: ['Lyon', 'Paris'], answer: 1, timeLimitSec: 20, points: 1000 },
  { text: 'Primes?', kind: 'multi', options: ['2', '4', '5'], answer: [0, 2], timeLimitSec: 30, points: 800 },
  { text: 'Longest river?', kind: 'text', answer: ['Nile', 'The Nile'], timeLimitSec: 15, points: 1000, media: 'https://example.com/nile.png' },
  { text: 'Pi?', kind: 'number', answer: { value: 3.14, tolerance: 0.01 }, timeLimitSec: 10, points: 0 },
];

describe('quiz drafts', () => {
  it('round-trips every kind of question', () => {
    for (const question of QUESTIONS) expect(toQuestionInput(toDraft(question))).toEqual(question);
  });

  it('sends empty numbers as NaN (null in JSON) so the server names the field', () => {
    const draft = { ...toDraft(QUESTIONS[0]!), timeLimitSec: ' ', points: '' };
    const input = toQuestionInput(draft);
    expect(input.timeLimitSec).toBeNaN();
    expect(input.points).toBeUndefined();
  });

  it('keeps the correct marks on their options when one is removed, and one mark when switching to choice', () => {
    const multi = toDraft(QUESTIONS[1]!);
    expect(withoutOption(multi, 1)).toMatchObject({ options: ['2', '5'], correct: [0, 1] });
    expect(withoutOption(multi, 0)).toMatchObject({ options: ['4', '5'], correct: [1] });
    expect(withKind(multi, 'choice').correct).toEqual([0]);
  });

  it('places JSON pointers and schema paths on their question and field', () => {
    expect(
      placeProblems([
        { field: '/questions/1/timeLimitSec', message: 'out of range' },
        { field: 'body.questions.0.options', message: 'too few' },
        { field: '/questions/0/answer', message: 'no correct option' },
        { field: 'body.title', message: 'too short' },
        { field: '/questions', message: 'At least one question' },
      ]),
    ).toEqual({
      title: 'too short',
      questions: { 0: { options: 'too few', answer: 'no correct option' }, 1: { timeLimitSec: 'out of range' } },
      general: ['At least one question'],
    });
  });
});
