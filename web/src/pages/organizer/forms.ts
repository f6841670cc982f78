// Form values to API bodies: the organizer forms' one place for parsing.
export const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();
export const integer = (form: FormData, name: string) => Number.parseInt(text(form, name), 10);
export const checked = (form: FormData, name: string) => form.get(name) === 'on';
/** A datetime-local value (the viewer's zone) as ISO, or null when empty. */
export const instant = (form: FormData, name: string) => (text(form, name) ? new Date(text(form, name)).toISOString() : null);
/** ISO to a datetime-local value in the viewer's zone. */
export function localInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}
/** "members: 3, staff: 5" -> { members: 3, staff: 5 }. */
export function priorityGroups(value: string): Record<string, number> {
  const groups: Record<string, number> = {};
  for (const part of value.split(',')) {
    const [name, weight] = part.split(':').map((s) => s.trim());
    if (name) groups[name] = Number(weight) || 1;
  }
  return groups;
}
export const formatGroups = (groups: Record<string, number>) =>
  Object.entries(groups)
    .map(([name, weight]) => `${name}: ${weight}`)
    .join(', ');
