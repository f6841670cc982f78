// My profile: scores, achievements (new ones also arrive as toasts), streaks and settings.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate } from 'react-router';
import { api, ApiError, call } from '../api/client';
import { session } from '../api/session';
import { Button, Field, Notice, Time } from '../components/ui';
import { useStore } from '../lib/store';
import { useLive } from '../live/hooks';

export default function ProfilePage() {
  const current = useStore(session);
  const queryClient = useQueryClient();
  const scores = useQuery({ queryKey: ['me', 'scores'], enabled: !!current, queryFn: () => call(api.GET('/api/me/scores')) });
  const achievements = useQuery({ queryKey: ['me', 'achievements'], enabled: !!current, queryFn: () => call(api.GET('/api/me/achievements')) });
  const streaks = useQuery({ queryKey: ['me', 'streaks'], enabled: !!current, queryFn: () => call(api.GET('/api/me/streaks')) });
  useLive(null, 'achievement', () => void queryClient.invalidateQueries({ queryKey: ['me', 'achievements'] }));
  useLive(null, 'score', () => void queryClient.invalidateQueries({ queryKey: ['me', 'scores'] }));
  if (!current) return <Navigate to="/signin" state={{ from: '/me' }} replace />;

  return (
    <article className="stack">
      <h1>{current.user.handle}</h1>
      <section className="card">
        <h2>Scores</h2>
        {scores.data?.scores.length === 0 && <p>No scores yet. Complete an action to get on the boards.</p>}
        <ul>
          {scores.data?.scores.map((score) => (
            <li key={`${score.board}/${score.period}`}>
              {score.board} ({score.period}): <strong className="num">{score.score}</strong>
            </li>
          ))}
        </ul>
      </section>
      <section className="card">
        <h2>Achievements</h2>
        {achievements.data?.achievements.length === 0 && <p>None yet.</p>}
        <ul>
          {achievements.data?.achievements.map((award) => (
            <li key={award.key}>
              <strong>{award.name}</strong>: {award.description} (<Time at={award.awardedAt} />)
            </li>
          ))}
        </ul>
      </section>
      {streaks.data && (
        <section className="card">
          <h2>Streaks</h2>
          <p>
            Current: <strong className="num">{streaks.data.overall.current}</strong> days; longest:{' '}
            <strong className="num">{streaks.data.overall.longest}</strong>
            {streaks.data.overall.breaksAt && (
              <>
                {' '}
                (keep it going before <Time at={streaks.data.overall.breaksAt} />)
              </>
            )}
          </p>
        </section>
      )}
      <Settings />
    </article>
  );
}

function Settings() {
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: ['me', 'settings'], queryFn: () => call(api.GET('/api/me/settings')) });
  const [saved, setSaved] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (utcOffsetMinutes: number) => call(api.PUT('/api/me/settings', { body: { utcOffsetMinutes } })),
    onSuccess: (data) => {
      queryClient.setQueryData(['me', 'settings'], data);
      void queryClient.invalidateQueries({ queryKey: ['me', 'streaks'] });
      setSaved('Saved.');
    },
    onError: (error) => setSaved(error instanceof ApiError ? error.message : 'Could not save. Please try again.'),
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate(Number(new FormData(event.currentTarget).get('offset')));
  }
  if (!settings.data) return null;
  return (
    <section className="card">
      <h2>Settings</h2>
      <form className="stack" onSubmit={submit}>
        <Field
          label="Time zone offset from UTC, in minutes"
          hint={`Your device says ${-new Date().getTimezoneOffset()}. Streak days start at midnight in this zone.`}
          name="offset"
          type="number"
          step={15}
          min={-720}
          max={840}
          defaultValue={settings.data.utcOffsetMinutes}
        />
        <Button type="submit" disabled={save.isPending}>
          Save
        </Button>
        {saved && <Notice tone="ok">{saved}</Notice>}
      </form>
    </section>
  );
}
