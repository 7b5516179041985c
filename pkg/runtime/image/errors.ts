// errors.ts: the image store's error type. Callers (the runtime service, the agent's
// image puller) branch on `reason`, never on message text, to map failures to
// Kubernetes waiting reasons such as ErrImagePull or InvalidImageName.

/** ImageErrorReason says what kind of failure an image operation hit. */
export type ImageErrorReason =
  /** InvalidReference: the image reference cannot be parsed. */
  | 'InvalidReference'
  /** NotFound: the registry or archive does not have the image or blob. */
  | 'NotFound'
  /** Unauthorized: the registry refused the credentials (or none were given). */
  | 'Unauthorized'
  /** DigestMismatch: content did not hash to the digest that named it. */
  | 'DigestMismatch'
  /** Unsupported: a media type, platform or archive format the store cannot handle. */
  | 'Unsupported'
  /** InsecureRegistry: plain HTTP was needed but not allowed. */
  | 'InsecureRegistry'
  /** UnsafeLayer: a layer tried to write outside its root. */
  | 'UnsafeLayer'
  /** Registry: any other registry or transport failure. */
  | 'Registry';

/** ImageError is every failure the image store reports on purpose. */
export class ImageError extends Error {
  constructor(
    readonly reason: ImageErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ImageError';
  }
}

/** isImageError tells whether err is an ImageError, optionally with the given reason. */
export function isImageError(err: unknown, reason?: ImageErrorReason): err is ImageError {
  return err instanceof ImageError && (reason === undefined || err.reason === reason);
}
