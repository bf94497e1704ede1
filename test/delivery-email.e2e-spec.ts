import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChimeProcess, startChime } from './support/chime-process.js';
import {
  replayMinute,
  subscribeDueNow,
  uniqueUser,
  waitForRecord,
} from './support/delivery-api.js';
import { parseMessage, SmtpSink } from './support/smtp-sink.js';
import { waitFor } from './support/wait-for.js';

/** Hooks start or stop whole processes: more than jest's default 5 s on a busy machine. */
const HOOK_TIMEOUT_MS = 30_000;
const MAIL_FROM = 'chime@example.com';

describe('email delivery', () => {
  const outboxDir = mkdtempSync(join(tmpdir(), 'chime-outbox-'));
  let smtp: SmtpSink;
  let viaSmtp: ChimeProcess;
  let viaOutbox: ChimeProcess;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    [viaSmtp, viaOutbox] = await Promise.all([
      startChime({ SMTP_URL: smtp.url, MAIL_FROM }),
      startChime({ MAIL_OUTBOX_DIR: outboxDir, MAIL_FROM }),
    ]);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([viaSmtp?.stop(), viaOutbox?.stop()]);
    await smtp?.stop();
    rmSync(outboxDir, { recursive: true, force: true });
  }, HOOK_TIMEOUT_MS);

  it('sends the message over SMTP from MAIL_FROM, subject the title, with X-Chime-Occurrence', async () => {
    const userId = uniqueUser('smtp');
    const due = await subscribeDueNow(viaSmtp, userId, 'digest', {
      channel: 'email',
      target: 'grace@example.org',
      title: 'Your daily digest',
      message: 'Three new items are waiting for you.',
    });
    await replayMinute(viaSmtp, due.instant);

    const [mail] = await smtp.waitForMessages(1);
    await waitForRecord(viaSmtp, userId, (record) => record.status === 'delivered');

    expect(mail.rcptTo).toEqual(['grace@example.org']);
    expect(mail.mailFrom).toBe(MAIL_FROM);
    expect(mail.headers.to).toContain('grace@example.org');
    expect(mail.headers.from).toContain(MAIL_FROM);
    expect(mail.headers.subject).toBe('Your daily digest');
    expect(mail.headers['x-chime-occurrence']).toBe(due.occurrenceId);
    expect(mail.text.trim()).toBe('Three new items are waiting for you.');
    expect(smtp.messages()).toHaveLength(1);
  });

  it('writes an .eml file to MAIL_OUTBOX_DIR when SMTP_URL is unset', async () => {
    const userId = uniqueUser('outbox');
    const due = await subscribeDueNow(viaOutbox, userId, 'digest', {
      channel: 'email',
      target: 'grace@example.org',
      title: 'Outbox digest',
      message: 'Written to a file instead of sent.',
    });
    await replayMinute(viaOutbox, due.instant);

    const emlFiles = () => readdirSync(outboxDir).filter((name) => name.endsWith('.eml'));
    await waitFor(
      () => emlFiles().length > 0,
      15_000,
      () => `an .eml file in ${outboxDir}`,
    );
    const mail = parseMessage(readFileSync(join(outboxDir, emlFiles()[0]), 'utf8'));

    expect(emlFiles()).toHaveLength(1);
    expect(mail.headers.subject).toBe('Outbox digest');
    expect(mail.headers['x-chime-occurrence']).toBe(due.occurrenceId);
    expect(mail.headers.to).toContain('grace@example.org');
    expect(mail.headers.from).toContain(MAIL_FROM);
    expect(mail.text.trim()).toBe('Written to a file instead of sent.');
  });
});
