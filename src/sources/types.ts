// What a source hands to the model: raw Kubernetes objects, untouched, with where they came from.
import type { SourcePos } from '../model/diagnostics';

export interface RawObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    generateName?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    uid?: string;
    [k: string]: unknown;
  };
  /** The whole object as parsed (apiVersion, kind, metadata, spec, data, ...). */
  body: Record<string, unknown>;
  /** File position of the object's start, when it came from a file. */
  origin?: SourcePos;
  /** Position of a field path such as `spec.routes[0].match`; undefined when unknown (e.g. objects from the API). */
  locate?: (field: string | undefined) => SourcePos | undefined;
}

/** A problem a source found before it could produce an object (unreadable file, YAML syntax error). */
export interface SourceProblem {
  message: string;
  pos: SourcePos;
}

export interface SourceSnapshot {
  objects: RawObject[];
  problems: SourceProblem[];
  /** Numbers this source's snapshots, when it tells what changed between them (`changes`). */
  generation?: number;
  /**
   * What changed since the snapshot numbered `since`, when the source knows it (a Kubernetes source does,
   * from its informers' events): the objects no longer there and the new ones. Spares the serve loop
   * comparing every object to find one changed EndpointSlice.
   */
  changes?: { since: number; added: RawObject[]; removed: RawObject[] };
}
