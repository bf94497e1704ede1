import { schedulerConfig } from './configuration.js';

const tokens = { API_TOKEN: 'a'.repeat(16), ADMIN_TOKEN: 'b'.repeat(16) };

/** The scheduler namespace as chime reads it from this environment. */
function schedulerWith(variables: Record<string, string>) {
  const saved = process.env;
  process.env = { ...tokens, ...variables };
  try {
    return schedulerConfig();
  } finally {
    process.env = saved;
  }
}

describe('schedulerConfig', () => {
  it('derives a claim TTL that outlives a whole local day plus lookahead and catch-up', () => {
    const { lookaheadMinutes, catchupMinutes, dedupeTtlSeconds } = schedulerWith({});
    expect(lookaheadMinutes).toBe(4);
    expect(catchupMinutes).toBe(15);
    expect(dedupeTtlSeconds).toBeGreaterThanOrEqual(25 * 3600 + (4 + 15) * 60);
  });

  it('grows the derived TTL with the windows', () => {
    const { dedupeTtlSeconds } = schedulerWith({
      LOOKAHEAD_MINUTES: '60',
      CATCHUP_MINUTES: '1440',
    });
    expect(dedupeTtlSeconds).toBeGreaterThanOrEqual(25 * 3600 + (60 + 1440) * 60);
  });

  it('takes DEDUPE_TTL_SECONDS as given when set', () => {
    expect(schedulerWith({ DEDUPE_TTL_SECONDS: '7200' }).dedupeTtlSeconds).toBe(7200);
  });
});
