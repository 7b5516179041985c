// index.ts: the public API of pkg/runtime (the image store has its own in image/index.ts).
export { ContainerRuntime, type RuntimeOptions } from './runtime.js';
export type { RuntimeService, ImageService, CriImage, FilesystemUsage, RegistryAuth } from './service.js';
export type { ExecOptions, ExecSession } from './exec.js';
export { readContainerLog, containerLogPath, parseCriLogLine, type ReadLogOptions, type LogMessage } from './logs.js';
export { RuntimeError, isNotFound, isDeadlineExceeded, type RuntimeErrorCode } from './errors.js';
export { startRuntimeServer, type RuntimeServer, type RuntimeServerOptions } from './cri/server.js';
export { RuntimeClient } from './cri/client.js';
export { runtimeMain, runtimeUsage } from './cri/main.js';
export { CriImageService } from './cri/images.js';
export * from './types.js';
