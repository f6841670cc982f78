// Live toasts for the signed-in user's own news (an achievement awarded).
import { useState } from 'react';
import { useLive } from '../live/hooks';

interface Award {
  key?: string;
  name?: string;
}

export function AchievementToasts() {
  const [awards, setAwards] = useState<Array<{ id: number; name: string }>>([]);
  useLive<Award>(null, 'achievement', (award) => {
    const id = Date.now() + Math.random();
    setAwards((list) => [...list, { id, name: award.name ?? award.key ?? 'Achievement' }]);
    setTimeout(() => setAwards((list) => list.filter((a) => a.id !== id)), 6000);
  });
  return (
    <div className="toasts" aria-live="polite">
      {awards.map((award) => (
        <div key={award.id} className="notice ok" role="status">
          Achievement unlocked: <strong>{award.name}</strong>
        </div>
      ))}
    </div>
  );
}
