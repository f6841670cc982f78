// A scored question on the big screen: how many chose each option, as bars, with the right
// answer(s) marked by a tick and an outline, never by colour alone. Text and number questions
// have no options: the screen says how many were right and what was accepted.
interface Results {
  text: string;
  options: string[];
  correctAnswer: unknown;
  counts: number[] | null;
  answered: number;
  correct: number;
}

const BAR_MAX_HEIGHT = 360;

function accepted(answer: unknown): string {
  if (Array.isArray(answer)) return answer.join(' / ');
  if (answer && typeof answer === 'object' && 'value' in answer) {
    const { value, tolerance } = answer as { value: number; tolerance: number };
    return tolerance > 0 ? `${value} ± ${tolerance}` : String(value);
  }
  return String(answer);
}

export function Distribution({ results }: { results: Results }) {
  const right = new Set(Array.isArray(results.correctAnswer) ? results.correctAnswer : [results.correctAnswer]);
  const most = Math.max(1, ...(results.counts ?? []));
  return (
    <div data-testid="screen-results">
      <h2 className="screen-trivia-question">{results.text}</h2>
      {results.counts ? (
        <ol className="screen-distribution" aria-label="Answers per option" data-testid="distribution">
          {results.options.map((option, index) => {
            const count = results.counts![index] ?? 0;
            const isRight = right.has(index);
            return (
              <li key={index} className={`screen-bar option-${index}${isRight ? ' right' : ''}`} data-count={count} data-right={isRight}>
                <span className="count">{count}</span>
                <span className="fill" style={{ height: (count / most) * BAR_MAX_HEIGHT }} />
                <span className="label">
                  {isRight && <span aria-label="right answer">✓ </span>}
                  {String.fromCharCode(65 + index)} {option}
                </span>
              </li>
            );
          })}
        </ol>
      ) : (
        <p>Answer: {accepted(results.correctAnswer)}</p>
      )}
      <p className="muted">
        {results.correct} of {results.answered} right
      </p>
    </div>
  );
}
