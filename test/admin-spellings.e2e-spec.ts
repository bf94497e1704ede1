import { ADMIN_TOKEN, API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import { rawRequest } from './support/raw-http.js';

/**
 * Every way a client can spell a path that some router might take for `path`: percent-encoded
 * letters and slashes in both cases, doubled slashes, dot segments, a trailing slash, `;`
 * parameters and the absolute form of the request target.
 */
function spellingsOf(path: string): string[] {
  const segments = path.split('/').filter(Boolean);
  const encodeFirstLetter = (segment: string, upper: boolean): string => {
    const hex = segment.charCodeAt(0).toString(16);
    return `%${upper ? hex.toUpperCase() : hex}${segment.slice(1)}`;
  };
  const withSegment = (index: number, spelled: string): string =>
    `/${segments.map((segment, at) => (at === index ? spelled : segment)).join('/')}`;
  const spellings = new Set<string>([
    path,
    `${path}/`,
    `/${path}`,
    `/.${path}`,
    path.replace('/admin/', '/admin//'),
    path.replace('/admin/', '/admin/./'),
    path.replace('/admin/', '/x/../admin/'),
    path.replace('/admin/', '/admin%2F'),
    path.replace('/admin/', '/admin%2f'),
    path.replace('/admin/', '/admin;a=b/'),
    `${path};jsessionid=1`,
    `${path}?x=1`,
    `http://chime.example${path}`,
    `http://chime.example${path.replace('/admin/', '/admin/%2e/')}`,
  ]);
  segments.forEach((segment, index) => {
    spellings.add(withSegment(index, encodeFirstLetter(segment, false)));
    spellings.add(withSegment(index, encodeFirstLetter(segment, true)));
    spellings.add(
      withSegment(
        index,
        encodeURIComponent(segment).replace(/./g, (c) => `%${c.charCodeAt(0).toString(16)}`),
      ),
    );
  });
  return [...spellings];
}

const ADMIN_ROUTES: ReadonlyArray<readonly [string, string]> = [
  ['GET', '/admin/queues'],
  ['GET', '/admin/queues/api/queues'],
  ['PUT', '/admin/queues/api/queues/group0-deliveries/pause'],
  ['PUT', '/admin/queues/api/queues/group3-deliveries/empty'],
  ['GET', '/admin/health'],
  ['GET', '/admin/stats'],
  ['GET', '/admin/deliveries'],
  ['GET', '/admin/dead-letters'],
  ['POST', '/admin/dead-letters/x/retry'],
  ['POST', '/admin/ticks'],
];

describe('the admin surface has no side door', () => {
  let chime: ChimeProcess;

  beforeAll(async () => {
    chime = await startChime();
  });

  afterAll(async () => {
    await chime.stop();
  });

  it('answers the dashboard given the admin token, so the refusals below are not 404s by accident', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const api = await rawRequest(chime.baseUrl, 'GET', '/admin/queues/api/queues', auth);
    expect(api.status).toBe(200);
    expect(api.body).toContain('deliveries');
    const encoded = await rawRequest(chime.baseUrl, 'GET', '/admin/%71ueues/api/queues', auth);
    expect(encoded.status).toBe(200);
  });

  it.each(ADMIN_ROUTES)(
    'refuses %s %s however the path is spelled, with no token, the API token or a wrong one',
    async (method, path) => {
      const credentials: Array<Record<string, string>> = [
        {},
        { authorization: `Bearer ${API_TOKEN}` },
        { authorization: 'Bearer wrong' },
        { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` },
      ];
      const opened: string[] = [];
      for (const target of spellingsOf(path)) {
        for (const verb of [method, 'HEAD', 'OPTIONS']) {
          for (const headers of credentials) {
            const answer = await rawRequest(chime.baseUrl, verb, target, headers);
            if (answer.status < 400) opened.push(`${verb} ${target} -> ${answer.status}`);
          }
        }
      }
      expect(opened).toEqual([]);
    },
  );

  it('left every queue running and its jobs in place after every refused request', async () => {
    const answer = await rawRequest(chime.baseUrl, 'GET', '/admin/queues/api/queues', {
      authorization: `Bearer ${ADMIN_TOKEN}`,
    });
    const queues = JSON.parse(answer.body).queues as Array<{ name: string; isPaused: boolean }>;
    // DELIVERY_QUEUES' default: four queues, one per group of buckets.
    expect(queues.map(({ name, isPaused }) => [name, isPaused])).toEqual(
      [0, 1, 2, 3].map((group) => [`group${group}-deliveries`, false]),
    );
  });
});
