// The Grafana dashboard JSON model from @grafana/schema, in the shape a JSON import has.
//
// `import x from './d.json'` (resolveJsonModule) types every JSON string as `string` and every
// number as `number`, never as a literal, so a valid dashboard cannot be assigned to the schema's
// enum- and literal-typed fields (FieldColorModeId, ThresholdsMode, MappingType, 'row', ...).
// JsonShaped<T> widens exactly those leaves to string/number/boolean and keeps everything else:
// which properties exist, which are required, and whether each is an object, array, string,
// number, boolean or null. Enum *values* are therefore not checked here.
import type { Dashboard } from '@grafana/schema';

export type JsonShaped<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T extends ReadonlyArray<infer U>
        ? Array<JsonShaped<U>>
        : T extends object
          ? { [K in keyof T]: JsonShaped<T[K]> }
          : T;

export type DashboardJson = JsonShaped<Dashboard>;
