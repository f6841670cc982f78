// Account rules: sign-up, login, guests, roles. Tokens are signed by the HTTP layer's signer,
// passed in, so this file stays free of transport concerns.
import { randomBytes } from 'node:crypto';
import { AppError } from '../../errors.js';
import { createBatcher } from '../../platform/batch.js';
import type { Cache } from '../../platform/cache/port.js';
import { pgErrorInfo, UNIQUE_VIOLATION } from '../../platform/db/errors.js';
import type { Role } from '../../domain/accounts.js';
import { userTag } from './keys.js';
import { decoy, hashPassword, needsRehash, verifyPassword } from './password.js';
import { NOTIFICATION_KINDS, preferencesFrom, type NotificationPreferences } from '../../domain/notifications.js';
import type { AccountsStore, StoredSettings, UserRow } from './store.js';

export interface UserSettings {
  utcOffsetMinutes: number;
  notifications: NotificationPreferences;
}

/** A PUT may name only the notification switches it changes. */
export interface SettingsChange {
  utcOffsetMinutes: number;
  notifications?: Partial<NotificationPreferences>;
}

const toSettings = (stored: StoredSettings): UserSettings => ({
  utcOffsetMinutes: stored.utcOffsetMinutes,
  notifications: preferencesFrom(stored.notificationsOff),
});

export interface PublicUser {
  id: string;
  handle: string;
  email: string | null;
  role: Role;
  isGuest: boolean;
  createdAt: string;
}

export interface Session {
  user: PublicUser;
  token: string;
}

export type IssueToken = (claims: { sub: string; role: Role; guest: boolean; sv: number }) => string;

/** The parts of a verified token that say which session it belongs to. */
export interface SessionClaims {
  sub: string;
  /** The user's session version when the token was issued; absent on tokens older than versions. */
  sv?: number;
  jti?: string;
  /** Expiry, seconds since the epoch. */
  exp?: number;
}

