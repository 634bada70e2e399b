import { useI18n } from '../../i18n';
import { useSites } from './queries';

/**
 * Formats a time in a site's own zone, never the browser's. Without a site (the audit log's tenant-wide entries) the
 * first site's zone is used. Where the sites' zones differ, the zone is named after the time.
 */
export function useSiteDateTime(): (iso: string, siteId?: string | null) => string {
  const { dateTime } = useI18n();
  const sites = useSites().data ?? [];
  const zonesDiffer = new Set(sites.map((site) => site.timezone)).size > 1;
  return (iso, siteId) => {
    const zone = (sites.find((site) => site.id === siteId) ?? sites[0])?.timezone;
    const text = dateTime(iso, zone);
    return zonesDiffer && zone ? `${text} (${zone})` : text;
  };
}
