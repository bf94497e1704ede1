import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { HostResolver, ResolveTimeoutError } from './host-resolver.js';

/** Loopback, private, link-local and the like: addresses a webhook must not reach by default. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

/** Why the host cannot be a webhook target, or null when all its addresses are public. */
export async function privateHostProblem(
  hostname: string,
  resolver: HostResolver,
): Promise<string | null> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  try {
    addresses = await resolver.addresses(host);
  } catch (error) {
    return error instanceof ResolveTimeoutError
      ? `target host "${host}" did not resolve in time (its DNS servers did not answer); try again later`
      : `target host "${host}" does not resolve`;
  }
  return addresses.every(isPublicAddress)
    ? null
    : `target "${host}" is a loopback, private or link-local address (set WEBHOOK_ALLOW_PRIVATE=true to allow)`;
}

/** A connect-time refusal: never retried, since the same DNS answer refuses it again. */
export class PrivateAddressError extends Error {}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `net.connect` lookup through `resolver` that refuses private addresses unless allowed:
 * DNS can change after subscribe time, so addresses are checked again when connecting.
 */
export function guardedLookup(resolver: HostResolver, allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const family = familyNumber(options.family);
    const answer = (addresses: string[]) => {
      const refused = allowPrivate ? undefined : addresses.find((entry) => !isPublicAddress(entry));
      if (refused) {
        const problem = new PrivateAddressError(
          `${hostname} resolves to ${refused}, a private address`,
        );
        return callback(problem as NodeJS.ErrnoException, []);
      }
      const entries = addresses
        .map((address) => ({ address, family: isIP(address) }))
        .filter((entry) => !family || entry.family === family);
      if (entries.length === 0) return callback(noAddress(hostname, family), []);
      if (options.all) return callback(null, entries);
      callback(null, entries[0].address, entries[0].family);
    };
    resolver
      .addresses(hostname)
      .then(answer, (error: NodeJS.ErrnoException) => callback(error, []));
  };
}

function noAddress(hostname: string, family: number | undefined): NodeJS.ErrnoException {
  return Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' });
}

function familyNumber(family: LookupOptions['family']): number {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return family ?? 0;
}
