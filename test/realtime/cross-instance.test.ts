// Two gateways on two HTTP servers sharing a real Redis through the streams adapter, as two
// instances behind a load balancer would.
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import type { Gateway } from '../../src/realtime/gateway.js';
import { startRedis } from '../harness/processes.js';
import { REDIS_CLIENT_OPTIONS } from '../../src/platform/ports.js';
import { cleanUp, connectAs, connected, flush, nextEvent, record, request, startInstance, type Instance } from './helpers.js';

const alice = { id: 'alice', role: 'user' };
const bob = { id: 'bob', role: 'user', isGuest: true };
const redisClients: Redis[] = [];

afterEach(async () => {
  await cleanUp();
  for (const client of redisClients.splice(0)) client.disconnect();
});

/** Two instances on the platform's fail-fast Redis client options, one client each, one fresh key prefix. */
async function twoInstances(redisOptions: RedisOptions = {}) {
  const redisKeyPrefix = `test:${randomUUID()}:`;
  const connectionName = `gw-${randomUUID()}`;
  const start = () => {
    const redis = new Redis(inject('redisUrl'), { ...REDIS_CLIENT_OPTIONS, ...redisOptions, connectionName });
    redis.on('error', () => undefined); // the gateway's own connections log theirs
    redisClients.push(redis);
    return startInstance({ redis, redisKeyPrefix });
  };
  const [a, b] = await Promise.all([start(), start()]);
  return { a: a!, b: b!, connectionName };
}

/**
 * Each adapter starts reading the stream a moment after it is created, so a broadcast sent
 * before that is lost; resend a probe until one crosses over.
 */
async function untilStreamFlows(from: Gateway, channel: string, to: ClientSocket): Promise<void> {
  const crossed = nextEvent(to, 'probe');
  await vi.waitFor(
    () => {
      from.toChannel(channel, 'probe', null);
      return Promise.race([crossed, new Promise((_, reject) => setTimeout(reject, 50, new Error('not yet')))]);
    },
    { timeout: 10_000, interval: 0 },
  );
}

describe('gateways sharing Redis', () => {
  it('deliver a broadcast or a personal message sent on one instance to a socket on the other', async () => {
    // A command timeout far below the adapter's 5 s XREAD block: the stream reader must not inherit it.
    const { a, b } = await twoInstances({ commandTimeout: 20 });
    const onB = await connectAs(b.url, bob);
    expect(await request(onB, 'subscribe', 'poll:1')).toEqual({ ok: true, channel: 'poll:1' });
    await untilStreamFlows(a.gateway, 'poll:1', onB);

    const votes = record(onB, 'votes');
    const personal = nextEvent(onB, 'notice');
    a.gateway.toChannel('poll:1', 'votes', { yes: 3 });
    a.gateway.toChannel('poll:2', 'votes', { yes: 9 });
    a.gateway.toUser(bob.id, 'notice', 'from A');
    expect(await personal).toBe('from A');
    await flush(a.gateway, onB, bob.id);
    expect(votes).toEqual([{ yes: 3 }]);
  });

  it('deliver a payload per user, sent as one message, to each user once on either instance', async () => {
    const { a, b } = await twoInstances();
    const aliceOnA = await connectAs(a.url, alice);
    const bobOnB = await connectAs(b.url, bob);
    await request(bobOnB, 'subscribe', 'poll:1');
    await untilStreamFlows(a.gateway, 'poll:1', bobOnB);

    const toAlice = record(aliceOnA, 'result');
    const toBob = record(bobOnB, 'result');
    a.gateway.toUsers('result', [
      [alice.id, 'for alice'],
      [bob.id, 'for bob'],
    ]);
    // The flushes travel the stream after the bulk message: everything it carried has arrived.
    await flush(a.gateway, bobOnB, bob.id);
    await flush(a.gateway, aliceOnA, alice.id);
    expect(toAlice).toEqual(['for alice']);
    expect(toBob).toEqual(['for bob']);
  });

  it('recover a dropped socket with what another instance broadcast meanwhile', async () => {
    const { a, b } = await twoInstances();
    const onA = await connectAs(a.url, alice);
    await request(onA, 'subscribe', 'game:5');
    // A witness on B proves the broadcast reached the stream before alice comes back.
    const witness = await connectAs(b.url, bob);
    await request(witness, 'subscribe', 'game:5');
    await untilStreamFlows(a.gateway, 'game:5', witness);
    // Alice's offset must come from the stream; her early messages may predate A's Redis connection.
    await flush(a.gateway, onA, alice.id);
    const scores = record(onA, 'score');

    const gone = a.gateway.disconnection(onA.id!);
    onA.io.engine.close();
    await gone;
    const witnessed = nextEvent(witness, 'score');
    b.gateway.toChannel('game:5', 'score', 'missed');
    await witnessed;

    onA.connect();
    await connected(onA);
    expect(onA.recovered).toBe(true);
    await flush(a.gateway, onA, alice.id);
    expect(scores).toEqual(['missed']);
  });

  it('close every Redis connection they opened and leave the shared client alone', async () => {
    const { a, b, connectionName } = await twoInstances();
    const [probe] = redisClients;
    const ours = async () => ((await probe!.client('LIST')) as string).split('\n').filter((line) => line.includes(`name=${connectionName} `)).length;
    // Per instance: the shared client, plus the adapter's publisher, stream reader and subscriber.
    await vi.waitFor(async () => expect(await ours()).toBe(8));

    await Promise.all([a.gateway.close(), b.gateway.close()]);
    await vi.waitFor(async () => expect(await ours()).toBe(2));
    expect(await probe!.ping()).toBe('PONG');
  });
});

describe('a gateway whose Redis dies', () => {
  it('keeps delivering to its own sockets, counts the fallback, and survives drops and close', async () => {
    const server = await startRedis();
    let killed = false;
    try {
      // BullMQ's setting, the worst case: commands would otherwise wait for Redis forever.
      const redis = new Redis(server.url, { maxRetriesPerRequest: null });
      redis.on('error', () => undefined);
      redisClients.push(redis);
      const instance: Instance = await startInstance({ redis, redisKeyPrefix: `test:${randomUUID()}:` });
      const socket = await connectAs(instance.url, alice);
      await request(socket, 'subscribe', 'board:1');
      const scores = record(socket, 'score');
      await server.kill();
      killed = true;

      await vi.waitFor(() => {
        instance.gateway.toChannel('board:1', 'score', 'local');
        expect(scores).toContain('local');
      });
      const fallbacks = await instance.metrics.fallbacks.get();
      expect(fallbacks.values.find((value) => value.labels.port === 'realtime')?.value).toBeGreaterThan(0);

      // A recoverable drop persists the session with a SET that now fails; it must not go unhandled.
      const gone = instance.gateway.disconnection(socket.id!);
      socket.io.engine.close();
      await gone;
      await instance.gateway.close();
    } finally {
      // destroy() kills a running server and waits for it to exit; a killed one never exits again.
      if (killed) await server.start();
      await server.destroy();
    }
  });
});
