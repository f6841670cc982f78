// Event transitions: open (with the pre-queue shuffle), close, and the lottery draw. Each runs in
// the caller's unit under the event row lock and is guarded by the stored state, so the
// scheduler on every instance, a registration batch and an organizer can all attempt one and it
// happens exactly once.
import { createHash } from 'node:crypto';
import { AppError } from '../../errors.js';
import { drawOrder, entrantsHashOf, LOTTERY_ALGORITHM, SHUFFLE_ALGORITHM, shuffleOrder, type LotteryProof } from './lottery.js';
import { moveMany } from './holds.js';
import { freeSpots, openDue, spotGrant } from './rules.js';
import type { RegistrationRow } from './store.js';
import type { Stores, Unit } from './unit.js';

const orderHash = (order: string[]) => createHash('sha256').update(JSON.stringify(order)).digest('hex');

/**
 * Hands out spots in `ordered` order: the first ones get the free spots, the rest join the
 * waitlist (in this order) or, without a waitlist, leave with `noSpotReason`.
 */
async function allocate(
  unit: Unit,
  stores: Stores,
  eventId: string,
  actor: string,
  ordered: RegistrationRow[],
  options: { reason: string; noSpotReason: string; waitlistPriority?: number },
) {
  const event = unit.event(eventId);
  const winners = ordered.slice(0, freeSpots(event));
  const rest = ordered.slice(winners.length);
  await moveMany(unit, stores, actor, eventId, winners, spotGrant(event, unit.now), options.reason);
  if (event.waitlist) {
    const set =
      options.waitlistPriority === undefined
        ? { status: 'waitlisted' as const }
        : { status: 'waitlisted' as const, priority: options.waitlistPriority };
    await moveMany(unit, stores, actor, eventId, rest, set, options.reason);
  } else {
    await moveMany(unit, stores, actor, eventId, rest, { status: 'cancelled', statusReason: options.noSpotReason }, options.noSpotReason);
  }
}

/**
 * Opens the event (callers decide that it is due). A closesAt already passed is cleared, so a
 * reopened event stays open until closed again. The first opening of a pre-queue event shuffles its entrants with the
 * committed seed and serves them, in that order, ahead of everyone arriving later.
 */
export async function openEvent(unit: Unit, stores: Stores, eventId: string, actor: string): Promise<void> {
  const event = unit.event(eventId);
  if (event.state === 'drawn') throw new AppError('INVALID_STATE', 'A drawn lottery cannot reopen');
  const firstOpening = event.openedAt === null;
  const closesAt = event.closesAt && event.closesAt <= unit.now ? null : event.closesAt;
  const opensAt = event.opensAt && event.opensAt <= unit.now ? event.opensAt : unit.now;
  unit.patch(eventId, { state: 'open', openedAt: unit.now, opensAt, closesAt });
  unit.audit(eventId, actor, 'event.opened', { at: unit.now.toISOString() });
  if (firstOpening && event.preQueue && event.mode === 'fcfs') await shufflePreQueue(unit, stores, eventId, actor);
}

async function shufflePreQueue(unit: Unit, stores: Stores, eventId: string, actor: string): Promise<void> {
  const event = unit.event(eventId);
  const seed = event.preQueueSeed!;
  const entrants = await stores.registrations.byStatus(unit.tx, eventId, 'entered');
  const order = shuffleOrder(
    seed,
    entrants.map((row) => row.id),
  );
  const proof: LotteryProof = {
    commitment: event.preQueueCommitment!,
    seed,
    entrantsHash: entrantsHashOf(entrants.map((row) => ({ id: row.id, weight: 1 }))),
    algorithm: SHUFFLE_ALGORITHM,
    entrants: entrants.map((row) => ({ id: row.id, weight: 1 })),
    order,
  };
  await stores.events.saveProof(unit.tx, eventId, 'pre-queue', proof);
  // Entrants arrived first, so their seqs are the lowest: places 1..n keep them ahead of later arrivals.
  await stores.registrations.setQueuePlaces(
    unit.tx,
    order.map((id, index) => ({ id, queuePos: index + 1, drawRank: null })),
  );
  const byId = new Map(entrants.map((row) => [row.id, row]));
  const ordered = order.map((id, index) => ({ ...byId.get(id)!, queuePos: index + 1 }));
  unit.audit(eventId, actor, 'pre_queue.shuffled', {
    commitment: proof.commitment,
    seed,
    entrantsHash: proof.entrantsHash,
    entrants: order.length,
    orderHash: orderHash(order),
  });
  await allocate(unit, stores, eventId, actor, ordered, { reason: 'pre_queue_shuffle', noSpotReason: 'event_full' });
}

