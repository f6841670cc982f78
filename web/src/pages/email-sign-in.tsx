// Where an emailed sign-in link lands (`PUBLIC_URL/sign-in/email?token=…`, the server's mail
// template): the token is exchanged for a session once, then the token leaves the address bar
// and history. A used, expired or unknown link (401 LINK_INVALID) says so and offers a new one.
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, ApiError, call } from '../api/client';
import { setSession } from '../api/session';
import { Notice } from '../components/ui';

export default function EmailSignInPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const navigate = useNavigate();
  const verify = useMutation({
    mutationFn: () => call(api.POST('/api/auth/email-link/verify', { body: { token } })),
    onSuccess: ({ token: bearer, user }) => {
      setSession({ token: bearer, user });
      void navigate('/products', { replace: true });
    },
  });
  // A link works once: StrictMode's second effect run in development must not spend it again.
  const started = useRef(false);
  useEffect(() => {
    if (started.current || !token) return;
    started.current = true;
    verify.mutate();
  }, [token, verify]);

  const invalid = !token || (verify.error instanceof ApiError && verify.error.problem.code === 'LINK_INVALID');
  return (
    <section className="card stack">
      <h1>Sign in by email</h1>
      {invalid ? (
        <Notice tone="bad" role="alert">
          <strong>This sign-in link no longer works.</strong> A link works once, for 15 minutes; this one has been used or has expired.{' '}
          <Link to="/signin?with=email">Send me a new link</Link>
        </Notice>
      ) : verify.error ? (
        <Notice tone="bad" role="alert">
          Could not sign you in: {verify.error.message}. <Link to="/signin?with=email">Try again</Link>
        </Notice>
      ) : (
        <p role="status">Signing you in…</p>
      )}
    </section>
  );
}
