// Renders a question for WhatsApp: reply buttons for up to 3 options, a list message for up
// to 10, numbered text beyond. Each option's id is `<prefix>:<index>`, which comes back as a
// `choice` reply; the letters A, B, C… are shown too, for players who type.
import type { WhatsAppContent } from '../../platform/messaging/port.js';

export const MAX_BUTTONS = 3;
export const MAX_LIST_ROWS = 10;
const BUTTON_TITLE_MAX = 20;
const ROW_TITLE_MAX = 24;
const ROW_DESCRIPTION_MAX = 72;

const letter = (index: number) => String.fromCharCode(65 + index);
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export const optionId = (prefix: string, index: number) => `${prefix}:${index}`;

/** The option index a choice id names, if it was made by optionId with this prefix. */
export function optionIndex(prefix: string, id: string): number | undefined {
  if (!id.startsWith(`${prefix}:`)) return undefined;
  const index = Number(id.slice(prefix.length + 1));
  return Number.isInteger(index) && index >= 0 ? index : undefined;
}

export function renderQuestion(question: { text: string; options: string[] }, prefix: string): WhatsAppContent {
  const lines = question.options.map((option, index) => `${letter(index)}. ${option}`);
  const body = `${question.text}\n\n${lines.join('\n')}`;
  if (question.options.length === 0) return { kind: 'text', body: question.text };
  if (question.options.length <= MAX_BUTTONS) {
    const buttons = question.options.map((option, index) => ({
      id: optionId(prefix, index),
      title: clip(`${letter(index)}. ${option}`, BUTTON_TITLE_MAX),
    }));
    return { kind: 'buttons', body, buttons };
  }
  if (question.options.length <= MAX_LIST_ROWS) {
    const rows = question.options.map((option, index) => ({
      id: optionId(prefix, index),
      title: clip(`${letter(index)}. ${option}`, ROW_TITLE_MAX),
      ...(option.length + 3 > ROW_TITLE_MAX ? { description: clip(option, ROW_DESCRIPTION_MAX) } : {}),
    }));
    return { kind: 'list', body, buttonLabel: 'Answer', rows };
  }
  return { kind: 'text', body: `${body}\n\nReply with the letter of your answer.` };
}