export async function closeEvent(unit: Unit, eventId: string, actor: string): Promise<void> {
  const event = unit.event(eventId);
  if (event.state === 'closed' || event.state === 'drawn') return;
  unit.patch(eventId, { state: 'closed', closedAt: unit.now });
  unit.audit(eventId, actor, 'event.closed', { at: unit.now.toISOString() });
}

/**
 * The lottery draw: freezes the entrants, records their hash, orders them by the committed
 * seed, gives the top spots and waitlists (or releases) the rest in draw order.
 */
export async function drawLottery(unit: Unit, stores: Stores, eventId: string, actor: string): Promise<LotteryProof> {
  const event = unit.event(eventId);
  if (event.mode !== 'lottery') throw new AppError('INVALID_STATE', 'Only lottery events are drawn');
  if (event.state === 'drawn') throw new AppError('INVALID_STATE', 'The lottery has already been drawn');
  await closeEvent(unit, eventId, actor);
  const entrantRows = await stores.registrations.byStatus(unit.tx, eventId, 'entered');
  const entrants = entrantRows.map((row) => ({ id: row.id, weight: row.weight }));
  const seed = event.lotterySeed!;
  const order = drawOrder(seed, entrants);
  const proof: LotteryProof = {
    commitment: event.lotteryCommitment!,
    seed,
    entrantsHash: entrantsHashOf(entrants),
    algorithm: LOTTERY_ALGORITHM,
    entrants,
    order,
  };
  await stores.events.saveProof(unit.tx, eventId, 'lottery', proof);
  await stores.registrations.setQueuePlaces(
    unit.tx,
    order.map((id, index) => ({ id, queuePos: index + 1, drawRank: index + 1 })),
  );
  const byId = new Map(entrantRows.map((row) => [row.id, row]));
  const ordered = order.map((id, index) => ({ ...byId.get(id)!, queuePos: index + 1, drawRank: index + 1 }));
  unit.patch(eventId, { state: 'drawn', drawnAt: unit.now });
  unit.audit(eventId, actor, 'lottery.drawn', {
    commitment: proof.commitment,
    seed,
    entrantsHash: proof.entrantsHash,
    entrants: entrants.length,
    winners: Math.min(freeSpots(event), entrants.length),
    orderHash: orderHash(order),
  });
  // The weights already shaped the draw; the waitlist then follows draw order alone.
  await allocate(unit, stores, eventId, actor, ordered, { reason: 'draw', noSpotReason: 'not_selected', waitlistPriority: 1 });
  return proof;
}

/** Runs whatever the clock says is due: open, close, then the draw of a lottery at closesAt. */
export async function applyClock(unit: Unit, stores: Stores, eventId: string, actor: string): Promise<void> {
  if (openDue(unit.event(eventId), unit.now)) await openEvent(unit, stores, eventId, actor);
  const event = unit.event(eventId);
  const closeDue = event.closesAt !== null && event.closesAt <= unit.now;
  if (closeDue && event.state === 'open') await closeEvent(unit, eventId, actor);
  if (closeDue && event.mode === 'lottery' && unit.event(eventId).state !== 'drawn') await drawLottery(unit, stores, eventId, actor);
}
