import { ReplyError } from 'ioredis';
import { createLogger } from './logger.factory.js';

const URL = 'https://hooks.example.net/secret-path-4f2a';

/** An error as ioredis makes it for a refused command. */
function replyError(message: string, args: string[]): Error {
  const error = new ReplyError(message) as Error & { command?: unknown };
  error.command = { name: 'evalsha', args };
  return error;
}

function logged(fields: Record<string, unknown>): { line: string; record: any } {
  const lines: string[] = [];
  createLogger('info', { write: (line: string) => void lines.push(line) }).error(fields, 'failed');
  return { line: lines[0], record: JSON.parse(lines[0]) };
}

describe('error serializer', () => {
  it("keeps a Redis error's message, type and command name, never its arguments", () => {
    const { line, record } = logged({
      err: replyError('NOREPLICAS Not enough good replicas', ['sha', URL]),
    });

    expect(line).not.toContain('secret-path-4f2a');
    expect(record.err).toMatchObject({
      type: 'ReplyError',
      message: 'NOREPLICAS Not enough good replicas',
      command: { name: 'evalsha' },
    });
    expect(record.err.command.args).toBeUndefined();
    expect(record.err.stack).toContain('NOREPLICAS');
  });

  it('drops the arguments under `error`, in causes and in the previous errors of a MULTI', () => {
    const exec = new Error('EXECABORT Transaction discarded') as Error & Record<string, unknown>;
    exec.previousErrors = [replyError('ERR one', ['SET', 'k', URL])];
    const wrapped = new Error('save failed', { cause: replyError('ERR two', ['HSET', URL]) });
    const aggregate = new AggregateError([replyError('ERR three', [URL])], 'many');

    for (const fields of [{ error: exec }, { err: exec }, { err: wrapped }, { err: aggregate }]) {
      expect(logged(fields).line).not.toContain('secret-path-4f2a');
    }
    expect(logged({ err: exec }).record.err.previousErrors[0]).toMatchObject({
      message: 'ERR one',
      command: { name: 'evalsha' },
    });
  });

  it('leaves other errors and non-errors as pino writes them', () => {
    const error = Object.assign(new Error('plain'), { code: 'E_PLAIN' });
    expect(logged({ err: error }).record.err).toMatchObject({
      type: 'Error',
      message: 'plain',
      code: 'E_PLAIN',
    });
    expect(logged({ err: 'just text' }).record.err).toBe('just text');
  });
});
