// The signed-in session, kept in localStorage so it survives a reload.
import { createStore } from '../lib/store';
import type { components } from './schema';

export type User = components['schemas']['User'];
export interface Session {
  token: string;
  user: User;
}

const STORAGE_KEY = 'stampede.session';

function load(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export const session = createStore<Session | null>(load());

export function setSession(next: Session | null): void {
  if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else localStorage.removeItem(STORAGE_KEY);
  session.set(next);
}
