import { Global, Module } from '@nestjs/common';
import { ChimeMetrics } from './chime-metrics.js';

/** The metrics themselves, for every feature to count into. */
@Global()
@Module({ providers: [ChimeMetrics], exports: [ChimeMetrics] })
export class MetricsRegistryModule {}
