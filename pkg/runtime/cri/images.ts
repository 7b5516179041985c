// images.ts: CRI's ImageService over the node's ImageStore.
import type { ImageRecord, ImageStore } from '../image/types.js';
import type { CriImage, FilesystemUsage, ImageService, RegistryAuth } from '../service.js';
import type { ImageSpec } from '../types.js';

/** toCriImage converts a store record to CRI's Image; a numeric image User becomes uid. */
export function toCriImage(r: ImageRecord): CriImage {
  const user = (r.config.config?.User ?? '').split(':')[0];
  const numeric = /^\d+$/.test(user);
  return {
    id: r.id,
    repoTags: [...r.repoTags],
    repoDigests: [...r.repoDigests],
    size: r.size,
    uid: numeric ? { value: Number(user) } : null,
    username: numeric ? '' : user,
    spec: { image: r.id },
    pinned: false,
  };
}

/** CriImageService implements ImageService with an ImageStore. */
export class CriImageService implements ImageService {
  constructor(
    private readonly store: ImageStore,
    private readonly insecureRegistries: string[] = [],
    private readonly clock: () => number = Date.now,
  ) {}

  async pullImage(ref: string, auth?: RegistryAuth | null): Promise<string> {
    const rec = await this.store.pull(ref, {
      insecureRegistries: this.insecureRegistries,
      auth: auth?.username ? { username: auth.username, password: auth.password } : undefined,
    });
    return rec.id;
  }

  async listImages(filter?: { image?: ImageSpec | null } | null): Promise<CriImage[]> {
    if (filter?.image?.image) {
      const rec = await this.store.get(filter.image.image);
      return rec ? [toCriImage(rec)] : [];
    }
    return (await this.store.list()).map(toCriImage);
  }

  async imageStatus(ref: string): Promise<CriImage | null> {
    const rec = await this.store.get(ref);
    return rec ? toCriImage(rec) : null;
  }

  async removeImage(ref: string): Promise<void> {
    // CRI: removing an image that is not there is not an error
    if (await this.store.get(ref)) await this.store.remove(ref);
  }

  async imageFsInfo(): Promise<FilesystemUsage[]> {
    const info = await this.store.fsInfo();
    return [{ timestamp: this.clock() * 1e6, fsId: { mountpoint: info.mountpoint }, usedBytes: { value: info.usedBytes }, inodesUsed: { value: info.inodesUsed } }];
  }
}
