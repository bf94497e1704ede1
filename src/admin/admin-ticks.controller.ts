import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireToken } from '../access/require-token.decorator.js';
import { ErrorResponse } from '../common/error.response.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { TickResultResponse, TickWindowDto } from './dto/tick-window.dto.js';

@ApiTags('admin')
@RequireToken('admin')
@Controller('admin/ticks')
export class AdminTicksController {
  constructor(private readonly scheduler: SchedulerService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay a window: process every occurrence whose instant is in [from, to) now',
    description:
      "Goes through the tick's own code path. Occurrences claimed before count as duplicates, so replaying a window twice enqueues nothing the second time.",
  })
  @ApiOkResponse({ type: TickResultResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  replay(@Body() { from, to }: TickWindowDto): Promise<TickResultResponse> {
    return this.scheduler.replay(new Date(from), new Date(to));
  }
}
