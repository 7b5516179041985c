// load.ts: turn the embedded proto into grpc-js service definitions. proto-loader only reads
// files, so the source is written to a private temp file for the duration of the load.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { criProto } from './proto.js';

/** loaderOptions: camelCase fields, int64 as numbers, enums as names, defaults filled in. */
export const loaderOptions: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
};

/** CriServices holds the two service constructors of package runtime.v1. */
export interface CriServices {
  RuntimeService: grpc.ServiceClientConstructor;
  ImageService: grpc.ServiceClientConstructor;
}

let cached: CriServices | undefined;

/** loadCriServices parses the proto once per process. */
export function loadCriServices(): CriServices {
  if (cached) return cached;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'skiff-cri-'));
  try {
    const file = path.join(dir, 'api.proto');
    writeFileSync(file, criProto);
    const def = protoLoader.loadSync(file, loaderOptions);
    const pkg = grpc.loadPackageDefinition(def) as unknown as { runtime: { v1: CriServices } };
    cached = { RuntimeService: pkg.runtime.v1.RuntimeService, ImageService: pkg.runtime.v1.ImageService };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
