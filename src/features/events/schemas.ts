// TypeBox schemas of the events API: request bodies and the documented answers.
import { Type } from 'typebox';
import { JsonObject, literals, Uuid } from '../../http/schemas.js';
import { REGISTRATION_STATUSES } from '../../domain/events.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });

export const Slug = Type.String({
  minLength: 2,
  maxLength: 64,
  pattern: '^[a-z0-9][a-z0-9-]*$',
  description: 'Lowercase letters, digits and dashes',
});
const PriorityGroups = Type.Record(
  Type.String({ minLength: 1, maxLength: 40, pattern: '^[\\w .-]+$' }),
  Type.Integer({ minimum: 1, maximum: 1000 }),
  {
    maxProperties: 20,
    description: 'Group name -> weight (>= 1)',
  },
);

const eventFields = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  capacity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  mode: Type.Union([Type.Literal('fcfs'), Type.Literal('lottery')]),
  opensAt: Nullable(DateTime),
  closesAt: Nullable(DateTime),
  holdSeconds: Type.Integer({ minimum: 1, maximum: 7 * 86400, description: 'How long a paid spot is held awaiting payment' }),
  priceCents: Type.Integer({ minimum: 0, maximum: 100_000_000, description: '0 means free' }),
  currency: Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217 code' }),
  waitlist: Type.Boolean(),
  preQueue: Type.Boolean({ description: 'Accept entries before opening; shuffle them with a committed seed at opening' }),
  preQueueOpensAt: Nullable(DateTime),
  priorityGroups: PriorityGroups,
  settings: Type.Partial(
    Type.Object({
      allowGuests: Type.Boolean({ description: 'Guest accounts may register (default true)' }),
      requireVerifiedEmail: Type.Boolean({
        description:
          'Only accounts with a verified email may register (default false). Accounts do not verify emails yet: today this refuses guests, the accounts without an email',
      }),
    }),
    { additionalProperties: false, description: 'Who may register; a patch changes only the settings it names' },
  ),
};

export const CreateEventBody = Type.Object(
  {
    slug: Slug,
    title: eventFields.title,
    capacity: eventFields.capacity,
    mode: eventFields.mode,
    opensAt: Type.Optional(eventFields.opensAt),
    closesAt: Type.Optional(eventFields.closesAt),
    holdSeconds: Type.Optional(eventFields.holdSeconds),
    priceCents: Type.Optional(eventFields.priceCents),
    currency: Type.Optional(eventFields.currency),
    waitlist: Type.Optional(eventFields.waitlist),
    preQueue: Type.Optional(eventFields.preQueue),
    preQueueOpensAt: Type.Optional(eventFields.preQueueOpensAt),
    priorityGroups: Type.Optional(eventFields.priorityGroups),
    settings: Type.Optional(eventFields.settings),
  },
  { additionalProperties: false },
);

export const PatchEventBody = Type.Partial(Type.Object(eventFields), { additionalProperties: false, minProperties: 1 });

const Counts = Type.Object({
  capacity: Type.Integer(),
  confirmed: Type.Integer(),
  held: Type.Integer(),
  available: Type.Integer(),
  waitlisted: Type.Integer(),
  entered: Type.Integer(),
  waitlistPromoted: Type.Integer({ description: 'Head counter: waitlist entries promoted so far' }),
});

export const EventSchema = Type.Object(
  {
    id: Uuid,
    slug: Type.String(),
    title: Type.String(),
    capacity: Type.Integer(),
    mode: eventFields.mode,
    status: literals(['scheduled', 'open', 'closed', 'drawn']),
    opensAt: Nullable(DateTime),
    closesAt: Nullable(DateTime),
    holdSeconds: Type.Integer(),
    priceCents: Type.Integer(),
    currency: Type.String(),
    waitlist: Type.Boolean(),
    preQueue: Type.Boolean(),
    preQueueOpensAt: Nullable(DateTime),
    priorityGroups: Type.Record(Type.String(), Type.Integer()),
    settings: Type.Object({ allowGuests: Type.Boolean(), requireVerifiedEmail: Type.Boolean() }),
    createdBy: Uuid,
    lotteryCommitment: Nullable(Type.String()),
    preQueueCommitment: Nullable(Type.String()),
    counts: Counts,
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { $id: 'Event' },
);

export const RegistrationStatusSchema = literals(REGISTRATION_STATUSES);

export const RegistrationSchema = Type.Object(
  {
    id: Uuid,
    eventId: Uuid,
    userId: Uuid,
    status: RegistrationStatusSchema,
    statusReason: Nullable(Type.String()),
    position: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: '1-based waitlist position' }),
    waitlistPromoted: Type.Union([Type.Integer(), Type.Null()], { description: 'The head counter when position was read' }),
    seq: Type.Integer(),
    priorityGroup: Nullable(Type.String()),
    drawRank: Type.Union([Type.Integer(), Type.Null()]),
    holdExpiresAt: Nullable(DateTime),
    registeredBy: Nullable(Uuid),
    paymentStatus: Type.String(),
    paymentProvider: Nullable(Type.String()),
    amountCents: Type.Union([Type.Integer(), Type.Null()]),
    paidAt: Nullable(DateTime),
    event: Type.Object({ title: Type.String(), slug: Type.String(), priceCents: Type.Integer(), currency: Type.String() }),
    handle: Type.Optional(Type.String()),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { $id: 'Registration' },
);

export const ProofSchema = Type.Object(
  {
    commitment: Type.String(),
    seed: Type.String(),
    entrantsHash: Type.String(),
    algorithm: Type.String(),
    entrants: Type.Array(Type.Object({ id: Type.String(), weight: Type.Number() })),
    order: Type.Array(Type.String()),
  },
  { $id: 'LotteryProof' },
);

export const PriorityEntry = Type.Object(
  { userId: Uuid, group: Type.Union([Type.String({ minLength: 1, maxLength: 40 }), Type.Null()], { description: 'null removes the priority' }) },
  { additionalProperties: false },
);

export const AuditEntrySchema = Type.Object({
  seq: Type.Integer(),
  at: DateTime,
  actor: Type.String(),
  type: Type.String(),
  data: JsonObject('What happened; its keys depend on type'),
  prevHash: Type.String(),
  hash: Type.String(),
});

export const Pagination = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
};

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'Event id or slug' }) });
