import { existsSync, readFileSync } from 'node:fs';
import { IANAZone } from 'luxon';
import { IANA_LINKS, IANA_ZONES, TZDATA_VERSION } from './iana-zones.js';
import { canonicalTimezone, ianaTimezone, isKnownTimezone } from './timezone.js';

const TZDATA_ZI = '/usr/share/zoneinfo/tzdata.zi';

interface Tzdata {
  readonly source: string;
  readonly zones: readonly string[];
  readonly links: readonly (readonly [string, string])[];
}

/** This machine's tzdata when it is the release the names were generated from, else theirs. */
function tzdata(): Tzdata {
  const text = existsSync(TZDATA_ZI) ? readFileSync(TZDATA_ZI, 'utf8') : '';
  if (!text.includes(`# version ${TZDATA_VERSION}\n`)) {
    return { source: 'the shipped names', zones: IANA_ZONES, links: IANA_LINKS };
  }
  const lines = text.split('\n').map((line) => line.split(/\s+/));
  return {
    source: TZDATA_ZI,
    zones: lines.filter(([kind]) => kind === 'Z').map(([, zone]) => zone),
    links: lines.filter(([kind]) => kind === 'L').map(([, target, link]) => [link, target]),
  };
}

const { source, zones, links } = tzdata();
/** chime's one exception to tzdata: the Etc/UTC zone is spelled `UTC` (SPEC 1's example). */
const spelled = (zone: string) => (zone === 'Etc/UTC' ? 'UTC' : zone);
const runtimeZones = zones.filter((zone) => IANAZone.isValidZone(zone));

describe(`timezone names from tzdata ${TZDATA_VERSION} (${source})`, () => {
  it('has a few hundred zones and links to check', () => {
    expect(runtimeZones.length).toBeGreaterThan(300);
    expect(links.length).toBeGreaterThan(100);
  });

  it('ships exactly the zones and links of this tzdata', () => {
    expect([...IANA_ZONES].sort()).toEqual([...zones].sort());
    expect(new Map(IANA_LINKS)).toEqual(new Map(links));
  });

  it('answers every canonical zone as itself, in any case, and luxon can use it', () => {
    for (const zone of runtimeZones) {
      expect([zone, canonicalTimezone(zone)]).toEqual([zone, spelled(zone)]);
      expect([zone, canonicalTimezone(zone.toLowerCase())]).toEqual([zone, spelled(zone)]);
      expect([zone, canonicalTimezone(zone.toUpperCase())]).toEqual([zone, spelled(zone)]);
      expect([zone, IANAZone.isValidZone(canonicalTimezone(zone))]).toEqual([zone, true]);
    }
  });

  it('answers every link as the zone it names, and luxon can use it', () => {
    for (const [link, target] of links) {
      expect([link, isKnownTimezone(link)]).toEqual([link, true]);
      expect([link, canonicalTimezone(link)]).toEqual([link, spelled(target)]);
      expect([link, canonicalTimezone(link.toLowerCase())]).toEqual([link, spelled(target)]);
      expect([link, IANAZone.isValidZone(canonicalTimezone(link))]).toEqual([link, true]);
    }
  });

  it('refuses a tzdata zone the runtime cannot compute with (Factory)', () => {
    const unusable = zones.filter((zone) => !IANAZone.isValidZone(zone));
    expect(unusable).toContain('Factory');
    for (const zone of unusable) expect([zone, isKnownTimezone(zone)]).toEqual([zone, false]);
  });
});

describe('canonicalTimezone', () => {
  it.each([
    ['Asia/Kolkata', 'Asia/Kolkata'],
    ['Asia/Calcutta', 'Asia/Kolkata'],
    ['Europe/Kyiv', 'Europe/Kyiv'],
    ['Europe/Kiev', 'Europe/Kyiv'],
    ['US/Eastern', 'America/New_York'],
    ['asia/shanghai', 'Asia/Shanghai'],
    ['UTC', 'UTC'],
    ['utc', 'UTC'],
    ['Etc/UTC', 'UTC'],
    ['Zulu', 'UTC'],
    ['GMT', 'Etc/GMT'],
    ['Europe/Oslo', 'Europe/Oslo'],
  ])('answers %s as %s, where ICU may say otherwise', (given, answered) => {
    expect(canonicalTimezone(given)).toBe(answered);
  });

  it('keeps the runtime spelling of a name ICU has and tzdata does not (stored before)', () => {
    expect(IANAZone.isValidZone('SystemV/AST4')).toBe(true);
    expect(canonicalTimezone('SystemV/AST4')).toBe('SystemV/AST4');
  });
});

describe('isKnownTimezone', () => {
  it.each(['IST', 'SystemV/AST4', 'Mars/Olympus', '+05:00', '', 'Factory'])(
    'refuses %j: not an IANA name the runtime can use',
    (zone) => {
      expect(isKnownTimezone(zone)).toBe(false);
    },
  );

  it.each([5, null, undefined, {}])('refuses the non-string %j', (zone) => {
    expect(isKnownTimezone(zone)).toBe(false);
  });
});

describe('ianaTimezone on a runtime older than the shipped names', () => {
  const withoutKyiv = (zone: string) => zone !== 'Europe/Kyiv' && IANAZone.isValidZone(zone);

  it("answers a link the runtime's own way when the runtime lacks its target", () => {
    expect(ianaTimezone('Europe/Kiev', withoutKyiv)).toBe('Europe/Kiev');
  });

  it('refuses a zone the runtime lacks', () => {
    expect(ianaTimezone('Europe/Kyiv', withoutKyiv)).toBeUndefined();
  });
});
