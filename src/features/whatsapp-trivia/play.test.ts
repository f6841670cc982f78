import { describe, expect, it } from 'vitest';
import { parseReplyText } from '../whatsapp/index.js';
import { choiceFor } from './play.js';

const choice = { seq: 2, kind: 'choice' as const, options: ['Rome', 'Paris', 'Oslo'] };
const multi = { seq: 3, kind: 'multi' as const, options: ['2', '4', '5', '9'] };

describe('choiceFor', () => {
  it('reads a choice question from its own button ids, letters or an option typed out', () => {
    expect(choiceFor(choice, { kind: 'choice', id: 'q2:1' })).toBe(1);
    // A button of an earlier question is no answer to this one.
    expect(choiceFor(choice, { kind: 'choice', id: 'q1:1' })).toBeUndefined();
    expect(choiceFor(choice, parseReplyText('c'))).toBe(2);
    expect(choiceFor(choice, parseReplyText(' paris '))).toBe(1);
    expect(choiceFor(choice, parseReplyText('London'))).toBeUndefined();
  });

  it('reads several letters for a multi question, or one tapped option', () => {
    expect(choiceFor(multi, parseReplyText('A, C'))).toEqual([0, 2]);
    expect(choiceFor(multi, parseReplyText('a c d'))).toEqual([0, 2, 3]);
    expect(choiceFor(multi, { kind: 'choice', id: 'q3:3' })).toEqual([3]);
    expect(choiceFor(multi, parseReplyText('B'))).toEqual([1]);
  });

  it('passes text through for text questions and parses numbers with either decimal mark', () => {
    expect(choiceFor({ seq: 0, kind: 'text', options: [] }, parseReplyText('Bern'))).toBe('Bern');
    expect(choiceFor({ seq: 0, kind: 'number', options: [] }, parseReplyText('3,5'))).toBe(3.5);
    expect(choiceFor({ seq: 0, kind: 'number', options: [] }, parseReplyText('lots'))).toBeUndefined();
    expect(choiceFor({ seq: 0, kind: 'number', options: [] }, { kind: 'choice', id: 'q0:1' })).toBeUndefined();
  });
});
