// images.ts: the image manager: pull policy (Always, IfNotPresent, Never) over the CRI image
// service, with a per-image backoff so a failing pull shows ErrImagePull once and then
// ImagePullBackOff until the next attempt is due.
import type { Container } from '../api/core/pod-types.js';
import { defaultImagePullPolicy } from '../api/core/pod-defaults.js';
import type { ImageService } from '../runtime/service.js';
import { KeyedBackoff } from './backoff.js';

/** ImagePullError is a failed ensure: reason is what the container status shows as waiting. */
export class ImagePullError extends Error {
  constructor(
    readonly reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName',
    message: string,
    /** retryAfterMs: when to try again (backoff). */
    readonly retryAfterMs = 0,
  ) {
    super(message);
    this.name = 'ImagePullError';
  }
}

/** ImageManager ensures a container's image is present. */
export class ImageManager {
  private readonly backoff: KeyedBackoff;

  constructor(
    private readonly images: ImageService,
    private readonly now: () => number = Date.now,
  ) {
    this.backoff = new KeyedBackoff({ now });
  }

  /** ensure returns the image id to create the container from, pulling per the container's policy. */
  async ensure(c: Container): Promise<string> {
    const image = c.image ?? '';
    if (!image) throw new ImagePullError('InvalidImageName', 'container has no image');
    const policy = c.imagePullPolicy ?? defaultImagePullPolicy(image);
    const present = await this.images.imageStatus(image).catch(() => null);
    if (present && policy !== 'Always') return present.id;
    if (policy === 'Never') {
      throw new ImagePullError('ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
    }
    const key = image;
    const wait = this.backoff.remainingMs(key, this.lastFailure.get(key) ?? 0);
    if (wait > 0) {
      if (present) return present.id;
      throw new ImagePullError('ImagePullBackOff', `Back-off pulling image "${image}"`, wait);
    }
    try {
      const id = await this.images.pullImage(image);
      this.backoff.reset(key);
      this.lastFailure.delete(key);
      return id;
    } catch (e) {
      // An image already present survives a failed "Always" pull, as in kubelet (a registry outage must not stop restarts).
      if (present) return present.id;
      const now = this.now();
      this.lastFailure.set(key, now);
      const delay = this.backoff.next(key, now);
      throw new ImagePullError('ErrImagePull', `failed to pull image "${image}": ${(e as Error).message}`, delay);
    }
  }

  private readonly lastFailure = new Map<string, number>();
}
