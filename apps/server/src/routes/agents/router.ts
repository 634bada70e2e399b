import { randomUUID } from 'node:crypto';
import { agentViewSchema, id, registeredAgentSchema, text } from '@atrium/protocol';
import { z } from 'zod';
import { certificateExpiring, renewAgentCertificate } from '../../agents/certificates';
import { agentImage, agentServerUrl } from '../../agents/urls';
import { recordAudit } from '../../audit/record';
import type { AppContext } from '../../context';
import { emit } from '../../events/outbox';
import { notFound } from '../../http/errors';
import { type RouteDef, route, userOf } from '../../http/routes';
import { hasSiteRole } from '../../tenancy/access';

const ADMINS = ['tenant_admin', 'site_admin'] as const;
const registerSchema = z.object({ siteId: id('a site id'), name: text({ max: 100 }) });

export function agentRoutes(ctx: AppContext): RouteDef[] {
  const auth = { tokens: ['user'], roles: ADMINS } as const;
  return [
    route({
      method: 'post',
      path: '/agents',
      auth,
      schemas: { body: registerSchema },
      response: { status: 201, schema: registeredAgentSchema },
      async handler(req, res, { body }) {
        const user = userOf(req);
        const { siteId, name } = body;
        if (!hasSiteRole(user, siteId, ADMINS)) throw notFound('site');
        const agentId = randomUUID();
        const cert = await ctx.ca.issueAgentCert({
          tenantId: user.tenantId,
          siteId,
          agentId,
          now: ctx.now(),
          days: ctx.config.AGENT_CERT_DAYS,
        });
        await ctx.db.withTenant(user.tenantId, async (tx) => {
          const [site] = await tx.query('SELECT 1 FROM sites WHERE id = $1', [siteId]);
          if (!site) throw notFound('site');
          // The private key is returned once and never stored; serial and fingerprint identify the agent from now on.
          await tx.query(
            `INSERT INTO agents (id, tenant_id, site_id, name, cert_serial, cert_fingerprint, not_after, created_by)
             VALUES ($1, app_current_tenant(), $2, $3, $4, $5, $6, $7)`,
            [agentId, siteId, name, cert.serial, cert.fingerprint, cert.notAfter, user.userId],
          );
          await recordAudit(tx, {
            actorType: 'user',
            actorId: user.userId,
            action: 'agent.registered',
            targetType: 'agent',
            targetId: agentId,
            outcome: 'success',
            ip: req.ip ?? null,
            details: { siteId, serial: cert.serial },
          });
        });
        res.setHeader('Cache-Control', 'no-store');
        res.status(201).json({
          agent: { id: agentId, siteId, name },
          image: agentImage(ctx.config),
          bundle: { cert: cert.certPem, key: cert.keyPem, ca: ctx.ca.certPem },
          env: {
            ATRIUM_SERVER_URL: agentServerUrl(ctx.config),
            ATRIUM_TENANT_ID: user.tenantId,
            ATRIUM_SITE_ID: siteId,
          },
        });
      },
    }),
    route({
      method: 'get',
      path: '/agents',
      auth,
      response: { status: 200, schema: z.array(agentViewSchema) },
      async handler(req, res) {
        const user = userOf(req);
        const rows = await ctx.db.withTenant(user.tenantId, (tx) =>
          tx.query<{
            id: string;
            site_id: string;
            name: string;
            connected: boolean;
            last_status: unknown;
            last_seen: Date | null;
            revoked_at: Date | null;
            not_after: Date;
            pending_not_after: Date | null;
            created_at: Date;
          }>(
            `SELECT id, site_id, name, connected, last_status, last_seen, revoked_at, not_after, pending_not_after, created_at
               FROM agents ORDER BY created_at DESC`,
          ),
        );
        const now = ctx.now();
        res.json(
          rows
            .filter((row) => hasSiteRole(user, row.site_id, ADMINS))
            .map((row) => ({
              id: row.id,
              siteId: row.site_id,
              name: row.name,
              connected: row.connected && !row.revoked_at,
              lastStatus: row.last_status ?? null,
              lastSeen: row.last_seen?.toISOString() ?? null,
              revoked: row.revoked_at !== null,
              certificateExpires: row.not_after.toISOString(),
              certificateExpiring: !row.revoked_at && certificateExpiring(row.not_after, now),
              pendingCertificateExpires: row.pending_not_after?.toISOString() ?? null,
              createdAt: row.created_at.toISOString(),
            })),
        );
      },
    }),
    route({
      method: 'post',
      path: '/agents/:id/certificate',
      auth,
      schemas: { params: z.object({ id: id('an agent id') }) },
      response: {
        status: 201,
        schema: registeredAgentSchema,
        description: 'A renewed certificate bundle; it replaces the current one when the agent first connects with it.',
      },
      async handler(req, res, { params }) {
        const user = userOf(req);
        const { agent, cert } = await renewAgentCertificate(ctx, {
          tenantId: user.tenantId,
          agentId: params.id,
          userId: user.userId,
          ip: req.ip ?? null,
          mayManage: (siteId) => hasSiteRole(user, siteId, ADMINS),
        });
        res.setHeader('Cache-Control', 'no-store');
        res.status(201).json({
          agent,
          image: agentImage(ctx.config),
          bundle: { cert: cert.certPem, key: cert.keyPem, ca: ctx.ca.certPem },
          env: {
            ATRIUM_SERVER_URL: agentServerUrl(ctx.config),
            ATRIUM_TENANT_ID: user.tenantId,
            ATRIUM_SITE_ID: agent.siteId,
          },
        });
      },
    }),
    route({
      method: 'delete',
      path: '/agents/:id',
      auth,
      schemas: { params: z.object({ id: id('an agent id') }) },
      response: { status: 204 },
      async handler(req, res, { params }) {
        const user = userOf(req);
        const { id } = params;
        await ctx.db.withTenant(user.tenantId, async (tx) => {
          const [agent] = await tx.query<{ site_id: string }>('SELECT site_id FROM agents WHERE id = $1 FOR UPDATE', [
            id,
          ]);
          if (!agent || !hasSiteRole(user, agent.site_id, ADMINS)) throw notFound('agent');
          await tx.query(
            'UPDATE agents SET revoked_at = coalesce(revoked_at, now()), connected = false WHERE id = $1',
            [id],
          );
          await recordAudit(tx, {
            actorType: 'user',
            actorId: user.userId,
            action: 'agent.revoked',
            targetType: 'agent',
            targetId: id,
            outcome: 'success',
            ip: req.ip ?? null,
          });
          await emit(tx, 'agent.revoked', agent.site_id, { agentId: id });
        });
        // This replica closes at once; others hear of it through the outbox.
        ctx.hub.disconnect(id);
        void ctx.events.wake();
        res.status(204).end();
      },
    }),
  ];
}
