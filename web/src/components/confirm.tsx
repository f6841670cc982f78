// A dangerous action asks once, naming its consequence; the question takes focus so keyboard
// and screen-reader users meet it too.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Button } from './ui';

interface Props {
  label: string;
  consequence: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
  variant?: 'danger' | 'secondary';
}

export function ConfirmButton({ label, consequence, confirmLabel, onConfirm, disabled, variant = 'danger' }: Props) {
  const [asking, setAsking] = useState(false);
  const question = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (asking) question.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <Button variant={variant === 'danger' ? 'secondary' : variant} onClick={() => setAsking(true)} disabled={disabled}>
        {label}
      </Button>
    );
  }
  return (
    <div ref={question} tabIndex={-1} role="group" aria-label={label} className="notice warn stack">
      <p>{consequence}</p>
      <div className="row">
        <Button
          variant="danger"
          onClick={() => {
            setAsking(false);
            onConfirm();
          }}
        >
          {confirmLabel}
        </Button>
        <Button variant="secondary" onClick={() => setAsking(false)}>
          Keep it
        </Button>
      </div>
    </div>
  );
}
