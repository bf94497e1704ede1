/** One scrape of chime's `GET /metrics` (of every replica), read by metric name and labels. */
export class Scrape {
  private constructor(private readonly lines: string[]) {}

  /** Scrapes every replica; values are summed over them. */
  static async of(baseUrls: readonly string[]): Promise<Scrape> {
    const texts = await Promise.all(
      baseUrls.map(async (baseUrl) => {
        const response = await fetch(`${baseUrl}/metrics`);
        if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
        return response.text();
      }),
    );
    const lines = texts.flatMap((text) => text.split('\n'));
    return new Scrape(lines.filter((line) => line && !line.startsWith('#')));
  }

  /** The sum of every series of `name` whose labels include all of `labels`. */
  value(name: string, labels: Record<string, string> = {}): number {
    const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
    let sum = 0;
    for (const line of this.lines) {
      const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      if (wanted.every((pair) => (match[2] ?? '').includes(pair))) sum += Number(match[3]);
    }
    return sum;
  }

  /** Series of `name` by the value of one label, e.g. deliveries by outcome. */
  byLabel(name: string, label: string): Map<string, number> {
    const found = new Map<string, number>();
    for (const line of this.lines) {
      const match = new RegExp(`^${name}\\{[^}]*${label}="([^"]*)"[^}]*\\} (\\S+)$`).exec(line);
      if (match) found.set(match[1], (found.get(match[1]) ?? 0) + Number(match[2]));
    }
    return found;
  }
}
