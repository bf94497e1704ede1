import ipaddr from 'ipaddr.js';
import { ValidateBy, ValidationOptions } from 'class-validator';

/** Fastify's `trustProxy`: every hop, that many hops, or the proxies at these addresses. */
export type TrustProxy = boolean | number | string[];

/** proxy-addr's names for address ranges, which Fastify's `trustProxy` accepts in a list. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY as Fastify takes it: `false` (the default) trusts no proxy, so the client
 * address is the peer's and `X-Forwarded-For` is ignored; `true` trusts every hop; a number
 * trusts that many hops from the peer; a comma-separated list trusts the proxies at those
 * addresses or CIDR ranges. Undefined for a value that is none of these.
 */
export function parseTrustProxy(raw: string): TrustProxy | undefined {
  const value = raw.trim();
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d{1,3}$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  return entries.every(isAddressOrRange) ? entries : undefined;
}

function isAddressOrRange(entry: string): boolean {
  if (RANGE_NAMES.has(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  if (rest.length > 0 || !isAddress(address)) return false;
  if (bits === undefined) return true;
  const maxBits = address.includes(':') ? 128 : 32;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= maxBits;
}

/** Dotted-quad IPv4 or IPv6: not the legacy shorthands (`1.5`) that ipaddr.js also reads. */
function isAddress(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);
}

export function IsTrustProxy(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTrustProxy',
      validator: {
        validate: (value) => typeof value === 'string' && parseTrustProxy(value) !== undefined,
        defaultMessage: (args) =>
          `${args?.property} must be true, false, a number of hops, or a comma-separated list of addresses or CIDR ranges`,
      },
    },
    options,
  );
}

/**
 * The option to hand Fastify. Fastify 5 now reads a bare number as "trust nothing" (it
 * cannot check the peer); TRUST_PROXY=<n> keeps its documented meaning, the n hops nearest
 * chime, through the function form that Fastify takes as it is.
 */
export function fastifyTrustProxy(
  option: TrustProxy,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof option !== 'number') return option;
  return (_address, hop) => hop < option;
}
