// SQL for accounts.
import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import { rows } from '../../platform/db/rows.js';
import { emailLinkTokens, revokedTokens, users } from '../../platform/db/schema.js';
import type { Role } from '../../domain/accounts.js';

export type UserRow = typeof users.$inferSelect;
/** As stored; the service turns notificationsOff into per-kind switches. */
export type StoredSettings = Pick<UserRow, 'utcOffsetMinutes' | 'notificationsOff'>;

/**
 * What a token is checked against on every authenticated request, with the user's settings:
 * the hot paths read those right after the guard, so one statement serves both.
 */
export interface SessionState extends StoredSettings {
  role: Role;
  sessionVersion: number;
  /** jti of this user's tokens logged out before they expire. */
  revoked: string[];
}

export function createAccountsStore(db: Executor) {
  return {
    async insert(values: { handle: string; email: string | null; passwordHash: string | null; role?: Role; isGuest?: boolean }) {
      const [row] = await db.insert(users).values(values).returning();
      return row!;
    },
    /** Inserts unless an account already has this email; undefined when one had. */
    async insertIfAbsent(values: { handle: string; email: string; passwordHash: string; role: Role }): Promise<UserRow | undefined> {
      const [row] = await db.insert(users).values(values).onConflictDoNothing({ target: users.email }).returning();
      return row;
    },
    async findByEmail(email: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.email, email));
      return row;
    },
    async findById(id: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.id, id));
      return row;
    },
    /** Many users in one statement: lookups that miss the cache together are batched. */
    async findByIds(ids: string[]): Promise<Map<string, UserRow>> {
      const found = await db.select().from(users).where(inArray(users.id, ids));
      return new Map(found.map((row) => [row.id, row]));
    },
    async setRole(id: string, role: Role): Promise<UserRow | undefined> {
      const [row] = await db.update(users).set({ role }).where(eq(users.id, id)).returning();
      return row;
    },
    /** A new password ends every session issued under the old one. */
    async setCredentials(id: string, passwordHash: string, role: Role): Promise<UserRow | undefined> {
      const [row] = await db
        .update(users)
        .set({ passwordHash, role, sessionVersion: sql`${users.sessionVersion} + 1` })
        .where(eq(users.id, id))
        .returning();
      return row;
    },
    /** The same password, hashed at a higher cost: sessions stay. */
    async setPasswordHash(id: string, passwordHash: string): Promise<void> {
      await db.update(users).set({ passwordHash }).where(eq(users.id, id));
    },
    /** The sessions (and settings) of many users in one statement: the auth guard's misses are batched. */
    async findSessions(ids: string[]): Promise<Map<string, SessionState>> {
      const found = await rows(
        db,
        sql`select u.id, u.role, u.session_version as "sessionVersion",
              u.utc_offset_minutes as "utcOffsetMinutes", u.notifications_off as "notificationsOff",
              coalesce(array_agg(r.jti) filter (where r.jti is not null), '{}') as revoked
            from users u left join revoked_tokens r on r.user_id = u.id and r.expires_at > now()
            where u.id in ${ids} group by u.id`,
      );
      return new Map(found.map(({ id, ...state }) => [String(id), state as unknown as SessionState]));
    },
    async endSessions(id: string): Promise<void> {
      await db
        .update(users)
        .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
        .where(eq(users.id, id));
    },
    async revokeToken(jti: string, userId: string, expiresAt: Date): Promise<void> {
      await db.insert(revokedTokens).values({ jti, userId, expiresAt }).onConflictDoNothing();
    },
    async findSettings(ids: string[]): Promise<Map<string, StoredSettings>> {
      const found = await db
        .select({ id: users.id, utcOffsetMinutes: users.utcOffsetMinutes, notificationsOff: users.notificationsOff })
        .from(users)
        .where(inArray(users.id, ids));
      return new Map(found.map(({ id, ...settings }) => [id, settings]));
    },
    async setSettings(id: string, settings: StoredSettings): Promise<StoredSettings | undefined> {
      const [row] = await db
        .update(users)
        .set(settings)
        .where(eq(users.id, id))
        .returning({ utcOffsetMinutes: users.utcOffsetMinutes, notificationsOff: users.notificationsOff });
      return row;
    },
    async insertEmailLink(tokenHash: string, userId: string, expiresAt: Date): Promise<void> {
      await db.insert(emailLinkTokens).values({ tokenHash, userId, expiresAt });
    },
    /** Spends the link: one caller wins, and only before it expires. Returns its user. */
    async useEmailLink(tokenHash: string, now: Date): Promise<string | undefined> {
      const [row] = await db
        .update(emailLinkTokens)
        .set({ usedAt: now })
        .where(and(eq(emailLinkTokens.tokenHash, tokenHash), isNull(emailLinkTokens.usedAt), gt(emailLinkTokens.expiresAt, now)))
        .returning({ userId: emailLinkTokens.userId });
      return row?.userId;
    },
    async deleteExpiredEmailLinks(now: Date): Promise<void> {
      await db.delete(emailLinkTokens).where(sql`${emailLinkTokens.expiresAt} < ${now}`);
    },
    async count(): Promise<number> {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
      return row?.n ?? 0;
    },
  };
}

export type AccountsStore = ReturnType<typeof createAccountsStore>;
