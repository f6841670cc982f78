// What the page says about the connection: a banner when the socket is down (with the time of the
// last update, so no number passes for live), and the calm "busy" notice while a 429/503 waits.
import { useEffect, useState } from 'react';
import { busy } from '../api/retry';
import { useStore } from '../lib/store';
import { useLiveStatus } from '../live/hooks';

export function ConnectionBanner() {
  const status = useLiveStatus();
  if (status.connected || !status.everConnected) return null;
  const last = status.lastMessageAt ? new Date(status.lastMessageAt).toLocaleTimeString() : 'never';
  return (
    <p className="notice warn banner" role="status" data-testid="connection-lost">
      Connection lost, reconnecting… Numbers below are from {last} and may be out of date.
    </p>
  );
}

export function BusyBanner() {
  const notice = useStore(busy);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!notice) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [notice]);
  if (!notice) return null;
  const seconds = Math.max(0, Math.ceil((notice.retryAt - now) / 1000));
  return (
    <p className="notice warn banner" role="status" data-testid="busy">
      Busy: trying again in <span className="num">{seconds}</span> s. Nothing is lost; your request is kept.
    </p>
  );
}
