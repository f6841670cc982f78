import { useEffect, useRef, useState } from 'react';
import { useStore } from '../lib/store';
import { joinChannel, liveStatus, onLive, serverNow } from './socket';

/** Calls `handler` for `event` messages while subscribed to `channel` (no channel: user messages). */
export function useLive<T>(channel: string | null, event: string, handler: (payload: T) => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    const leave = channel ? joinChannel(channel) : undefined;
    const off = onLive(event, (payload) => latest.current(payload as T));
    return () => {
      off();
      leave?.();
    };
  }, [channel, event]);
}

export const useLiveStatus = () => useStore(liveStatus);

/** The server's clock, ticking once a second. */
export function useServerNow(): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const timer = setInterval(() => setNow(serverNow()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
