import { Logger } from '@nestjs/common';
import { createLogger } from './logger.factory.js';
import { NestPinoLogger } from './nest-pino.logger.js';

function capture(level: Parameters<typeof createLogger>[0] = 'trace') {
  const lines: string[] = [];
  const logger = new NestPinoLogger(
    createLogger(level, { write: (line: string) => void lines.push(line) }),
  );
  return { logger, records: () => lines.map((line) => JSON.parse(line)) };
}

describe('NestPinoLogger', () => {
  it('maps Nest levels to pino levels and keeps the context as a field', () => {
    const { logger, records } = capture();
    logger.log('started', 'NestApplication');
    logger.warn('careful', 'Auth');
    logger.debug('details', 'Scheduler');
    logger.verbose('more', 'Scheduler');
    logger.fatal('gone', 'Main');

    expect(records()).toEqual([
      expect.objectContaining({ level: 'info', context: 'NestApplication', msg: 'started' }),
      expect.objectContaining({ level: 'warn', context: 'Auth', msg: 'careful' }),
      expect.objectContaining({ level: 'debug', context: 'Scheduler', msg: 'details' }),
      expect.objectContaining({ level: 'trace', context: 'Scheduler', msg: 'more' }),
      expect.objectContaining({ level: 'fatal', context: 'Main', msg: 'gone' }),
    ]);
  });

  it("takes Nest's error(message, stack, context) and an Error under err", () => {
    const { logger, records } = capture();
    const error = new Error('exploded');
    logger.error('failed', error.stack, 'Worker');
    logger.error(error, 'Worker');

    const [withStack, withError] = records();
    expect(withStack).toMatchObject({ level: 'error', context: 'Worker', msg: 'failed' });
    expect(withStack.stack).toContain('exploded');
    expect(withError).toMatchObject({
      context: 'Worker',
      msg: 'exploded',
      err: { message: 'exploded' },
    });
  });

  it('merges an object message into the line, with a message after it', () => {
    const { logger, records } = capture();
    logger.error({ correlationId: 'c-1', err: new Error('x') }, 'unhandled error', 'Filter');
    logger.log({ msg: 'notification', userId: 'u1' }, 'LogChannel');

    expect(records()).toEqual([
      expect.objectContaining({ correlationId: 'c-1', msg: 'unhandled error', context: 'Filter' }),
      expect.objectContaining({ msg: 'notification', userId: 'u1', context: 'LogChannel' }),
    ]);
  });

  it('serves `new Logger(Context)` once installed, masking what it logs', () => {
    const { logger, records } = capture('info');
    Logger.overrideLogger(logger);
    try {
      new Logger('Mail').log('sent to ada@example.com');
      new Logger('Mail').debug('below the level');
    } finally {
      Logger.overrideLogger(true);
    }

    expect(records()).toEqual([
      expect.objectContaining({ level: 'info', context: 'Mail', msg: 'sent to a***@example.com' }),
    ]);
  });
});
