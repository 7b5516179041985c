import test from 'ava';
import type { CriImage, ImageService } from '../runtime/service.js';
import { ImageManager, ImagePullError } from './images.js';

class FakeImages implements ImageService {
  present = new Map<string, string>();
  pulls: string[] = [];
  failPull = false;
  async pullImage(ref: string) {
    this.pulls.push(ref);
    if (this.failPull) throw new Error('registry down');
    this.present.set(ref, `sha256:${ref}`);
    return `sha256:${ref}`;
  }
  async listImages() {
    return [];
  }
  async imageStatus(ref: string): Promise<CriImage | null> {
    const id = this.present.get(ref);
    return id ? { id, repoTags: [ref], repoDigests: [], size: 1, uid: null, username: '', spec: null, pinned: false } : null;
  }
  async removeImage() {}
  async imageFsInfo() {
    return [];
  }
}

test('pull policies: IfNotPresent uses a present image, Always pulls, Never refuses a missing one', async (t) => {
  const images = new FakeImages();
  const m = new ImageManager(images);
  images.present.set('a:1', 'sha256:a');
  t.is(await m.ensure({ name: 'c', image: 'a:1', imagePullPolicy: 'IfNotPresent' }), 'sha256:a');
  t.deepEqual(images.pulls, []);
  t.is(await m.ensure({ name: 'c', image: 'a:1', imagePullPolicy: 'Always' }), 'sha256:a:1');
  t.deepEqual(images.pulls, ['a:1']);
  const err = await m.ensure({ name: 'c', image: 'b:1', imagePullPolicy: 'Never' }).catch((e) => e);
  t.true(err instanceof ImagePullError);
  t.is(err.reason, 'ErrImageNeverPull');
});

test('a failing pull is ErrImagePull, then ImagePullBackOff until the backoff passes', async (t) => {
  let now = 1_000_000;
  const images = new FakeImages();
  images.failPull = true;
  const m = new ImageManager(images, () => now);
  const c = { name: 'c', image: 'missing:1', imagePullPolicy: 'IfNotPresent' as const };
  const e1 = await m.ensure(c).catch((e) => e);
  t.is(e1.reason, 'ErrImagePull');
  t.is(e1.retryAfterMs, 10_000);
  now += 5_000;
  const e2 = await m.ensure(c).catch((e) => e);
  t.is(e2.reason, 'ImagePullBackOff');
  t.is(e2.retryAfterMs, 5_000);
  t.is(images.pulls.length, 1, 'no pull during backoff');
  now += 5_000;
  const e3 = await m.ensure(c).catch((e) => e);
  t.is(e3.reason, 'ErrImagePull');
  t.is(e3.retryAfterMs, 20_000, 'the delay doubles');
  images.failPull = false;
  now += 20_000;
  t.is(await m.ensure(c), 'sha256:missing:1');
});
