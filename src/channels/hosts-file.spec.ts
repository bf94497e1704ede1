import { parseHosts } from './hosts-file.js';

describe('parseHosts', () => {
  it('lists every address of a name in file order, ignoring comments, case and repeats', () => {
    const hosts = parseHosts(
      [
        '# comment 10.0.0.9 commented',
        '127.0.0.1 localhost  Pinned.example # trailing',
        '::1\tlocalhost ip6-localhost',
        '127.0.0.1 localhost',
        '',
      ].join('\n'),
    );
    expect(hosts.get('localhost')).toEqual(['127.0.0.1', '::1']);
    expect(hosts.get('pinned.example')).toEqual(['127.0.0.1']);
    expect(hosts.get('commented')).toBeUndefined();
  });
});
