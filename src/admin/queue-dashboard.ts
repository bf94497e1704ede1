import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { type BullBoardInstance, BullBoardModule, InjectBullBoard } from '@bull-board/nestjs';
import { Injectable, OnModuleInit } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigService } from '@nestjs/config';
import { basicPasswordOf, bearerTokenOf, TokenMatcher } from '../access/token-matcher.js';
import { QueueGroups } from '../delivery/queue-groups.js';

export const QUEUE_DASHBOARD_ROUTE = '/admin/queues';

/** Bull Board at /admin/queues (the queues are added by QueueDashboard). */
export const queueDashboardImports = [
  BullBoardModule.forRoot({ route: QUEUE_DASHBOARD_ROUTE, adapter: BullBoardFastifyAdapter }),
];

/**
 * Every delivery queue on the dashboard. They share BullMQ's name `deliveries` (their
 * prefixes differ), so each is listed as `group<g>-deliveries`.
 */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  constructor(
    @InjectBullBoard() private readonly board: BullBoardInstance,
    private readonly groups: QueueGroups,
  ) {}

  onModuleInit(): void {
    const count = this.groups.queues.length;
    this.groups.queues.forEach((queue, group) => {
      const displayName = `deliveries, group ${group} of ${count}`;
      this.board.addQueue(new BullMQAdapter(queue, { prefix: `group${group}-`, displayName }));
    });
  }
}

/**
 * The dashboard is a Fastify plugin, out of reach of Nest guards, so a hook checks the admin
 * token: as a bearer token, or as the password of HTTP Basic auth, which a browser asks for.
 * It looks at the route the router chose, never the raw target: the router decodes and
 * normalises the path first (`/admin/%71ueues`, absolute-form targets), so any spelling that
 * reaches a dashboard route is seen here as that route.
 */
export function protectQueueDashboard(app: NestFastifyApplication): void {
  const config = app.get(ConfigService);
  if (config.get<boolean>('auth.disabled')) return;
  const admin = new TokenMatcher(config.get<string>('auth.adminToken'));
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request, reply) => {
      if (!isDashboardRoute(request.routeOptions.url)) return;
      const header = request.headers.authorization;
      if (admin.matches(bearerTokenOf(header)) || admin.matches(basicPasswordOf(header))) return;
      await reply
        .code(401)
        .header('WWW-Authenticate', 'Basic realm="chime admin", charset="UTF-8"')
        .send({ statusCode: 401, error: 'Unauthorized', message: 'Missing or wrong admin token' });
    });
}

function isDashboardRoute(routedUrl: string | undefined): boolean {
  if (routedUrl === undefined) return false;
  return routedUrl === QUEUE_DASHBOARD_ROUTE || routedUrl.startsWith(`${QUEUE_DASHBOARD_ROUTE}/`);
}
