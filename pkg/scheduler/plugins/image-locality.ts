// image-locality.ts: prefer nodes that already have the pod's images, weighted by image size and
// by how widely the image is spread (an image on every node says little), as kube-scheduler's
// ImageLocality. Small images count for nothing, so tiny layers do not pile pods up.
import type { ScorePlugin } from '../framework.js';
import { MAX_NODE_SCORE } from '../framework.js';

const MB = 1024 * 1024;
/** IMAGE_MIN_THRESHOLD is the summed size below which the score is 0. */
export const IMAGE_MIN_THRESHOLD = 23 * MB;
/** IMAGE_MAX_THRESHOLD_PER_CONTAINER is the summed size per container at which the score is full. */
export const IMAGE_MAX_THRESHOLD_PER_CONTAINER = 1000 * MB;

interface ImageState {
  totalNodes: number;
  counts: ReadonlyMap<string, number>;
}

const KEY = 'ImageLocality';

/** imageLocality is the ImageLocality scorer. */
export const imageLocality: ScorePlugin = {
  name: 'ImageLocality',
  preScore(pod, state, cluster) {
    if (pod.images.length === 0 || cluster.imageNodeCounts.size === 0) return false;
    state.write(KEY, { totalNodes: cluster.numNodes, counts: cluster.imageNodeCounts } satisfies ImageState);
    return true;
  },
  score(pod, node, state) {
    const st = state.read<ImageState>(KEY);
    if (!st || node.imageSizes.size === 0) return 0;
    let sum = 0;
    for (const image of pod.images) {
      const size = node.imageSizes.get(image);
      if (size === undefined) continue;
      sum += size * ((st.counts.get(image) ?? 0) / Math.max(1, st.totalNodes));
    }
    const max = IMAGE_MAX_THRESHOLD_PER_CONTAINER * pod.images.length;
    if (sum < IMAGE_MIN_THRESHOLD) return 0;
    if (sum > max) return MAX_NODE_SCORE;
    return (MAX_NODE_SCORE * (sum - IMAGE_MIN_THRESHOLD)) / (max - IMAGE_MIN_THRESHOLD);
  },
};
