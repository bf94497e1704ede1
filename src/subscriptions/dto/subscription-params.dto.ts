import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

const ID_PATTERN = /^[A-Za-z0-9_.:@+-]{1,128}$/;
const idRule = (field: string) => ({
  message: `${field} must be 1-128 characters of A-Z a-z 0-9 _ . : @ + -`,
});

export class UserParams {
  @ApiProperty({ example: 'user-42', pattern: ID_PATTERN.source })
  @Matches(ID_PATTERN, idRule('userId'))
  userId!: string;
}

export class SubscriptionParams extends UserParams {
  @ApiProperty({ example: 'morning-news', pattern: ID_PATTERN.source })
  @Matches(ID_PATTERN, idRule('tag'))
  tag!: string;
}
