import test from 'ava';
import { numFeasibleNodesToFind } from './sampling.js';

const cases: { name: string; nodes: number; percentage?: number; want: number }[] = [
  { name: 'small cluster: all nodes', nodes: 50, want: 50 },
  { name: 'just under the floor', nodes: 99, want: 99 },
  { name: '100 nodes: 49% is below the floor of 100', nodes: 100, want: 100 },
  { name: '1,000 nodes: 42%', nodes: 1000, want: 420 },
  { name: '5,000 nodes: 10%', nodes: 5000, want: 500 },
  { name: '6,000 nodes: clamps at 5%', nodes: 6000, want: 300 },
  { name: 'configured 100% means all', nodes: 5000, percentage: 100, want: 5000 },
  { name: 'configured 10%', nodes: 5000, percentage: 10, want: 500 },
  { name: 'configured 1% still finds 100', nodes: 5000, percentage: 1, want: 100 },
];

for (const c of cases) {
  test(`numFeasibleNodesToFind: ${c.name}`, (t) => {
    t.is(numFeasibleNodesToFind(c.nodes, c.percentage), c.want);
  });
}
