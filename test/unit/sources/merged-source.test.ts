// MergedSource passes on what its sources tell changed, only when every source told it (or did not change).
import { strict as assert } from 'node:assert';
import { MergedSource, type Source } from '../../../src/sources/source';
import { objectChanges } from '../../../src/serve/controller';
import type { RawObject, SourceSnapshot } from '../../../src/sources/types';

const obj = (kind: string, name: string): RawObject => ({ apiVersion: 'v1', kind, metadata: { name, namespace: 'default' }, body: {} }) as RawObject;

class FakeSource implements Source {
  current: SourceSnapshot;
  constructor(objects: RawObject[], private readonly tells: boolean) {
    this.current = { objects, problems: [], generation: tells ? 1 : undefined };
  }
  replace(i: number, o: RawObject): void {
    const objects = [...this.current.objects];
    const was = objects[i];
    objects[i] = o;
    const prev = this.current;
    this.current = { objects, problems: [] };
    if (this.tells) {
      this.current.generation = prev.generation! + 1;
      this.current.changes = { since: prev.generation!, added: [o], removed: [was] };
    }
  }
  async start(): Promise<void> {}
  snapshot(): SourceSnapshot {
    return this.current;
  }
  synced(): boolean {
    return true;
  }
  close(): void {}
}

describe('sources/MergedSource', () => {
  it('tells what changed when every changed source told it, and returns the same snapshot when none changed', () => {
    const kube = new FakeSource([obj('Service', 'a'), obj('EndpointSlice', 'a')], true);
    const files = new FakeSource([obj('IngressRoute', 'r')], false);
    const m = new MergedSource([files, kube]);
    const s1 = m.snapshot();
    assert.equal(m.snapshot(), s1, 'nothing changed: the same snapshot');
    assert.equal(s1.changes, undefined, 'the first snapshot tells nothing');
    kube.replace(1, obj('EndpointSlice', 'a'));
    const s2 = m.snapshot();
    assert.equal(s2.changes?.since, s1.generation);
    const want = objectChanges(s1.objects, s2.objects);
    assert.deepEqual([s2.changes!.added, s2.changes!.removed], [want.added, want.removed]);
    assert.equal(want.added.length, 1);
    // A source that does not tell changed: the merged snapshot does not tell either (the serve loop compares).
    files.replace(0, obj('IngressRoute', 'r'));
    const s3 = m.snapshot();
    assert.notEqual(s3, s2);
    assert.equal(s3.changes, undefined);
    assert.equal(s3.objects.length, 3);
  });
});
