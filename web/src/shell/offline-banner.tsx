import { WifiOff } from 'lucide-react';
import { useOnline } from './online-status';

export function OfflineBanner() {
  const online = useOnline();
  if (online) return null;
  return (
    <div className="offline-banner" role="status">
      <WifiOff size={16} aria-hidden="true" />
      You are offline. Recent lists are shown from this device; changes wait until you are back online.
    </div>
  );
}
