import { keySlot } from './key-slot.js';

// Expected slots are what redis-server 7.0's CLUSTER KEYSLOT answers for each key.
describe('keySlot', () => {
  it('gives the slot Redis gives a plain key', () => {
    // CRC16/XMODEM's check value for "123456789" is 0x31C3.
    expect(keySlot('123456789')).toBe(12739);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('')).toBe(0);
  });

  it('hashes only the hash tag: the text between the first { and the next }', () => {
    expect(keySlot('chime:{7}:subs:UTC')).toBe(1716);
    expect(keySlot('{user1000}.following')).toBe(3443);
    expect(keySlot('foo{{bar}}zap')).toBe(4015);
  });

  it('hashes the whole key when the tag is empty or unclosed', () => {
    expect(keySlot('foo{}{bar}')).toBe(8363);
    expect(keySlot('foo{bar')).toBe(15278);
  });

  it('hashes UTF-8 bytes, not UTF-16 code units', () => {
    expect(keySlot('é')).toBe(10180);
  });
});
