// index.ts: the image package's public surface, for the runtime service and hack scripts.
export type { ImageRecord, ImageStore, OciImageConfig, PullOptions } from './types.js';
export { FsImageStore, type FsImageStoreOptions } from './store.js';
export { ImageError, isImageError, type ImageErrorReason } from './errors.js';
export { normalizeReference, parseReference, formatReference, type Reference } from './reference.js';
export type { GcThresholds } from './gc-policy.js';
export { pushLayout, type PushOptions } from './push.js';
export { buildImage, buildIndex, buildLayer, newLayout, readLayoutTar, writeLayoutTar, type OciLayout, type BuiltImage } from './oci-layout.js';
export { buildSampleImages, type SampleImage } from './samples.js';
