// My quizzes (/organizer/quizzes): each with its question count, edit, export as a JSON download
// and delete (asked first); a new quiz, and import from a JSON file another Stampede exported.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import { Link, useLocation } from 'react-router';
import { api, call } from '../../api/client';
import { ConfirmButton } from '../../components/confirm';
import { Button, Notice, Time } from '../../components/ui';
import type { Quiz, QuizBody } from './quiz-draft';

const failure = (error: Error | null, what: string) =>
  error && (
    <Notice tone="bad" role="alert">
      {what}: {error instanceof TypeError ? 'Could not reach the server. Please try again.' : error.message}
    </Notice>
  );

/** "Capitals of Europe!" -> "capitals-of-europe", for the download's file name. */
const fileName = (title: string) =>
  `${
    title
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-|-$/g, '') || 'quiz'
  }.quiz.json`;

export default function QuizzesPage() {
  const queryClient = useQueryClient();
  const saved = (useLocation().state as { saved?: string } | null)?.saved;
  const quizzes = useQuery({ queryKey: ['quizzes'], queryFn: () => call(api.GET('/api/quizzes')) });
  const changed = () => void queryClient.invalidateQueries({ queryKey: ['quizzes'] });
  const remove = useMutation({
    mutationFn: (id: string) => call(api.DELETE('/api/quizzes/{id}', { params: { path: { id } } })),
    onSuccess: changed,
  });
  const exporting = useMutation({
    mutationFn: async (quiz: Quiz) => {
      const data = await call(api.GET('/api/quizzes/{id}/export', { params: { path: { id: quiz.id } } }));
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
      const link = Object.assign(document.createElement('a'), { href: url, download: fileName(quiz.title) });
      link.click();
      // Revoked on a later turn: the download starts from the click, not synchronously everywhere.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });

  if (quizzes.isPending) return <p>Loading…</p>;
  if (quizzes.error) return <Notice tone="bad">Your quizzes could not be loaded: {quizzes.error.message}</Notice>;
  const list = quizzes.data.quizzes;
  return (
    <article className="stack">
      <p>
        <Link to="/organizer">← Organizer console</Link>
      </p>
      <h1>Quizzes</h1>
      {saved && (
        <Notice tone="ok" role="status">
          Saved “{saved}”.
        </Notice>
      )}
      <div className="row">
        <Link className="button" to="/organizer/quizzes/new">
          New quiz
        </Link>
        <Link className="button secondary" to="/organizer/trivia">
          Host a game
        </Link>
      </div>
      <section className="card stack">
        <h2>My quizzes</h2>
        {list.length === 0 ? (
          <p className="muted">No quizzes yet. Create one, or import one a colleague exported.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Title</th>
                  <th scope="col">Questions</th>
                  <th scope="col">Changed</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.map((quiz) => (
                  <tr key={quiz.id} data-testid="quiz-row">
                    <td>
                      <Link to={`/organizer/quizzes/${quiz.id}`}>{quiz.title}</Link>
                    </td>
                    <td className="num">{quiz.questions.length}</td>
                    <td>
                      <Time at={quiz.updatedAt} />
                    </td>
                    <td>
                      <div className="row">
                        <Button variant="secondary" aria-label={`Export ${quiz.title}`} onClick={() => exporting.mutate(quiz)}>
                          Export
                        </Button>
                        <ConfirmButton
                          label="Delete"
                          confirmLabel={`Delete ${quiz.title}`}
                          consequence={
                            <>
                              “{quiz.title}” and its {quiz.questions.length} questions will be gone for good. Games already created from it keep
                              running. Export it first to keep a copy.
                            </>
                          }
                          onConfirm={() => remove.mutate(quiz.id)}
                        />
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {failure(exporting.error, 'Not exported')}
        {failure(remove.error, 'Not deleted')}
      </section>
      <ImportQuiz onImported={changed} />
    </article>
  );
}

function ImportQuiz({ onImported }: { onImported: () => void }) {
  const id = useId();
  const importing = useMutation({
    mutationFn: async (file: File) => {
      let body: QuizBody;
      try {
        body = JSON.parse(await file.text()) as QuizBody;
      } catch {
        throw new Error(`${file.name} is not JSON. Choose a file exported from a Stampede quiz.`);
      }
      return (await call(api.POST('/api/quizzes/import', { body }))).quiz;
    },
    onSuccess: onImported,
  });
  return (
    <section className="card stack">
      <h2>Import</h2>
      <div className="field">
        <label htmlFor={id}>Import a quiz from a JSON file</label>
        <input
          id={id}
          type="file"
          accept=".json,application/json"
          disabled={importing.isPending}
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) importing.mutate(file);
            event.target.value = '';
          }}
        />
      </div>
      {importing.data && (
        <Notice tone="ok" role="status">
          Imported <Link to={`/organizer/quizzes/${importing.data.id}`}>{importing.data.title}</Link> ({importing.data.questions.length} questions).
        </Notice>
      )}
      {failure(importing.error, 'Not imported')}
    </section>
  );
}
