import { requestIdFrom } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFrom', () => {
  it.each(['abc-123', '7fa624bd-bb22-48b9-9f04-2966bf021a83', 'trace:span.1_2', 'a'.repeat(128)])(
    "keeps the caller's sane x-request-id %s",
    (header) => {
      expect(requestIdFrom(header)).toBe(header);
    },
  );

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['too long', 'a'.repeat(129)],
    ['with spaces', 'a b'],
    ['with a quote', 'a"b'],
    ['with a newline', 'a\nb'],
    ['repeated', ['abc', 'def']],
  ])('makes a new UUID when the header is %s', (_case, header) => {
    expect(requestIdFrom(header)).toMatch(UUID);
  });
});
