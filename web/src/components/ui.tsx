// The design system's small components: tokens only, semantic HTML, visible focus.
import { useId, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode } from 'react';
import { formatDuration, secondsUntil } from '../live/clock';
import { useServerNow } from '../live/hooks';

type Variant = 'primary' | 'secondary' | 'danger';

export function Button({ variant = 'primary', className = '', ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant }) {
  return <button type="button" className={`button ${variant === 'primary' ? '' : variant} ${className}`.trim()} {...props} />;
}

export function Field({ label, hint, error, ...input }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string; error?: string }) {
  const id = useId();
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={describedBy} aria-invalid={error ? true : undefined} {...input} />
      {hint && (
        <small id={`${id}-hint`} className="muted">
          {hint}
        </small>
      )}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

/** The server's word on one field, under it; aria-describedby on the control points here. */
export function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <small id={id} className="field-error">
      {message}
    </small>
  );
}

export function Notice({ tone, children, role }: { tone: 'ok' | 'warn' | 'bad'; children: ReactNode; role?: 'status' | 'alert' }) {
  return (
    <div className={`notice ${tone}`} role={role}>
      {children}
    </div>
  );
}

/** Whole seconds to `deadline` in server time; fixed width so the layout never shifts. */
export function Countdown({ deadline, label }: { deadline: string; label: string }) {
  const now = useServerNow();
  const left = secondsUntil(deadline, now);
  return (
    <span className="num" aria-label={`${label}: ${left} seconds`} role="timer">
      {formatDuration(left)}
    </span>
  );
}

/** An absolute time in the viewer's zone, with the ISO value (UTC) on hover. */
export function Time({ at }: { at: string }) {
  return (
    <time dateTime={at} title={new Date(at).toUTCString()}>
      {new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}
    </time>
  );
}
