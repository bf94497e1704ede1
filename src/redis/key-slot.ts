/** Redis Cluster's hash slots. */
const SLOTS = 16384;

/**
 * The cluster slot of `key`, as Redis computes it (CLUSTER KEYSLOT): CRC16/XMODEM of the
 * key's UTF-8 bytes, or of its hash tag (the text between the first `{` and the next `}`,
 * when not empty), modulo 16384.
 */
export function keySlot(key: string): number {
  return crc16(Buffer.from(hashTagged(key))) % SLOTS;
}

function hashTagged(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}
