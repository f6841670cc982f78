// One question of the quiz editor: its text, kind, the kind's answer fields, time limit and
// points, and the buttons that move or remove it. The server's problems show under the fields
// they name.
import { useId } from 'react';
import { Button, Field, FieldError } from '../../components/ui';
import { KINDS, MAX_OPTIONS, MIN_OPTIONS, withKind, withoutOption, type DraftQuestion, type QuestionKind } from './quiz-draft';

const LETTERS = 'ABCDEF';

interface Props {
  index: number;
  count: number;
  draft: DraftQuestion;
  problems: Record<string, string>;
  onChange: (draft: DraftQuestion) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
}

export function QuestionFields({ index, count, draft, problems, onChange, onMove, onRemove }: Props) {
  const id = useId();
  const number = index + 1;
  const set = (change: Partial<DraftQuestion>) => onChange({ ...draft, ...change });
  return (
    <fieldset className="question stack" data-testid="question">
      <legend>Question {number}</legend>
      <FieldError id={`${id}-question`} message={problems.question} />
      <div className="field">
        <label htmlFor={`${id}-text`}>Question text</label>
        <textarea
          id={`${id}-text`}
          rows={2}
          value={draft.text}
          onChange={(event) => set({ text: event.target.value })}
          aria-invalid={problems.text ? true : undefined}
          aria-describedby={problems.text ? `${id}-text-error` : undefined}
        />
        <FieldError id={`${id}-text-error`} message={problems.text} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-kind`}>Kind</label>
        <select id={`${id}-kind`} value={draft.kind} onChange={(event) => onChange(withKind(draft, event.target.value as QuestionKind))}>
          {KINDS.map(({ kind, label }) => (
            <option key={kind} value={kind}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <AnswerFields id={id} draft={draft} problems={problems} set={set} onChange={onChange} />
      <div className="question-grid">
        <Field
          label="Time limit (seconds)"
          type="number"
          inputMode="numeric"
          min={5}
          max={120}
          hint="5 to 120"
          value={draft.timeLimitSec}
          onChange={(event) => set({ timeLimitSec: event.target.value })}
          error={problems.timeLimitSec}
        />
        <Field
          label="Points"
          type="number"
          inputMode="numeric"
          min={0}
          hint="Default 1000"
          value={draft.points}
          onChange={(event) => set({ points: event.target.value })}
          error={problems.points}
        />
      </div>
      <div className="row">
        <Button variant="secondary" aria-label={`Move question ${number} up`} disabled={index === 0} onClick={() => onMove(index - 1)}>
          Move up
        </Button>
        <Button variant="secondary" aria-label={`Move question ${number} down`} disabled={index === count - 1} onClick={() => onMove(index + 1)}>
          Move down
        </Button>
        <Button variant="secondary" aria-label={`Remove question ${number}`} disabled={count === 1} onClick={onRemove}>
          Remove
        </Button>
      </div>
    </fieldset>
  );
}

interface AnswerProps {
  id: string;
  draft: DraftQuestion;
  problems: Record<string, string>;
  set: (change: Partial<DraftQuestion>) => void;
  onChange: (draft: DraftQuestion) => void;
}

function AnswerFields({ id, draft, problems, set, onChange }: AnswerProps) {
  const problem = [problems.options, problems.answer].filter(Boolean).join('; ') || undefined;
  if (draft.kind === 'text')
    return (
      <div className="field">
        <label htmlFor={`${id}-accepted`}>Accepted answers, one per line</label>
        <textarea
          id={`${id}-accepted`}
          rows={3}
          value={draft.accepted}
          onChange={(event) => set({ accepted: event.target.value })}
          aria-invalid={problem ? true : undefined}
          aria-describedby={`${id}-accepted-hint${problem ? ` ${id}-answer-error` : ''}`}
        />
        <small id={`${id}-accepted-hint`} className="muted">
          Case, accents and punctuation are ignored; one typo is forgiven in answers of 5 letters or more.
        </small>
        <FieldError id={`${id}-answer-error`} message={problem} />
      </div>
    );
  if (draft.kind === 'number')
    return (
      <div className="question-grid">
        <Field
          label="Correct value"
          type="number"
          step="any"
          value={draft.value}
          onChange={(event) => set({ value: event.target.value })}
          error={problem}
        />
        <Field
          label="Tolerance (±)"
          type="number"
          step="any"
          min={0}
          value={draft.tolerance}
          onChange={(event) => set({ tolerance: event.target.value })}
        />
      </div>
    );
  const multi = draft.kind === 'multi';
  const toggle = (index: number, on: boolean) =>
    set({ correct: multi ? (on ? [...draft.correct, index] : draft.correct.filter((i) => i !== index)) : [index] });
  return (
    <fieldset className="stack" aria-describedby={problem ? `${id}-answer-error` : undefined}>
      <legend>
        Options ({MIN_OPTIONS} to {MAX_OPTIONS}): mark {multi ? 'every correct one' : 'the correct one'}
      </legend>
      {draft.options.map((option, index) => {
        const letter = LETTERS[index];
        return (
          <div className="option-row" key={index}>
            <input
              type={multi ? 'checkbox' : 'radio'}
              name={`${id}-correct`}
              aria-label={`Option ${letter} is correct`}
              checked={draft.correct.includes(index)}
              onChange={(event) => toggle(index, event.target.checked)}
            />
            <strong aria-hidden="true">{letter}</strong>
            <input
              type="text"
              aria-label={`Option ${letter}`}
              value={option}
              onChange={(event) => set({ options: draft.options.map((old, i) => (i === index ? event.target.value : old)) })}
            />
            <Button
              variant="secondary"
              aria-label={`Remove option ${letter}`}
              disabled={draft.options.length <= MIN_OPTIONS}
              onClick={() => onChange(withoutOption(draft, index))}
            >
              ✕
            </Button>
          </div>
        );
      })}
      <Button variant="secondary" disabled={draft.options.length >= MAX_OPTIONS} onClick={() => set({ options: [...draft.options, ''] })}>
        Add option
      </Button>
      <FieldError id={`${id}-answer-error`} message={problem} />
    </fieldset>
  );
}
