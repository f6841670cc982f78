// Guest with a nickname (one field, the fastest way into a rush), sign up, log in, or a one-time
// link by email (it lands on /sign-in/email, pages/email-sign-in.tsx).
import { useState, type FormEvent } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import { api, ApiError, call } from '../api/client';
import { setSession } from '../api/session';
import { Button, Field, Notice } from '../components/ui';

type Mode = 'guest' | 'signup' | 'login' | 'email';
const TABS: Array<[Mode, string]> = [
  ['guest', 'Play as guest'],
  ['signup', 'Sign up'],
  ['login', 'Log in'],
  ['email', 'Email me a link'],
];

const SUBMIT_LABEL: Record<Mode, string> = {
  guest: 'Continue as guest',
  signup: 'Create account',
  login: 'Log in',
  email: 'Email me a sign-in link',
};

export function SignInPage() {
  const [mode, setMode] = useState<Mode>(useSearchParams()[0].get('with') === 'email' ? 'email' : 'guest');
  const [linkSentTo, setLinkSentTo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from ?? '/events';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '');
    setPending(true);
    setError(null);
    try {
      if (mode === 'email') {
        // The answer is the same whether or not the address has an account.
        await call(api.POST('/api/auth/email-link', { body: { email: value('email') } }));
        setLinkSentTo(value('email'));
        return;
      }
      const result =
        mode === 'guest'
          ? await call(api.POST('/api/auth/guest', { body: { nickname: value('nickname') } }))
          : mode === 'signup'
            ? await call(api.POST('/api/auth/signup', { body: { handle: value('handle'), email: value('email'), password: value('password') } }))
            : await call(api.POST('/api/auth/login', { body: { email: value('email'), password: value('password') } }));
      setSession({ token: result.token, user: result.user });
      void navigate(from, { replace: true });
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Could not reach the server. Check your connection and try again.');
    } finally {
      setPending(false);
    }
  }

  return (
    <section className="card stack">
      <h1>Sign in</h1>
      <div className="tabs" role="tablist" aria-label="How to sign in">
        {TABS.map(([value, label]) => (
          <Button key={value} variant="secondary" role="tab" aria-selected={mode === value} onClick={() => setMode(value)}>
            {label}
          </Button>
        ))}
      </div>
      <form className="stack" onSubmit={(event) => void submit(event)} role="tabpanel">
        {mode === 'guest' && <Field label="Nickname" name="nickname" required minLength={1} maxLength={24} autoComplete="nickname" />}
        {mode === 'signup' && <Field label="Handle" name="handle" required autoComplete="username" />}
        {mode !== 'guest' && <Field label="Email" name="email" type="email" required autoComplete="email" />}
        {(mode === 'signup' || mode === 'login') && (
          <Field label="Password" name="password" type="password" required autoComplete={mode === 'signup' ? 'new-password' : 'current-password'} />
        )}
        {error && (
          <Notice tone="bad" role="alert">
            {error}
          </Notice>
        )}
        {mode === 'email' && linkSentTo && (
          <Notice tone="ok" role="status">
            If an account uses {linkSentTo}, a sign-in link is on its way. Open it on this device within 15 minutes; it works once.
          </Notice>
        )}
        <Button type="submit" disabled={pending}>
          {SUBMIT_LABEL[mode]}
        </Button>
      </form>
    </section>
  );
}
