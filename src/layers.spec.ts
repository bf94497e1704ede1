import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { unlayeredFolders } from '../eslint.layers.js';

/** Lints `code` as if it were the file at `filePath` and returns the rules it breaks. */
async function brokenRules(filePath: string, code: string): Promise<string[]> {
  const [result] = await new ESLint().lintText(code, { filePath });
  return result.messages.map((message) => message.ruleId ?? message.message);
}

describe('the layering that npm run lint enforces', () => {
  it('refuses an import from a higher layer', async () => {
    const code =
      "import { SchedulerService } from '../scheduler/scheduler.service.js';\nexport type S = SchedulerService;\n";
    expect(await brokenRules('src/store/planted.ts', code)).toContain('boundaries/dependencies');
  });

  it('refuses an import between two folders of the same layer', async () => {
    const code =
      "import { ChannelRegistry } from '../channels/channel.registry.js';\nexport type C = ChannelRegistry;\n";
    expect(await brokenRules('src/access/planted.ts', code)).toContain('boundaries/dependencies');
  });

  it('refuses a framework import in the domain', async () => {
    const code = "import { Injectable } from '@nestjs/common';\nexport const i = Injectable;\n";
    expect(await brokenRules('src/domain/planted.ts', code)).toContain('no-restricted-imports');
  });

  it('accepts an import from a lower layer', async () => {
    const code = "import { Clock } from '../common/clock.js';\nexport type C = Clock;\n";
    expect(await brokenRules('src/scheduler/planted.ts', code)).toEqual([]);
  });

  it('refuses a layer that imports the composition root', async () => {
    const code =
      "import { BODY_LIMIT_BYTES } from '../app.setup.js';\nexport const b = BODY_LIMIT_BYTES;\n";
    expect(await brokenRules('src/admin/planted.ts', code)).toContain('boundaries/dependencies');
  });

  it('names a folder of src/ that is in no layer', () => {
    const src = mkdtempSync(join(tmpdir(), 'chime-layers-'));
    try {
      for (const folder of ['domain', 'store', 'misc']) mkdirSync(join(src, folder));
      expect(unlayeredFolders(src)).toEqual(['misc']);
    } finally {
      rmSync(src, { recursive: true });
    }
  });
});
