import type { VisitStatus } from '@atrium/protocol';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n';

export type BadgeTone = 'neutral' | 'success' | 'warning' | 'danger' | 'info';

export function Badge({ tone = 'neutral', children }: { tone?: BadgeTone; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

const STATUS_TONE: Record<VisitStatus, BadgeTone> = {
  expected: 'info',
  checked_in: 'success',
  checked_out: 'neutral',
  cancelled: 'danger',
  expired: 'warning',
};

export function VisitStatusBadge({ status }: { status: VisitStatus }) {
  const { t } = useI18n();
  return <Badge tone={STATUS_TONE[status]}>{t(`status.${status}`)}</Badge>;
}
