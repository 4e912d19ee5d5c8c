import client from 'prom-client';
import { metricsRegistry } from '@leadline/platform';

// Module-level so that several app instances in one process (tests, all-in-one start) share one registration.
export const commandDuration = new client.Histogram({
  name: 'leadline_command_duration_seconds',
  help: 'Time to handle a write command, from authentication to answer',
  labelNames: ['command', 'outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const appendDuration = new client.Histogram({
  name: 'leadline_append_duration_seconds',
  help: 'Time of one event store append',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [metricsRegistry],
});

export const commandConflicts = new client.Counter({
  name: 'leadline_command_conflicts_total',
  help: 'Version conflicts met by the command handler; outcome=retried when it re-decided on fresh state, rejected when it answered 409',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});
