// Server state shared by pages: TanStack Query keys and the live patches that keep them current.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { newIdempotencyKey } from '../lib/keys';
import { useLive } from '../live/hooks';
import { api, ApiError, call } from './client';
import type { components } from './schema';

export type EventView = components['schemas']['Event'];
export type Registration = components['schemas']['Registration'];
export type Counts = EventView['counts'];

export const keys = {
  events: ['events'] as const,
  event: (id: string) => ['event', id] as const,
  myRegistration: (id: string) => ['event', id, 'me'] as const,
};

/** The event, with its counts patched live from `event:<id>`. */
export function useEvent(id: string) {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: keys.event(id), queryFn: () => call(api.GET('/api/events/{id}', { params: { path: { id } } })) });
  useLive<Counts & { eventId: string; status: EventView['status'] }>(`event:${id}`, 'counts', ({ eventId, status, ...counts }) => {
    if (eventId !== id) return;
    queryClient.setQueryData<{ event: EventView }>(keys.event(id), (old) => old && { event: { ...old.event, status, counts } });
  });
  return query;
}

/** My registration for the event (null when none), replaced live by my `registration` messages. */
export function useMyRegistration(eventId: string, signedIn: boolean) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: keys.myRegistration(eventId),
    enabled: signedIn,
    queryFn: async () => {
      try {
        return (await call(api.GET('/api/events/{id}/registrations/me', { params: { path: { id: eventId } } }))).registration;
      } catch (error) {
        if (error instanceof ApiError && error.problem.status === 404) return null;
        throw error;
      }
    },
  });
  useLive<Registration>(null, 'registration', (registration) => {
    if (registration.eventId !== eventId) return;
    queryClient.setQueryData<Registration | null>(keys.myRegistration(eventId), (old) =>
      old && old.updatedAt > registration.updatedAt ? old : registration,
    );
  });
  return query;
}

/**
 * One Idempotency-Key per intent: a double click or an automatic retry reuses it, so the server
 * sees one request; `next()` starts a new intent once the previous one has settled.
 */
export function useIntentKey() {
  const key = useRef(newIdempotencyKey());
  return { current: () => key.current, next: () => void (key.current = newIdempotencyKey()) };
}

/**
 * One Idempotency-Key per named intent, for pages with many (one answer per question): every
 * attempt at the same intent (a double tap, a retry after a 429/503, a retry after a lost
 * connection) reuses its key, so the server acts once and replays its first response.
 */
export function useIntentKeys() {
  const keys = useRef(new Map<string, string>());
  return (intent: string) => {
    let key = keys.current.get(intent);
    if (key === undefined) keys.current.set(intent, (key = newIdempotencyKey()));
    return key;
  };
}

/** A waitlisted registration's place now: its position minus the promotions since it was read. */
export function livePosition(registration: Registration, counts: Counts): number | null {
  if (registration.status !== 'waitlisted' || registration.position === null) return null;
  const promotedSince = counts.waitlistPromoted - (registration.waitlistPromoted ?? counts.waitlistPromoted);
  return Math.max(1, registration.position - Math.max(0, promotedSince));
}
