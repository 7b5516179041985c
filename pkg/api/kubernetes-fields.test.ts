// Checks each schema against the Kubernetes OpenAPI models shipped in @kubernetes/client-node:
// every field Kubernetes has must be known to Skiff's schema, so that manifests written for
// Kubernetes are never refused with "unknown field" (unsupported features are refused by
// validation instead, with a clear message).
import test from 'ava';
import * as k8s from '@kubernetes/client-node';
import { bindingSchema } from './core/binding.js';
import { scaleSchema } from './autoscaling.js';
import { allKinds, fieldSchema, type Schema } from './index.js';
import { evictionSchema } from './policy.js';

type Attribute = { baseName: string; type: string };
const models = k8s as unknown as Record<string, { getAttributeTypeMap?: () => Attribute[] }>;

function modelOf(type: string): string | undefined {
  const list = /^Array<(.+)>$/.exec(type);
  if (list) return modelOf(list[1]);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return modelOf(map[1]);
  return models[type]?.getAttributeTypeMap ? type : undefined;
}

/** missingFields lists the model's fields (recursively) that the schema does not know. */
function missingFields(model: string, root: Schema, path: string): string[] {
  const missing: string[] = [];
  const walk = (m: string, s: Schema, p: string, depth: number): void => {
    while (s.type === 'list' || s.type === 'map') s = s.type === 'list' ? s.items : s.values;
    if (s.type !== 'object' || depth > 14) return;
    for (const a of models[m].getAttributeTypeMap!()) {
      const f = s.fields[a.baseName];
      if (!f) missing.push(`${p}.${a.baseName}`);
      else {
        const sub = modelOf(a.type);
        if (sub) walk(sub, fieldSchema(f), `${p}.${a.baseName}`, depth + 1);
      }
    }
  };
  walk(model, root, path, 0);
  return missing;
}

for (const info of allKinds()) {
  test(`${info.kind} schema knows every field of the Kubernetes model`, (t) => {
    const model = info.kind === 'Event' ? 'CoreV1Event' : `V1${info.kind}`;
    t.truthy(models[model], model);
    t.deepEqual(missingFields(model, info.schema, info.kind), []);
  });
}

for (const [model, schema] of [['V1Scale', scaleSchema], ['V1Eviction', evictionSchema], ['V1Binding', bindingSchema]] as const) {
  test(`${model} body schema knows every field of the Kubernetes model`, (t) => {
    t.deepEqual(missingFields(model, schema, model), []);
  });
}
