import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { StoreModule } from '../store/store.module.js';
import { HealthController } from './health.controller.js';

@Module({
  imports: [TerminusModule, StoreModule],
  controllers: [HealthController],
})
export class HealthModule {}
