// Type-checks the provisioned dashboards against the Grafana dashboard schema:
//   npm ci && npx tsc --noEmit -p .
// (dashboards/src/test/java/.../GrafanaSchemaTest runs this from Maven.)
import type { DashboardJson } from './dashboard-type';
import overview from '../grafana/streamvae-overview.json';
import streamsJvm from '../grafana/streamvae-streams-jvm.json';

export const dashboards: DashboardJson[] = [overview, streamsJvm];
