import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

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
export async function privateHostProblem(hostname: string): Promise<string | null> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host)
      ? [host]
      : (await lookup(host, { all: true })).map((entry) => entry.address);
  } catch {
    return `target host "${host}" does not resolve`;
  }
  return addresses.every(isPublicAddress)
    ? null
    : `target "${host}" is a loopback, private or link-local address (set WEBHOOK_ALLOW_PRIVATE=true to allow)`;
}
