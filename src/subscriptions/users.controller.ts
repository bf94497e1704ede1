import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireToken } from '../access/require-token.decorator.js';
import { ErrorResponse } from '../common/error.response.js';
import { PolicyBody, PolicyResponse } from './dto/policy.dto.js';
import { UserParams } from './dto/subscription-params.dto.js';
import { PolicyService } from './policy.service.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@RequireToken('api')
@ApiBadRequestResponse({ type: ErrorResponse, description: 'Invalid input; the fields are named' })
@Controller('users')
export class UsersController {
  constructor(
    private readonly policies: PolicyService,
    private readonly users: UsersService,
  ) {}

  @Put(':userId/policy')
  @ApiOperation({
    summary: "Set the user's quiet hours and snooze, whole; held occurrences are planned again",
  })
  @ApiBody({
    type: PolicyBody,
    examples: {
      nights: {
        summary: 'Quiet at night, held until morning',
        value: {
          timezone: 'Europe/Paris',
          quietHours: [{ from: '22:00', to: '07:00' }],
          onQuiet: 'hold',
        },
      },
      holiday: {
        summary: 'Snoozed until a date, dropping what falls before',
        value: { snoozeUntil: '2027-01-04T08:00:00Z', onQuiet: 'drop' },
      },
    },
  })
  @ApiOkResponse({ type: PolicyResponse })
  put(@Param() { userId }: UserParams, @Body() body: unknown): Promise<PolicyResponse> {
    return this.policies.put(userId, body);
  }

  @Get(':userId/policy')
  @ApiOperation({ summary: "The user's policy; the defaults for a user who never set one" })
  @ApiOkResponse({ type: PolicyResponse })
  get(@Param() { userId }: UserParams): Promise<PolicyResponse> {
    return this.policies.get(userId);
  }

  @Delete(':userId/policy')
  @ApiOperation({ summary: 'Put the defaults back (no quiet hours, no snooze)' })
  @ApiOkResponse({ type: PolicyResponse, description: 'The defaults now in force' })
  delete(@Param() { userId }: UserParams): Promise<PolicyResponse> {
    return this.policies.delete(userId);
  }

  @Delete(':userId')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Erase everything chime holds about the user: subscriptions, policy, history, held ' +
      'occurrences, claims, delivery log entries, dead letters',
  })
  @ApiNoContentResponse({ description: 'Erased (also for an unknown user)' })
  erase(@Param() { userId }: UserParams): Promise<void> {
    return this.users.erase(userId);
  }
}
