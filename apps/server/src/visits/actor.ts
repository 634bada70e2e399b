/** Who acted on a visit, as the audit trail names them. */
export interface Actor {
  type: 'user' | 'kiosk' | 'system';
  id: string | null;
  ip: string | null;
}

export const auditActor = (actor: Actor) => ({ actorType: actor.type, actorId: actor.id, ip: actor.ip });

/** A paired kiosk acting at its site, from the address its request came from. */
export interface KioskActor {
  tenantId: string;
  siteId: string;
  kioskId: string;
  ip: string | null;
}

export const kioskActor = (kiosk: KioskActor): Actor => ({ type: 'kiosk', id: kiosk.kioskId, ip: kiosk.ip });
