// The registration page: one state, one message, one action (see the UI guide's table). Counts,
// the hold's countdown and the waitlist position move live; nothing needs a reload.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { api, ApiError, call, idempotent } from '../api/client';
import { keys, livePosition, useEvent, useIntentKey, useMyRegistration, type EventView, type Registration } from '../api/hooks';
import { session } from '../api/session';
import { ConfirmButton } from '../components/confirm';
import { Button, Countdown, Notice, Time } from '../components/ui';
import { useStore } from '../lib/store';
import { useLiveStatus } from '../live/hooks';

export function EventPage() {
  const { id = '' } = useParams();
  const signedIn = useStore(session) !== null;
  const event = useEvent(id);
  const mine = useMyRegistration(id, signedIn);
  if (event.isPending) return <p>Loading…</p>;
  if (event.error) return <Notice tone="bad">This event could not be loaded: {event.error.message}</Notice>;
  const view = event.data.event;
  return (
    <article className="stack">
      <h1>{view.title}</h1>
      <LiveCounts event={view} />
      <section className="card stack" aria-labelledby="my-place">
        <h2 id="my-place">Your place</h2>
        {signedIn ? <RegistrationPanel event={view} registration={mine.data ?? null} loading={mine.isPending} /> : <SignInPrompt />}
      </section>
      {view.mode === 'lottery' && view.lotteryCommitment && (
        <p>
          <Link to={`/events/${view.id}/proof`}>{view.status === 'drawn' ? 'Check the draw yourself' : 'How the draw is checked'}</Link>
        </p>
      )}
    </article>
  );
}

function SignInPrompt() {
  const location = useLocation();
  return (
    <p>
      <Link to="/signin" state={{ from: location.pathname }}>
        Sign in or continue as a guest
      </Link>{' '}
      to register.
    </p>
  );
}

function LiveCounts({ event }: { event: EventView }) {
  const live = useLiveStatus();
  const { counts } = event;
  return (
    <section className="card" aria-label="Live counts">
      <div className="stats" data-testid="counts">
        <p className="stat">
          Spots left <strong data-testid="available">{counts.available}</strong>
        </p>
        <p className="stat">
          Capacity <strong>{counts.capacity}</strong>
        </p>
        <p className="stat">
          Confirmed <strong>{counts.confirmed}</strong>
        </p>
        {event.waitlist && (
          <p className="stat">
            Waitlist <strong>{counts.waitlisted}</strong>
          </p>
        )}
        {event.mode === 'lottery' && (
          <p className="stat">
            In the draw <strong>{counts.entered}</strong>
          </p>
        )}
      </div>
      <p className="muted">{live.connected ? 'Live' : 'Reconnecting… these numbers may be out of date.'}</p>
    </section>
  );
}

const ENDED: Partial<Record<Registration['status'], string>> = {
  expired: 'Your hold expired before payment, so the spot went to the next person. No money was taken.',
  cancelled: 'Your registration is cancelled.',
};

