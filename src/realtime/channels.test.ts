import { describe, expect, it } from 'vitest';
import { createChannelRegistry, parseChannel, userChannel } from './channels.js';

const alice = { id: 'u-alice', role: 'user' };
const guest = { id: 'g-1', role: 'guest', isGuest: true };

describe('parseChannel', () => {
  it('splits a name into kind and id at the first colon', () => {
    expect(parseChannel('event:42')).toEqual({ name: 'event:42', kind: 'event', id: '42' });
    expect(parseChannel('board:event:42')).toEqual({ name: 'board:event:42', kind: 'board', id: 'event:42' });
    expect(parseChannel('game:0b5c9a1e-7f1d-4c3b-9a55-1d2e3f4a5b6c')?.id).toBe('0b5c9a1e-7f1d-4c3b-9a55-1d2e3f4a5b6c');
  });

  it.each([
    ['not a string', 42],
    ['an object', { channel: 'event:1' }],
    ['null', null],
    ['empty', ''],
    ['no colon (a socket id looks like this)', 'Xf3kP0aBc_dEfGhIjKlM'],
    ['empty id', 'event:'],
    ['empty kind', ':42'],
    ['uppercase kind', 'Event:42'],
    ['spaces', 'event:4 2'],
    ['an id over 128 characters', `event:${'a'.repeat(129)}`],
    ['a kind over 32 characters', `${'k'.repeat(33)}:1`],
  ])('refuses %s', (_label, name) => {
    expect(parseChannel(name)).toBeUndefined();
  });
});

describe('createChannelRegistry', () => {
  it('lets any authenticated user, guests included, into the public kinds', async () => {
    const registry = createChannelRegistry();
    for (const name of ['event:1', 'board:global', 'game:7', 'poll:3']) {
      expect(await registry.authorize(guest, name)).toEqual({ ok: true, channel: name });
    }
  });

  it('lets a user into their own user channel only', async () => {
    const registry = createChannelRegistry();
    expect(await registry.authorize(alice, userChannel(alice.id))).toEqual({ ok: true, channel: 'user:u-alice' });
    expect(await registry.authorize(alice, 'user:u-bob')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it('explains malformed names and unknown kinds', async () => {
    const registry = createChannelRegistry();
    expect(await registry.authorize(alice, 17)).toMatchObject({ ok: false, code: 'INVALID_CHANNEL' });
    const unknown = await registry.authorize(alice, 'secret:1');
    expect(unknown).toMatchObject({ ok: false, code: 'UNKNOWN_CHANNEL_KIND' });
    expect(unknown.ok === false && unknown.message).toContain('event');
  });

  it('registers new kinds and replaces defaults, with async authorizers', async () => {
    const registry = createChannelRegistry();
    registry.register('team', async (user, teamId) => teamId === `t-${user?.id}`);
    registry.register('event', (user) => user !== undefined && !user.isGuest);
    expect(await registry.authorize(alice, 'team:t-u-alice')).toMatchObject({ ok: true });
    expect(await registry.authorize(alice, 'team:t-other')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await registry.authorize(guest, 'event:1')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await registry.authorize(alice, 'event:1')).toMatchObject({ ok: true });
    expect(registry.kinds()).toEqual(expect.arrayContaining(['team', 'event', 'user']));
  });

  it('treats only a literal true as consent', async () => {
    const registry = createChannelRegistry({ odd: (() => 'yes') as unknown as () => boolean });
    expect(await registry.authorize(alice, 'odd:1')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it('rejects a malformed kind at registration and passes authorizer errors to the caller', async () => {
    const registry = createChannelRegistry();
    expect(() => registry.register('Bad Kind', () => true)).toThrow(TypeError);
    registry.register('flaky', async () => {
      throw new Error('database down');
    });
    await expect(registry.authorize(alice, 'flaky:1')).rejects.toThrow('database down');
  });

  it('answers NOT_FOUND for an id that names nothing, and joins an allowed id under its canonical spelling', async () => {
    const registry = createChannelRegistry();
    registry.register('event', (_user, id) => (id.toLowerCase() === 'abc' ? { id: 'abc' } : 'missing'));
    expect(await registry.authorize(undefined, 'event:ABC')).toEqual({ ok: true, channel: 'event:abc' });
    expect(await registry.authorize(alice, 'event:nope')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });

  it('refuses a canonical id that would not be a channel name', async () => {
    const registry = createChannelRegistry();
    registry.register('event', () => ({ id: 'has space' }));
    expect(await registry.authorize(alice, 'event:1')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it('hands a nested kind (board:poll) its channels and the plain kind the rest', async () => {
    const registry = createChannelRegistry();
    registry.register('board', (_user, name) => (name === 'global' ? true : 'missing'));
    registry.register('board:poll', (_user, pollId) => (pollId === 'P1' ? { id: 'p1' } : 'missing'));
    expect(await registry.authorize(undefined, 'board:global')).toEqual({ ok: true, channel: 'board:global' });
    expect(await registry.authorize(undefined, 'board:poll:P1')).toEqual({ ok: true, channel: 'board:poll:p1' });
    expect(await registry.authorize(undefined, 'board:poll:P2')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await registry.authorize(undefined, 'board:weekly')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(() => registry.register('board:poll:x', () => true)).toThrow(TypeError);
  });
});
