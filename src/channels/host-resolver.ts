import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { deliveryConfig } from '../config/configuration.js';
import { HostsFile } from './hosts-file.js';

/** A name that has no answer within this long does not resolve, whatever its servers do. */
export const RESOLVE_TIMEOUT_MS = 2_000;
/** c-ares' wait for one server's answer on the first try; later tries wait longer. */
const TRY_TIMEOUT_MS = 700;
const TRIES = 2;
/** RFC 6761: `localhost` is loopback even where /etc/hosts does not say so. */
const LOOPBACK = ['127.0.0.1', '::1'];

export class ResolveTimeoutError extends Error {
  readonly code = 'ERESOLVETIMEOUT';
}

/**
 * Resolves webhook hosts off libuv's thread pool and within a bound: `dns.lookup` runs
 * getaddrinfo on the pool's 4 threads with no timeout of its own, so a few names whose
 * nameserver never answers stall every other lookup (and file access) for seconds. c-ares
 * (`dns.Resolver`) runs on the event loop. Literal IPs and /etc/hosts are answered first,
 * as getaddrinfo does; DNS search domains are not applied.
 */
@Injectable()
export class HostResolver {
  private readonly resolver = new Resolver({ timeout: TRY_TIMEOUT_MS, tries: TRIES });
  private readonly hosts = new HostsFile();

  constructor(@Inject(deliveryConfig.KEY) config: ConfigType<typeof deliveryConfig>) {
    const { dnsServers } = config.webhook;
    if (dnsServers.length > 0) this.resolver.setServers(dnsServers);
  }

  /** Every address of `hostname` (brackets around an IPv6 literal allowed); never empty. */
  async addresses(hostname: string): Promise<string[]> {
    const host = hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
    if (isIP(host)) return [host];
    const pinned = await this.hosts.addresses(host);
    if (pinned.length > 0) return [...pinned];
    if (host.toLowerCase() === 'localhost') return [...LOOPBACK];
    return withTimeout(this.fromDns(host), host);
  }

  private async fromDns(host: string): Promise<string[]> {
    const answers = await Promise.allSettled([
      this.resolver.resolve4(host),
      this.resolver.resolve6(host),
    ]);
    const addresses = answers.flatMap((answer) =>
      answer.status === 'fulfilled' ? answer.value : [],
    );
    if (addresses.length > 0) return addresses;
    // ENODATA for one family says little; the other family's error says more.
    const reasons = answers.map((answer) => (answer as PromiseRejectedResult).reason as Error);
    throw reasons.find((reason) => (reason as { code?: string }).code !== 'ENODATA') ?? reasons[0];
  }
}

function withTimeout(resolving: Promise<string[]>, host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new ResolveTimeoutError(`${host} did not resolve within ${RESOLVE_TIMEOUT_MS} ms`)),
      RESOLVE_TIMEOUT_MS,
    );
  });
  // c-ares gives up on its own a little later; its late answer is dropped.
  resolving.catch(() => undefined);
  return Promise.race([resolving, timeout]).finally(() => clearTimeout(timer));
}
