import { fastifyTrustProxy, parseTrustProxy } from './trust-proxy.js';

describe('parseTrustProxy', () => {
  it.each([
    ['false', false],
    ['true', true],
    ['0', 0],
    ['1', 1],
    ['3', 3],
    ['127.0.0.1', ['127.0.0.1']],
    ['10.0.0.0/8, 192.168.0.0/16', ['10.0.0.0/8', '192.168.0.0/16']],
    ['::1,fd00::/8', ['::1', 'fd00::/8']],
    ['loopback,10.1.2.3', ['loopback', '10.1.2.3']],
  ])("gives Fastify's trustProxy for %s", (raw, option) => {
    expect(parseTrustProxy(raw)).toEqual(option);
  });

  it.each([
    '',
    'yes',
    'TRUE',
    '-1',
    '1.5',
    '10.0.0.0/33',
    'proxy.example.com',
    '10.0.0.1,,10.0.0.2',
  ])('refuses %j', (raw) => {
    expect(parseTrustProxy(raw)).toBeUndefined();
  });
});

describe('fastifyTrustProxy', () => {
  it('passes booleans and lists as they are', () => {
    expect(fastifyTrustProxy(false)).toBe(false);
    expect(fastifyTrustProxy(true)).toBe(true);
    expect(fastifyTrustProxy(['10.0.0.0/8'])).toEqual(['10.0.0.0/8']);
  });

  it('trusts the n hops nearest chime for a number', () => {
    const trust = fastifyTrustProxy(2) as (address: string, hop: number) => boolean;
    expect([0, 1, 2, 3].map((hop) => trust('203.0.113.9', hop))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    const none = fastifyTrustProxy(0) as (address: string, hop: number) => boolean;
    expect(none('127.0.0.1', 0)).toBe(false);
  });
});
