import { describe, expect, it, vi } from 'vitest';
import { usePorts, variants } from './ports.js';

/** Collects what a handler receives. */
function inbox() {
  const messages: unknown[] = [];
  return { messages, handler: (message: unknown) => void messages.push(message) };
}

describe.each(variants)('pub/sub contract ($name)', (variant) => {
  const open = usePorts(variant);

  it('delivers to every handler of the channel, as JSON', async () => {
    const { pubsub } = await open();
    const one = inbox();
    const two = inbox();
    const other = inbox();
    await pubsub.subscribe('scores', one.handler);
    await pubsub.subscribe('scores', two.handler);
    await pubsub.subscribe('other', other.handler);

    await pubsub.publish('scores', { event: 'e1', at: new Date('2030-01-01T00:00:00Z'), top: [1, 2] });

    const expected = { event: 'e1', at: '2030-01-01T00:00:00.000Z', top: [1, 2] };
    await vi.waitFor(() => expect(one.messages).toEqual([expected]));
    await vi.waitFor(() => expect(two.messages).toEqual([expected]));
    expect(other.messages).toEqual([]);
  });

  it('stops delivering after unsubscribe', async () => {
    const { pubsub } = await open();
    const gone = inbox();
    const stays = inbox();
    const unsubscribe = await pubsub.subscribe('room', gone.handler);
    await pubsub.subscribe('room', stays.handler);

    await unsubscribe();
    await pubsub.publish('room', 'first');
    await pubsub.publish('room', 'second');

    // Messages arrive in order, so once the second one is in, the first would have been too.
    await vi.waitFor(() => expect(stays.messages).toEqual(['first', 'second']));
    expect(gone.messages).toEqual([]);
  });

  it('keeps delivering to other handlers when one throws', async () => {
    const { pubsub } = await open();
    const survivor = inbox();
    await pubsub.subscribe('noisy', () => {
      throw new Error('handler bug');
    });
    await pubsub.subscribe('noisy', survivor.handler);

    await pubsub.publish('noisy', 1);
    await pubsub.publish('noisy', 2);

    await vi.waitFor(() => expect(survivor.messages).toEqual([1, 2]));
  });

  it.runIf(variant.name === 'redis')('drops a message that is not JSON and keeps going', async () => {
    const { pubsub, redis } = await open();
    const received = inbox();
    await pubsub.subscribe('raw', received.handler);
    const [channel] = (await redis!.pubsub('CHANNELS', '*raw')) as string[];

    await redis!.publish(channel!, '{not json');
    await pubsub.publish('raw', 'valid');

    await vi.waitFor(() => expect(received.messages).toEqual(['valid']));
  });

  it.runIf(variant.shared)('delivers across instances, the publisher included', async () => {
    const [first, second] = await Promise.all([open(), open()]);
    const onFirst = inbox();
    const onSecond = inbox();
    await first.pubsub.subscribe('broadcast', onFirst.handler);
    await second.pubsub.subscribe('broadcast', onSecond.handler);

    await second.pubsub.publish('broadcast', { head: 42 });

    await vi.waitFor(() => expect(onFirst.messages).toEqual([{ head: 42 }]));
    await vi.waitFor(() => expect(onSecond.messages).toEqual([{ head: 42 }]));
  });
});
