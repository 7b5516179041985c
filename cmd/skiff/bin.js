#!/usr/bin/env node
// Launcher for the `skiff` bin: runs the compiled CLI from dist/ when it is built,
// otherwise the TypeScript sources through tsx (a development checkout).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const built = join(root, 'dist', 'cmd', 'skiff', 'main.js');
if (existsSync(built) && !process.env.SKIFF_FROM_SOURCE) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'cmd', 'skiff', 'main.ts')).href);
}
