import { metricsRegistry } from '@leadline/platform';
import client from 'prom-client';

const NAME = 'leadline_live_clients';

/** One gauge per process, shared by every query app registered in it. */
export const liveClientsGauge: client.Gauge =
  (metricsRegistry.getSingleMetric(NAME) as client.Gauge | undefined) ??
  new client.Gauge({ name: NAME, help: 'WebSocket clients connected to the live hub', registers: [metricsRegistry] });
