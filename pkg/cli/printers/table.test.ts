import test from 'ava';
import { alignColumns, formatLabels, printTable, type Table } from './table.js';

const deployments: Table = {
  columnDefinitions: [
    { name: 'Name', format: 'name', priority: 0 },
    { name: 'Ready', priority: 0 },
    { name: 'Up-to-date', type: 'integer', priority: 0 },
    { name: 'Age', priority: 0 },
    { name: 'Images', priority: 1 },
  ],
  rows: [
    { cells: ['web', '2/2', 2, '5m', 'nginx:1'], object: { metadata: { name: 'web', namespace: 'shop', labels: { tier: 'front', app: 'web' } } } },
    { cells: ['database', '0/1', 0, '12s', 'pg:16'], object: { metadata: { name: 'database', namespace: 'shop' } } },
  ],
};

test('tables print like kubectl: upper-case headers, 3 spaces of padding, last column unpadded', (t) => {
  t.is(printTable(deployments), ['NAME       READY   UP-TO-DATE   AGE', 'web        2/2     2            5m', 'database   0/1     0            12s', ''].join('\n'));
});

test('-o wide, -A, --show-labels and kind prefixes', (t) => {
  const text = printTable(deployments, { wide: true, namespaceColumn: true, showLabels: true, kindPrefix: 'deployment.apps' });
  t.is(
    text,
    [
      'NAMESPACE   NAME                       READY   UP-TO-DATE   AGE   IMAGES    LABELS',
      'shop        deployment.apps/web        2/2     2            5m    nginx:1   app=web,tier=front',
      'shop        deployment.apps/database   0/1     0            12s   pg:16     <none>',
      '',
    ].join('\n'),
  );
  t.is(printTable(deployments, { noHeaders: true }).split('\n')[0], 'web        2/2   2     5m');
});

test('nil cells print as <none>; labels are sorted', (t) => {
  t.is(alignColumns([['A', 'B'], ['x', '']]), 'A     B\nx     \n', 'columns are at least 6 wide');
  t.is(printTable({ columnDefinitions: [{ name: 'Name' }, { name: 'IP' }], rows: [{ cells: ['p', null] }] }), 'NAME   IP\np      <none>\n');
  t.is(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  t.is(formatLabels({}), '<none>');
});
