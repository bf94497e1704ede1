import fc from 'fast-check';
import { WEEKDAYS } from './local-time.js';
import { validatePolicy } from './policy-validation.js';

const validate = (input: unknown) => validatePolicy(input, 'UTC');

describe('validatePolicy', () => {
  it('gives the defaults for an empty body: UTC, no quiet hours, hold, no snooze', () => {
    expect(validate({})).toEqual({
      policy: { timezone: 'UTC', quietHours: [], onQuiet: 'hold', snoozeUntil: null },
    });
  });

  it('reads a whole policy, spelling the zone as IANA does and giving omitted days all seven', () => {
    const { policy } = validate({
      timezone: 'US/Eastern',
      quietHours: [
        { from: '22:00', to: '07:00' },
        { from: '12:00', to: '13:00', days: ['sat'] },
      ],
      onQuiet: 'drop',
      snoozeUntil: '2026-03-08T09:30:00+05:45',
    });
    expect(policy).toEqual({
      timezone: 'America/New_York',
      quietHours: [
        { from: '22:00', to: '07:00', days: WEEKDAYS },
        { from: '12:00', to: '13:00', days: ['sat'] },
      ],
      onQuiet: 'drop',
      snoozeUntil: new Date('2026-03-08T03:45:00Z'),
    });
  });

  it('names every bad field at once', () => {
    expect(
      validate({
        timezone: 'Mars/Olympus',
        quietHours: [
          { from: '24:00', to: '7:00', days: [] },
          { from: '08:00', to: '08:00', days: ['mon', 'mon'] },
          { from: '09:00', to: '10:00', days: ['someday'], until: 'x' },
          'quiet',
        ],
        onQuiet: 'later',
        snoozeUntil: 'tomorrow',
        mood: 'calm',
      }).errors,
    ).toEqual([
      'property mood should not exist',
      'timezone must be an IANA time zone name such as Europe/Paris or UTC',
      'quietHours[0].from must be a time "HH:MM" from 00:00 to 23:59',
      'quietHours[0].to must be a time "HH:MM" from 00:00 to 23:59',
      'quietHours[0].days must name at least one day',
      'quietHours[1] must not start and end at the same time (from equals to)',
      'quietHours[1].days must not name a day twice',
      'property quietHours[2].until should not exist',
      'quietHours[2].days must hold only mon, tue, wed, thu, fri, sat, sun',
      'quietHours[3] must be an object {"from", "to", "days"}',
      'onQuiet must be one of: hold, drop',
      'snoozeUntil must be an ISO-8601 instant such as 2026-03-08T07:00:00Z, or null',
    ]);
  });

  it('refuses more than four windows', () => {
    const window = { from: '22:00', to: '07:00' };
    expect(validate({ quietHours: Array(5).fill(window) }).errors).toEqual([
      'quietHours must hold at most 4 windows, not 5',
    ]);
    expect(validate({ quietHours: Array(4).fill(window) }).policy).toBeDefined();
  });

  it('refuses a window that starts and ends at the same time, at any time of day', () => {
    const times = fc.integer({ min: 0, max: 1439 }).map((minute) => {
      const [hour, rest] = [Math.floor(minute / 60), minute % 60];
      return `${String(hour).padStart(2, '0')}:${String(rest).padStart(2, '0')}`;
    });
    fc.assert(
      fc.property(times, (time) => {
        expect(validate({ quietHours: [{ from: time, to: time }] }).errors).toEqual([
          'quietHours[0] must not start and end at the same time (from equals to)',
        ]);
      }),
    );
  });

  it.each([
    ['a local time without an offset', '2026-03-08T07:00:00'],
    ['a date alone', '2026-03-08'],
    ['a date that does not exist', '2026-02-30T07:00:00Z'],
    ['a number', 1772953200000],
    ['an invalid Date', new Date('nonsense')],
    ['an object', { at: '2026-03-08T07:00:00Z' }],
  ])('refuses as snoozeUntil %s', (_, snoozeUntil) => {
    expect(validate({ snoozeUntil }).errors).toEqual([
      'snoozeUntil must be an ISO-8601 instant such as 2026-03-08T07:00:00Z, or null',
    ]);
  });

  it('takes snoozeUntil as a Date or an ISO-8601 instant, and null as no snooze', () => {
    const instant = new Date('2026-03-08T07:00:00Z');
    expect(validate({ snoozeUntil: instant }).policy?.snoozeUntil).toEqual(instant);
    expect(validate({ snoozeUntil: '2026-03-08T07:00Z' }).policy?.snoozeUntil).toEqual(instant);
    expect(validate({ snoozeUntil: null }).policy?.snoozeUntil).toBeNull();
  });

  it('refuses a body that is no object, and quietHours that are no array', () => {
    expect(validate([]).errors).toEqual(['the policy must be a JSON object']);
    expect(validate(null).errors).toEqual(['the policy must be a JSON object']);
    expect(validate({ quietHours: { from: '22:00' } }).errors).toEqual([
      'quietHours must be an array of at most 4 windows',
    ]);
  });

  it('names prototype keys a JSON body carries as unknown fields', () => {
    const body = JSON.parse('{"__proto__": {"onQuiet": "drop"}, "constructor": 1}');
    expect(validate(body).errors).toEqual([
      'property __proto__ should not exist',
      'property constructor should not exist',
    ]);
  });

  it('refuses to hold under windows that cover the whole week; one free minute or dropping will do', () => {
    const quietHours = [
      { from: '00:00', to: '12:00' },
      { from: '12:00', to: '00:00' },
    ];
    expect(validate({ quietHours }).errors).toEqual([
      'quietHours must leave some minute of the week free when onQuiet is hold',
    ]);
    expect(validate({ quietHours, onQuiet: 'drop' }).policy).toBeDefined();
    const allButSunday = [
      { from: '00:00', to: '23:59', days: ['sun'] },
      ...quietHours.map((w) => ({ ...w, days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'] })),
    ];
    expect(validate({ quietHours: allButSunday }).policy).toBeDefined();
  });
});
