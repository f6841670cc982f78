// Create or edit an event: capacity, mode, schedule, priority groups and payment.
import type { FormEvent } from 'react';
import type { EventView } from '../../api/hooks';
import { Button, Field } from '../../components/ui';
import { checked, formatGroups, instant, integer, localInput, priorityGroups, text } from './forms';

export interface EventFields {
  title: string;
  capacity: number;
  mode: 'fcfs' | 'lottery';
  opensAt: string | null;
  closesAt: string | null;
  holdSeconds: number;
  priceCents: number;
  currency: string;
  waitlist: boolean;
  priorityGroups: Record<string, number>;
}

export function EventForm({
  event,
  submitLabel,
  onSubmit,
  busy,
}: {
  event?: EventView;
  submitLabel: string;
  onSubmit: (fields: EventFields & { slug: string }) => void;
  busy: boolean;
}) {
  function submit(formEvent: FormEvent<HTMLFormElement>) {
    formEvent.preventDefault();
    const form = new FormData(formEvent.currentTarget);
    onSubmit({
      slug: text(form, 'slug'),
      title: text(form, 'title'),
      capacity: integer(form, 'capacity'),
      mode: text(form, 'mode') === 'lottery' ? 'lottery' : 'fcfs',
      opensAt: instant(form, 'opensAt'),
      closesAt: instant(form, 'closesAt'),
      holdSeconds: integer(form, 'holdSeconds'),
      priceCents: Math.round(Number(text(form, 'price')) * 100),
      currency: text(form, 'currency').toUpperCase(),
      waitlist: checked(form, 'waitlist'),
      priorityGroups: priorityGroups(text(form, 'groups')),
    });
  }
  return (
    <form className="stack" onSubmit={submit}>
      {!event && <Field label="Slug (in links)" name="slug" required pattern="[a-z0-9][a-z0-9-]*" minLength={2} maxLength={64} />}
      <Field label="Title" name="title" required defaultValue={event?.title} />
      <Field label="Capacity" name="capacity" type="number" min={1} required defaultValue={event?.capacity ?? 100} />
      <div className="field">
        <label htmlFor="event-mode">Mode</label>
        <select id="event-mode" name="mode" defaultValue={event?.mode ?? 'fcfs'}>
          <option value="fcfs">First come, first served</option>
          <option value="lottery">Lottery</option>
        </select>
      </div>
      <Field label="Opens at (your time)" name="opensAt" type="datetime-local" defaultValue={localInput(event?.opensAt ?? null)} />
      <Field label="Closes at (your time)" name="closesAt" type="datetime-local" defaultValue={localInput(event?.closesAt ?? null)} />
      <Field label="Hold for payment (seconds)" name="holdSeconds" type="number" min={1} defaultValue={event?.holdSeconds ?? 900} />
      <Field label="Price (0 for free)" name="price" type="number" min={0} step="0.01" defaultValue={(event?.priceCents ?? 0) / 100} />
      <Field label="Currency" name="currency" pattern="[A-Za-z]{3}" defaultValue={event?.currency ?? 'EUR'} />
      <Field
        label="Priority groups"
        name="groups"
        hint="name: weight, separated by commas"
        defaultValue={formatGroups(event?.priorityGroups ?? {})}
      />
      <div className="row">
        <input id="event-waitlist" name="waitlist" type="checkbox" defaultChecked={event?.waitlist ?? true} />
        <label htmlFor="event-waitlist">Waitlist when full</label>
      </div>
      <Button type="submit" disabled={busy}>
        {submitLabel}
      </Button>
    </form>
  );
}
