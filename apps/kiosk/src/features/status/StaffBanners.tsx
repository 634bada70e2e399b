import { isClockSkewed, isConfigStale } from '../../device/config';
import type { CachedConfig } from '../../device/types';
import { useI18n } from '../../i18n';
import { useNow } from '../../ui/hooks';
import { AlertIcon } from '../../ui/icons';

/** Warnings meant for staff, shown above every screen while they apply. */
export function StaffBanners({ cached }: { cached: CachedConfig | null }) {
  const { t, dateTime } = useI18n();
  const now = useNow(10_000);
  const banners: Array<{ id: string; text: string }> = [];
  if (cached === null) {
    banners.push({ id: 'no-config', text: t('staff.noConfig') });
  } else {
    if (isConfigStale(cached, now)) {
      banners.push({ id: 'stale', text: t('staff.configStale', { time: dateTime(cached.fetchedAt) }) });
    }
    if (isClockSkewed(cached)) {
      const minutes = Math.round(Math.abs(cached.serverOffsetMs) / 60_000);
      banners.push({ id: 'clock', text: t('staff.clockSkew', { minutes }) });
    }
  }
  if (banners.length === 0) return null;
  return (
    <div className="staff-banners">
      {banners.map((banner) => (
        <p key={banner.id} className="staff-banner" role="status" data-testid={`staff-warning-${banner.id}`}>
          <AlertIcon className="icon" />
          <span>{banner.text}</span>
        </p>
      ))}
    </div>
  );
}