export function toPublicUser(row: UserRow): PublicUser {
  return {
    id: row.id,
    handle: row.handle,
    email: row.email,
    role: row.role,
    isGuest: row.isGuest,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Admins are created by email; their public handle is generated and can be changed later. */
export const adminHandle = () => `admin-${randomBytes(3).toString('hex')}`;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Turns a unique-index violation into the 409 the client can act on. */
function conflictFrom(error: unknown): AppError | undefined {
  const info = pgErrorInfo(error);
  if (info?.code !== UNIQUE_VIOLATION) return undefined;
  if (info.constraint === 'users_email_key') return new AppError('EMAIL_TAKEN');
  if (info.constraint === 'users_handle_lower_key') return new AppError('HANDLE_TAKEN');
  return undefined;
}

/** Loads by id through a micro-batcher: the misses of a few milliseconds become one statement. */
function lookupBatcher<T>(name: string, findMany: (ids: string[]) => Promise<Map<string, T>>) {
  return createBatcher<string, T | null>({
    name,
    maxItems: 500,
    run: async (ids) => {
      const found = await findMany([...new Set(ids)]);
      return ids.map((id) => found.get(id) ?? null);
    },
  });
}

/** A new session for the account: its token carries the current session version. */
export const sessionFor = (row: UserRow, issueToken: IssueToken): Session => ({
  user: toPublicUser(row),
  token: issueToken({ sub: row.id, role: row.role, guest: row.isGuest, sv: row.sessionVersion }),
});

export function createAccountsService(store: AccountsStore, cache: Cache, issueToken: IssueToken, passwordCost: number) {
  const session = (row: UserRow) => sessionFor(row, issueToken);
  const hash = (password: string) => hashPassword(password, passwordCost);

  // Read on every authenticated request; a revocation invalidates it through the user's tag.
  // In a rush every user is new to the cache: their loads share one statement per batch.
  const sessionLoads = lookupBatcher('user-sessions', store.findSessions);
  const sessionById = cache.define({
    name: 'user-session',
    ttlSeconds: 300,
    load: (id: string) => sessionLoads.add(id),
    tags: (id) => [userTag(id)],
  });

  // Caches hold JSON, so the cached shape is the public one, dates already as strings. A rush's
  // notifications look up thousands of entrants at once: their misses share one statement.
  const userLoads = lookupBatcher('users', store.findByIds);
  const userById = cache.define({
    name: 'user',
    ttlSeconds: 300,
    load: async (id: string) => {
      const row = await userLoads.add(id);
      return row ? toPublicUser(row) : null;
    },
    tags: (id) => [userTag(id)],
  });

  const findUser = async (id: string) => (await userById.get(id)).value;

  // Read on the hot paths (streaks, per-day limits, activity days, notification switches) right
  // after the guard has loaded the same user's session: the session entry carries them.
  const settingsOf = async (id: string): Promise<UserSettings | null> => {
    const state = (await sessionById.get(id)).value;
    return state ? toSettings(state) : null;
  };

  return {
    async signup(input: { handle: string; email: string; password: string }): Promise<Session> {
      const passwordHash = await hash(input.password);
      try {
        return session(await store.insert({ handle: input.handle, email: normalizeEmail(input.email), passwordHash }));
      } catch (error) {
        throw conflictFrom(error) ?? error;
      }
    },

    async login(input: { email: string; password: string }): Promise<Session> {
      const row = await store.findByEmail(normalizeEmail(input.email));
      const valid = await verifyPassword(input.password, row?.passwordHash ?? (await decoy(passwordCost)));
      if (!row || !valid) throw new AppError('INVALID_CREDENTIALS');
      if (needsRehash(row.passwordHash!, passwordCost)) await store.setPasswordHash(row.id, await hash(input.password));
      return session(row);
    },

    async guest(input: { nickname: string }): Promise<Session> {
      const base =
        input.nickname
          .trim()
          .replace(/[^\p{L}\p{N}_.-]+/gu, '-')
          .slice(0, 24) || 'guest';
      // A random suffix keeps guest handles unique; retry on the rare collision.
      for (let attempt = 0; ; attempt++) {
        const handle = `${base}-${randomBytes(3).toString('hex')}`;
        try {
          return session(await store.insert({ handle, email: null, passwordHash: null, isGuest: true }));
        } catch (error) {
          if (attempt >= 3 || conflictFrom(error)?.code !== 'HANDLE_TAKEN') throw error;
        }
      }
    },

    async me(id: string): Promise<PublicUser> {
      const user = await findUser(id);
      if (!user) throw new AppError('NOT_FOUND', 'The account no longer exists');
      return user;
    },

    /**
     * The account's current role, if the token's session is still live: the account exists, no
     * password reset or "log out everywhere" came after the token, and it was not logged out.
     */
    async checkSession(claims: SessionClaims): Promise<Role> {
      const state = (await sessionById.get(claims.sub)).value;
      if (!state) throw new AppError('INVALID_TOKEN', 'The account no longer exists');
      if ((claims.sv ?? 0) !== state.sessionVersion || (claims.jti !== undefined && state.revoked.includes(claims.jti))) {
        throw new AppError('INVALID_TOKEN', 'This session has ended; log in again');
      }
      return state.role;
    },

    /** Ends this token's session only. A token without a jti can only end with all the others. */
    async logout(claims: SessionClaims): Promise<void> {
      if (claims.jti === undefined || claims.exp === undefined) await store.endSessions(claims.sub);
      else await store.revokeToken(claims.jti, claims.sub, new Date(claims.exp * 1000));
      await cache.invalidate(userTag(claims.sub));
    },

    async logoutEverywhere(id: string): Promise<void> {
      await store.endSessions(id);
      await cache.invalidate(userTag(id));
    },

    /** The account, or undefined when it does not exist (cached, like currentRole). */
    account: async (id: string): Promise<PublicUser | undefined> => (await findUser(id)) ?? undefined,

    async currentRole(id: string): Promise<Role | undefined> {
      return (await findUser(id))?.role;
    },

    async settings(id: string): Promise<UserSettings> {
      const settings = await settingsOf(id);
      if (!settings) throw new AppError('NOT_FOUND', 'The account no longer exists');
      return settings;
    },

    async updateSettings(id: string, change: SettingsChange): Promise<UserSettings> {
      const current = (await store.findSettings([id])).get(id);
      if (!current) throw new AppError('NOT_FOUND', 'The account no longer exists');
      const wanted = { ...preferencesFrom(current.notificationsOff), ...change.notifications };
      const notificationsOff = NOTIFICATION_KINDS.filter((kind) => !wanted[kind]);
      const row = await store.setSettings(id, { utcOffsetMinutes: change.utcOffsetMinutes, notificationsOff });
      if (!row) throw new AppError('NOT_FOUND', 'The account no longer exists');
      await cache.invalidate(userTag(id));
      return toSettings(row);
    },

    /** Whether the user wants this notification; an unknown user wants none. */
    async wantsNotification(id: string, kind: keyof NotificationPreferences): Promise<boolean> {
      return (await settingsOf(id))?.notifications[kind] ?? false;
    },

    /** Minutes east of UTC where the user's day starts; 0 for an unknown user. */
    async utcOffsetMinutes(id: string): Promise<number> {
      return (await settingsOf(id))?.utcOffsetMinutes ?? 0;
    },

    async changeRole(actorId: string, targetId: string, role: Role): Promise<PublicUser> {
      if (actorId === targetId) throw new AppError('FORBIDDEN', 'Admins cannot change their own role');
      const target = await store.findById(targetId);
      if (!target) throw new AppError('NOT_FOUND', `No user ${targetId}`);
      if (target.isGuest && role !== 'player') throw new AppError('FORBIDDEN', 'Guest accounts can only be players');
      const row = await store.setRole(targetId, role);
      await cache.invalidate(userTag(targetId));
      return toPublicUser(row!);
    },

    /** Creates the admin, or makes an existing account with that email an admin with this password. */
    async ensureAdmin(email: string, password: string): Promise<{ user: PublicUser; created: boolean }> {
      const normalized = normalizeEmail(email);
      const passwordHash = await hash(password);
      const existing = await store.findByEmail(normalized);
      if (existing) {
        const row = await store.setCredentials(existing.id, passwordHash, 'admin');
        await cache.invalidate(userTag(existing.id));
        return { user: toPublicUser(row!), created: false };
      }
      const row = await store.insert({ handle: adminHandle(), email: normalized, passwordHash, role: 'admin' });
      return { user: toPublicUser(row), created: true };
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
