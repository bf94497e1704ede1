import { Controller, ExecutionContext, Get, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { BearerTokenGuard } from './bearer-token.guard.js';
import { Public } from './public.decorator.js';
import { RequireToken } from './require-token.decorator.js';

const API = 'api-token-0123456789';
const ADMIN = 'admin-token-0123456789';
const METRICS = 'metrics-token-0123456789';

@Controller('unmarked')
class UnmarkedController {
  @Get() open() {}
}

@Public()
@Controller('probes')
class PublicController {
  @Get() live() {}
  @RequireToken('admin') @Get('secret') secret() {}
}

@RequireToken('api')
@Controller('things')
class ApiController {
  @Get() list() {}
  @Public() @Get('open') open() {}
}

@RequireToken('metrics')
@Controller('metrics')
class MetricsController {
  @Get() scrape() {}
}

type Handler = (...args: never[]) => unknown;

/** An ExecutionContext for one route: its controller, its handler, the routed path. */
function contextFor(
  controller: abstract new (...args: never[]) => unknown,
  handler: Handler,
  routedPath: string,
  authorization?: string,
): ExecutionContext {
  const request = { headers: { authorization }, routeOptions: { url: routedPath } };
  const reply = {
    headers: {} as Record<string, string>,
    header: (name: string, value: string) => ((reply.headers[name] = value), reply),
  };
  return {
    getClass: () => controller,
    getHandler: () => handler,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ExecutionContext;
}

function guard(auth: { metricsToken?: string; disabled?: boolean } = {}): BearerTokenGuard {
  return new BearerTokenGuard(new Reflector(), {
    apiToken: API,
    adminToken: ADMIN,
    metricsToken: auth.metricsToken,
    disabled: auth.disabled ?? false,
  });
}

const allows = (
  context: ExecutionContext,
  auth?: Parameters<typeof guard>[0],
  asked: BearerTokenGuard = guard(auth),
) => {
  try {
    return asked.canActivate(context);
  } catch (error) {
    if (error instanceof UnauthorizedException) return false;
    throw error;
  }
};

describe('BearerTokenGuard: deny by default', () => {
  const unmarked = UnmarkedController.prototype.open;

  it('refuses a route marked neither @Public() nor @RequireToken, whatever token comes', () => {
    for (const token of [undefined, API, ADMIN, METRICS]) {
      const context = contextFor(
        UnmarkedController,
        unmarked,
        '/unmarked',
        token && `Bearer ${token}`,
      );
      expect(allows(context, { metricsToken: METRICS })).toBe(false);
    }
  });

  it('answers a refusal with WWW-Authenticate: Bearer', () => {
    const context = contextFor(UnmarkedController, unmarked, '/unmarked');
    const reply = context.switchToHttp().getResponse<{ headers: Record<string, string> }>();

    expect(() => guard().canActivate(context)).toThrow(UnauthorizedException);
    expect(reply.headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
  });

  it('opens @Public() routes without a token', () => {
    expect(allows(contextFor(PublicController, PublicController.prototype.live, '/probes'))).toBe(
      true,
    );
  });

  it("lets a handler's own marker win over its controller's", () => {
    const secret = PublicController.prototype.secret;
    expect(allows(contextFor(PublicController, secret, '/probes/secret'))).toBe(false);
    expect(allows(contextFor(PublicController, secret, '/probes/secret', `Bearer ${ADMIN}`))).toBe(
      true,
    );
    const open = ApiController.prototype.open;
    expect(allows(contextFor(ApiController, open, '/things/open'))).toBe(true);
  });

  it('takes exactly the token a route names', () => {
    const list = ApiController.prototype.list;
    expect(allows(contextFor(ApiController, list, '/things', `Bearer ${API}`))).toBe(true);
    expect(allows(contextFor(ApiController, list, '/things', `Bearer ${ADMIN}`))).toBe(false);
    expect(allows(contextFor(ApiController, list, '/things'))).toBe(false);
  });

  it.each([
    ['an unmarked route', UnmarkedController, UnmarkedController.prototype.open],
    ['a @Public() route', PublicController, PublicController.prototype.live],
    ['an API route', ApiController, ApiController.prototype.list],
  ])('takes only the admin token for %s under /admin/**', (_case, controller, handler) => {
    for (const path of ['/admin', '/admin/new-thing', '/admin/x/:id/retry']) {
      expect(allows(contextFor(controller, handler, path))).toBe(false);
      expect(allows(contextFor(controller, handler, path, `Bearer ${API}`))).toBe(false);
      expect(allows(contextFor(controller, handler, path, `Bearer ${ADMIN}`))).toBe(true);
    }
  });

  it('answers each controller and routed path of one handler for itself, asked again', () => {
    const one = guard();
    const asks = (context: ExecutionContext) => allows(context, undefined, one);
    const list = ApiController.prototype.list;
    const open = UnmarkedController.prototype.open;
    for (let round = 0; round < 2; round++) {
      expect(asks(contextFor(ApiController, list, '/things', `Bearer ${API}`))).toBe(true);
      expect(asks(contextFor(ApiController, list, '/admin/things', `Bearer ${API}`))).toBe(false);
      expect(asks(contextFor(PublicController, open, '/x'))).toBe(true);
      expect(asks(contextFor(UnmarkedController, open, '/x'))).toBe(false);
    }
  });

  it('opens /metrics while METRICS_TOKEN is unset, and takes only that token once set', () => {
    const scrape = (token?: string) =>
      contextFor(MetricsController, MetricsController.prototype.scrape, '/metrics', token);
    expect(allows(scrape())).toBe(true);
    expect(allows(scrape(), { metricsToken: METRICS })).toBe(false);
    expect(allows(scrape(`Bearer ${ADMIN}`), { metricsToken: METRICS })).toBe(false);
    expect(allows(scrape(`Bearer ${METRICS}`), { metricsToken: METRICS })).toBe(true);
  });

  it('opens every route with AUTH_DISABLED=true', () => {
    expect(allows(contextFor(UnmarkedController, unmarked, '/unmarked'), { disabled: true })).toBe(
      true,
    );
  });
});