function RegistrationPanel({ event, registration, loading }: { event: EventView; registration: Registration | null; loading: boolean }) {
  const queryClient = useQueryClient();
  const intent = useIntentKey();
  const [message, setMessage] = useState<string | null>(null);
  const store = (next: Registration) => queryClient.setQueryData(keys.myRegistration(event.id), next);
  const failed = (error: Error) => setMessage(error instanceof ApiError ? error.message : 'Something went wrong. Please try again.');

  const register = useMutation({
    mutationFn: () =>
      call(api.POST('/api/events/{id}/registrations', { params: { path: { id: event.id } }, body: {}, headers: idempotent(intent.current()) })),
    onSuccess: ({ registration: next }) => {
      store(next);
      intent.next();
    },
    onError: failed,
  });
  const cancel = useMutation({
    mutationFn: () => call(api.DELETE('/api/events/{id}/registrations/me', { params: { path: { id: event.id } } })),
    onSuccess: ({ registration: next }) => store(next),
    onError: failed,
  });
  const pay = useMutation({
    mutationFn: (registrationId: string) => call(api.POST('/api/registrations/{id}/checkout', { params: { path: { id: registrationId } } })),
    onSuccess: ({ url }) => window.location.assign(url),
    onError: failed,
  });

  if (loading) return <p>Checking your registration…</p>;
  const active = registration && !ENDED[registration.status] ? registration : null;
  const error = message && (
    <Notice tone="bad" role="alert">
      {message}
    </Notice>
  );

  if (!active) {
    const ended = registration ? ENDED[registration.status] : null;
    return (
      <div className="stack" data-testid="registration-state" data-state={registration?.status ?? 'none'}>
        {ended && <p>{ended}</p>}
        <OpenState event={event} />
        {event.status === 'open' && (
          <Button onClick={() => register.mutate()} disabled={register.isPending} data-testid="register">
            {register.isPending ? 'Registering…' : ended ? 'Register again' : event.mode === 'lottery' ? 'Enter the draw' : 'Register'}
          </Button>
        )}
        {error}
      </div>
    );
  }

  const cancelButton = (label: string, consequence: string) => (
    <ConfirmButton label={label} consequence={consequence} confirmLabel={label} onConfirm={() => cancel.mutate()} disabled={cancel.isPending} />
  );
  return (
    <div className="stack" data-testid="registration-state" data-state={active.status}>
      {active.status === 'confirmed' && (
        <>
          <Notice tone="ok" role="status">
            <strong>You have a spot.</strong> {active.paidAt ? 'Paid, thank you.' : ''}
          </Notice>
          {cancelButton('Cancel my spot', 'Your spot goes to the next person in line. You can register again while spots remain.')}
        </>
      )}
      {active.status === 'held' && active.holdExpiresAt && (
        <>
          <Notice tone="warn" role="status">
            <strong>
              A spot is held for you until <Time at={active.holdExpiresAt} />
            </strong>{' '}
            (<Countdown deadline={active.holdExpiresAt} label="Time left to pay" /> left). Price:{' '}
            {formatMoney(active.event.priceCents, active.event.currency)}.
          </Notice>
          <div className="row">
            <Button onClick={() => pay.mutate(active.id)} disabled={pay.isPending}>
              Pay {formatMoney(active.event.priceCents, active.event.currency)}
            </Button>
            {cancelButton('Cancel', 'The held spot goes to the next person. Nothing has been charged.')}
          </div>
        </>
      )}
      {active.status === 'waitlisted' && (
        <>
          <Notice tone="warn" role="status">
            You are on the waitlist: position{' '}
            <strong className="num" data-testid="position">
              {livePosition(active, event.counts) ?? '…'}
            </strong>
            . This moves up live as people ahead leave.
          </Notice>
          {cancelButton('Leave the waitlist', 'You lose your place in line. Joining again puts you at the end.')}
        </>
      )}
      {active.status === 'entered' && event.mode === 'lottery' && (
        <>
          <Notice tone="ok" role="status">
            You are in the draw
            {event.closesAt ? (
              <>
                {' '}
                closing <Time at={event.closesAt} />
              </>
            ) : (
              ''
            )}
            . The draw's commitment, published before anyone entered:
            <span className="mono" style={{ display: 'block' }}>
              {event.lotteryCommitment}
            </span>
            <Link to={`/events/${event.id}/proof`}>How to check the draw</Link>
          </Notice>
          {cancelButton('Withdraw', 'You leave the draw. You can enter again while entries are open.')}
        </>
      )}
      {active.status === 'entered' && event.mode !== 'lottery' && (
        <>
          <Notice tone="ok" role="status">
            You&apos;re in the pre-queue. At opening everyone in it is shuffled fairly; the order is published.
          </Notice>
          {cancelButton('Leave the pre-queue', 'You lose your place in the shuffle. You can register again later.')}
        </>
      )}
      {active.drawRank !== null && active.status !== 'entered' && (
        <p>
          {active.status === 'waitlisted' ? 'You were not drawn this time, so you are on the waitlist.' : 'You were drawn.'}{' '}
          <Link to={`/events/${event.id}/proof`}>Check the draw yourself</Link>
        </p>
      )}
      {error}
    </div>
  );
}

function OpenState({ event }: { event: EventView }) {
  if (event.status === 'scheduled' && event.opensAt) {
    return (
      <p>
        Registration opens <Time at={event.opensAt} />, in <Countdown deadline={event.opensAt} label="Time until opening" />.
      </p>
    );
  }
  if (event.status === 'closed' || event.status === 'drawn') return <p>Registration is closed.</p>;
  if (event.counts.available === 0 && !event.waitlist && event.mode === 'fcfs') return <p>The event is full and has no waitlist.</p>;
  if (event.counts.available === 0 && event.mode === 'fcfs') return <p>The event is full. Registering puts you on the waitlist.</p>;
  return null;
}

function formatMoney(cents: number, currency: string): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
}
