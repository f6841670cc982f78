import { describe, expect, it } from 'vitest';
import { parseReplyText } from './inbound.js';
import { MAX_BUTTONS, MAX_LIST_ROWS, optionIndex, renderQuestion } from './render.js';

describe('parseReplyText', () => {
  it('reads JOIN with a pin in any case and spacing', () => {
    expect(parseReplyText('JOIN 123456')).toEqual({ kind: 'join', pin: '123456' });
    expect(parseReplyText('  join123456 ')).toEqual({ kind: 'join', pin: '123456' });
    expect(parseReplyText('join abc')).toEqual({ kind: 'text', text: 'join abc' });
  });

  it('reads a single letter as an option index and anything else as free text', () => {
    expect(parseReplyText('b')).toEqual({ kind: 'letter', letter: 'B', index: 1 });
    expect(parseReplyText(' C ')).toEqual({ kind: 'letter', letter: 'C', index: 2 });
    expect(parseReplyText('Paris')).toEqual({ kind: 'text', text: 'Paris' });
    expect(parseReplyText('K')).toEqual({ kind: 'text', text: 'K' });
  });
});

describe('renderQuestion', () => {
  const options = (n: number) => Array.from({ length: n }, (_, i) => `Option number ${i + 1}, which is long`);

  it('uses reply buttons up to 3 options, a list up to 10, numbered text beyond', () => {
    expect(renderQuestion({ text: 'Q', options: options(MAX_BUTTONS) }, 'q').kind).toBe('buttons');
    expect(renderQuestion({ text: 'Q', options: options(MAX_BUTTONS + 1) }, 'q').kind).toBe('list');
    expect(renderQuestion({ text: 'Q', options: options(MAX_LIST_ROWS) }, 'q').kind).toBe('list');
    expect(renderQuestion({ text: 'Q', options: options(MAX_LIST_ROWS + 1) }, 'q').kind).toBe('text');
  });

  it('keeps titles within WhatsApp limits and ids that read back as the option index', () => {
    const buttons = renderQuestion({ text: 'Q', options: options(3) }, 'q7');
    if (buttons.kind !== 'buttons') throw new Error('expected buttons');
    expect(buttons.buttons.every((button) => button.title.length <= 20)).toBe(true);
    expect(buttons.buttons.map((button) => optionIndex('q7', button.id))).toEqual([0, 1, 2]);
    const list = renderQuestion({ text: 'Q', options: options(8) }, 'q8');
    if (list.kind !== 'list') throw new Error('expected a list');
    expect(list.rows.every((row) => row.title.length <= 24 && (row.description?.length ?? 0) <= 72)).toBe(true);
    expect(optionIndex('q7', 'q8:1')).toBeUndefined();
    expect(optionIndex('q8', 'q8:x')).toBeUndefined();
  });
});
