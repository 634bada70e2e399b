import { agentViewSchema, id, type RegisteredAgent, registeredAgentSchema, text } from '@atrium/protocol';
import type { Request } from 'express';
import { z } from 'zod';
import { renewAgentCertificate } from '../../agents/certificates';
import { type AgentAdmin, type CertifiedAgent, listAgents, registerAgent, revokeAgent } from '../../agents/registry';
import { agentImage, agentServerUrl } from '../../agents/urls';
import type { AppContext } from '../../context';
import { type RouteDef, route, userOf } from '../../http/routes';
import { hasSiteRole } from '../../tenancy/access';

const ADMINS = ['tenant_admin', 'site_admin'] as const;
const registerSchema = z.object({ siteId: id('a site id'), name: text({ max: 100 }) });
const agentParams = z.object({ id: id('an agent id') });

function adminOf(req: Request): AgentAdmin {
  const user = userOf(req);
  return {
    tenantId: user.tenantId,
    userId: user.userId,
    ip: req.ip ?? null,
    mayManage: (siteId) => hasSiteRole(user, siteId, ADMINS),
  };
}

export function agentRoutes(ctx: AppContext): RouteDef[] {
  const auth = { tokens: ['user'], roles: ADMINS } as const;
  // The one-time bundle an agent is deployed with: never cached.
  const bundleOf = (tenantId: string, { agent, cert }: CertifiedAgent): RegisteredAgent => ({
    agent,
    image: agentImage(ctx.config),
    bundle: { cert: cert.certPem, key: cert.keyPem, ca: ctx.ca.certPem },
    env: {
      ATRIUM_SERVER_URL: agentServerUrl(ctx.config),
      ATRIUM_TENANT_ID: tenantId,
      ATRIUM_SITE_ID: agent.siteId,
    },
  });
  return [
    route({
      method: 'post',
      path: '/agents',
      auth,
      schemas: { body: registerSchema },
      response: { status: 201, schema: registeredAgentSchema },
      async handler(req, res, { body }) {
        const admin = adminOf(req);
        const registered = await registerAgent(ctx, admin, body);
        res.setHeader('Cache-Control', 'no-store');
        res.status(201).json(bundleOf(admin.tenantId, registered));
      },
    }),
    route({
      method: 'get',
      path: '/agents',
      auth,
      response: { status: 200, schema: z.array(agentViewSchema) },
      async handler(req, res) {
        res.json(await listAgents(ctx, adminOf(req)));
      },
    }),
    route({
      method: 'post',
      path: '/agents/:id/certificate',
      auth,
      schemas: { params: agentParams },
      response: {
        status: 201,
        schema: registeredAgentSchema,
        description: 'A renewed certificate bundle; it replaces the current one when the agent first connects with it.',
      },
      async handler(req, res, { params }) {
        const admin = adminOf(req);
        const renewed = await renewAgentCertificate(ctx, admin, params.id);
        res.setHeader('Cache-Control', 'no-store');
        res.status(201).json(bundleOf(admin.tenantId, renewed));
      },
    }),
    route({
      method: 'delete',
      path: '/agents/:id',
      auth,
      schemas: { params: agentParams },
      response: { status: 204 },
      async handler(req, res, { params }) {
        await revokeAgent(ctx, adminOf(req), params.id);
        res.status(204).end();
      },
    }),
  ];
}
