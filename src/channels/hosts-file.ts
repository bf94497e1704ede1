import { readFile } from 'node:fs/promises';

const HOSTS_PATH = '/etc/hosts';
/** The file is read again at most this often, as a resolver re-reads it without a restart. */
const HOSTS_TTL_MS = 5_000;

/**
 * The addresses /etc/hosts gives names, as getaddrinfo reads it: DNS resolvers never look
 * there, and `localhost` and names an operator pins live in it.
 */
export class HostsFile {
  private entries: Promise<ReadonlyMap<string, readonly string[]>> | null = null;
  private readAt = 0;

  constructor(private readonly path = HOSTS_PATH) {}

  /** The addresses listed for `name`, in file order; empty when none. */
  async addresses(name: string): Promise<readonly string[]> {
    const now = Date.now();
    if (!this.entries || now - this.readAt > HOSTS_TTL_MS) {
      this.readAt = now;
      this.entries = readFile(this.path, 'utf8').then(parseHosts, () => new Map());
    }
    return (await this.entries).get(name.toLowerCase()) ?? [];
  }
}

export function parseHosts(text: string): ReadonlyMap<string, readonly string[]> {
  const byName = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    for (const name of address ? names : []) {
      const known = byName.get(name.toLowerCase()) ?? [];
      if (!known.includes(address)) known.push(address);
      byName.set(name.toLowerCase(), known);
    }
  }
  return byName;
}
