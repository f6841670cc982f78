// The quiz editor (/organizer/quizzes/new and /organizer/quizzes/:id): the title and the
// questions, added, removed and reordered, saved whole (POST, or PATCH to replace them). The
// server is the one validator: its 400 lists every problem as a field path, and the editor shows
// them in a summary at the top of the form and under the fields they name.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, call } from '../../api/client';
import { Button, Field, Notice } from '../../components/ui';
import { moveItem } from '../../lib/move-item';
import { QuestionFields } from './question-fields';
import { blankQuestion, placeProblems, toDraft, toQuestionInput, type DraftQuestion, type Quiz, type QuizBody } from './quiz-draft';

const FIELD_NAMES: Record<string, string> = {
  question: 'question',
  text: 'text',
  kind: 'kind',
  options: 'options',
  answer: 'correct answer',
  timeLimitSec: 'time limit',
  points: 'points',
  media: 'media',
};

export default function QuizEditorPage() {
  const { id } = useParams();
  const quiz = useQuery({
    queryKey: ['quiz', id],
    enabled: id !== undefined,
    queryFn: async () => (await call(api.GET('/api/quizzes/{id}', { params: { path: { id: id! } } }))).quiz,
  });
  if (id === undefined) return <QuizForm key="new" />;
  if (quiz.isPending) return <p>Loading…</p>;
  if (quiz.error) return <Notice tone="bad">This quiz could not be loaded: {quiz.error.message}</Notice>;
  return <QuizForm key={quiz.data.id} quiz={quiz.data} />;
}

function QuizForm({ quiz }: { quiz?: Quiz }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [title, setTitle] = useState(quiz?.title ?? '');
  const [questions, setQuestions] = useState<DraftQuestion[]>(() => quiz?.questions.map(toDraft) ?? [blankQuestion()]);
  const save = useMutation({
    mutationFn: async (body: QuizBody) =>
      (quiz
        ? await call(api.PATCH('/api/quizzes/{id}', { params: { path: { id: quiz.id } }, body }))
        : await call(api.POST('/api/quizzes', { body }))
      ).quiz,
    onSuccess: (saved) => {
      queryClient.setQueryData(['quiz', saved.id], saved);
      void queryClient.invalidateQueries({ queryKey: ['quizzes'] });
      void navigate('/organizer/quizzes', { state: { saved: saved.title } });
    },
  });
  // The keys of the questions as they were sent: the server's problems name positions, and a
  // question moved since then keeps its own problems.
  const [sentKeys, setSentKeys] = useState<number[]>([]);
  const summary = useRef<HTMLDivElement>(null);
  // The summary takes focus when a save fails, so the problems are met, not scrolled past.
  useEffect(() => {
    if (save.error) summary.current?.focus();
  }, [save.error]);

  const problem = save.error instanceof ApiError ? save.error.problem : null;
  const placed = placeProblems(problem?.errors ?? []);
  const problemsOf = (key: number) => placed.questions[sentKeys.indexOf(key)] ?? {};
  /** Where the question sent at `index` is now. */
  const questionName = (index: number) => {
    const now = questions.findIndex((draft) => draft.key === sentKeys[index]);
    return now < 0 ? 'A removed question' : `Question ${now + 1}`;
  };
  const update = (index: number, draft: DraftQuestion) => setQuestions((list) => list.map((old, i) => (i === index ? draft : old)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSentKeys(questions.map((draft) => draft.key));
    save.mutate({ title: title.trim(), questions: questions.map(toQuestionInput) });
  };

  return (
    <article className="stack">
      <p>
        <Link to="/organizer/quizzes">← Quizzes</Link>
      </p>
      <h1>{quiz ? `Edit “${quiz.title}”` : 'New quiz'}</h1>
      {/* noValidate: the server checks the whole quiz at once and says what is wrong, field by field. */}
      <form className="stack" noValidate onSubmit={submit} aria-label="Quiz">
        {save.error && (
          <div ref={summary} tabIndex={-1}>
            <Notice tone="bad" role="alert">
              <p>
                <strong>Not saved.</strong>{' '}
                {problem?.errors?.length
                  ? 'Fix the marked fields, then save again:'
                  : problem
                    ? (problem.detail ?? problem.title)
                    : 'Could not reach the server. Please try again.'}
              </p>
              {problem?.errors?.length ? (
                <ul data-testid="quiz-problems">
                  {placed.title && <li>Title: {placed.title}</li>}
                  {placed.general.map((message) => (
                    <li key={message}>{message}</li>
                  ))}
                  {Object.entries(placed.questions).flatMap(([index, fields]) =>
                    Object.entries(fields).map(([field, message]) => (
                      <li key={`${index}-${field}`}>
                        {questionName(Number(index))}, {FIELD_NAMES[field] ?? field}: {message}
                      </li>
                    )),
                  )}
                </ul>
              ) : null}
            </Notice>
          </div>
        )}
        <Field label="Title" value={title} maxLength={200} onChange={(event) => setTitle(event.target.value)} error={placed.title} />
        {questions.map((draft, index) => (
          <QuestionFields
            key={draft.key}
            index={index}
            count={questions.length}
            draft={draft}
            problems={problemsOf(draft.key)}
            onChange={(next) => update(index, next)}
            onMove={(to) => setQuestions((list) => moveItem(list, index, to))}
            onRemove={() => setQuestions((list) => list.filter((_, i) => i !== index))}
          />
        ))}
        <div className="row">
          <Button variant="secondary" onClick={() => setQuestions((list) => [...list, blankQuestion()])}>
            Add question
          </Button>
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : quiz ? 'Save changes' : 'Create quiz'}
          </Button>
        </div>
      </form>
    </article>
  );
}
