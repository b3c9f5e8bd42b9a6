// The response writer: gRPC messages written straight onto the HTTP/2 stream arrive whole and in order at a
// grpc-js client, the shared part of a response is handed to HTTP/2 as the same buffer for every stream (no copy
// per stream), and a call without a reachable HTTP/2 stream falls back to grpc-js's own write.
import * as assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { http2StreamOf, responseWriterOf } from '../../../src/xds/framed-writer';
import { ResponseParts, serializeResponse } from '../../../src/xds/wire';

const identity = (b: Buffer) => b;
const METHOD: grpc.MethodDefinition<Buffer, Buffer | ResponseParts> = {
  path: '/test.Framed/Stream',
  requestStream: true,
  responseStream: true,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: serializeResponse,
  responseDeserialize: identity,
};

interface Harness {
  server: grpc.Server;
  client: grpc.Client;
  port: number;
}

async function start(handler: (call: grpc.ServerDuplexStream<Buffer, Buffer | ResponseParts>) => void, options: grpc.ServerOptions = {}): Promise<Harness> {
  const server = new grpc.Server(options);
  server.addService({ Stream: METHOD } as grpc.ServiceDefinition, { Stream: handler } as unknown as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  const Client = grpc.makeGenericClientConstructor({ Stream: METHOD } as unknown as grpc.ServiceDefinition, 'Framed');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return { server, client, port };
}

/** Opens a stream, sends one request, collects `count` messages (bounded by a timeout). */
function receive(h: Harness, count: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    const call = (h.client as unknown as { Stream(): grpc.ClientDuplexStream<Buffer, Buffer> }).Stream();
    const timer = setTimeout(() => reject(new Error(`received ${got.length} of ${count} messages`)), 5000);
    call.on('data', (b: Buffer) => {
      got.push(Buffer.from(b));
      if (got.length === count) {
        clearTimeout(timer);
        call.cancel();
        resolve(got);
      }
    });
    call.on('error', (e: grpc.ServiceError) => {
      if (e.code !== grpc.status.CANCELLED) reject(e);
    });
    call.write(Buffer.from('hello'));
  });
}

describe('xds/framed-writer: responses written onto the HTTP/2 stream', () => {
  let h: Harness | undefined;
  afterEach(() => {
    h?.client.close();
    h?.server.forceShutdown();
    h = undefined;
  });

  it('arrive whole and in order, parts and plain buffers alike, and the shared part is never copied', async () => {
    const head = Buffer.from('shared head of a response, the same for every stream '.repeat(2000));
    const handed: Buffer[] = [];
    const done: string[] = [];
    h = await start((call) => {
      call.on('data', () => {
        const stream = http2StreamOf(call)!;
        const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
        (stream as unknown as { write: (...a: unknown[]) => boolean }).write = (chunk: unknown, ...rest: unknown[]) => {
          handed.push(chunk as Buffer);
          return write(chunk, ...rest);
        };
        const w = responseWriterOf(call);
        assert.equal(responseWriterOf(call), w, 'one writer per call');
        w.write(new ResponseParts(head, Buffer.from('tail-1')), () => done.push('1'));
        w.write(Buffer.from('a plain response'), () => done.push('2'));
        w.write(new ResponseParts(head, Buffer.from('tail-3')), () => done.push('3'));
      });
      call.on('error', () => undefined);
    });
    const got = await receive(h, 3);
    assert.ok(got[0]!.equals(Buffer.concat([head, Buffer.from('tail-1')])));
    assert.equal(got[1]!.toString(), 'a plain response');
    assert.ok(got[2]!.equals(Buffer.concat([head, Buffer.from('tail-3')])));
    // The shared head went to HTTP/2 as the very buffer given, twice; each message was prefixed with its length.
    assert.equal(handed.filter((b) => b === head).length, 2);
    const prefixes = handed.filter((b) => b.length === 5);
    assert.deepEqual(prefixes.map((p) => p.readUInt32BE(1)), [head.length + 6, 16, head.length + 6]);
    assert.ok(prefixes.every((p) => p[0] === 0), 'not compressed');
    assert.deepEqual(done, ['1', '2', '3']);
  });

  it('reports a write on a closed stream as an error instead of writing', async () => {
    let result: Error | null | undefined;
    const finished = new Promise<void>((resolve) => {
      void start((call) => {
        call.on('data', () => {
          const w = responseWriterOf(call);
          w.write(Buffer.from('first'));
          http2StreamOf(call)!.close();
          w.write(Buffer.from('after close'), (e) => {
            result = e;
            resolve();
          });
        });
        call.on('error', () => undefined);
      }).then((x) => {
        h = x;
        const call = (x.client as unknown as { Stream(): grpc.ClientDuplexStream<Buffer, Buffer> }).Stream();
        call.on('error', () => undefined);
        call.on('data', () => undefined);
        call.write(Buffer.from('hello'));
      });
    });
    await finished;
    assert.ok(result instanceof Error);
  });

  it('keeps grpc.max_send_message_length: a larger response ends the call RESOURCE_EXHAUSTED, as grpc-js does', async () => {
    h = await start((call) => {
      call.on('data', () => {
        const w = responseWriterOf(call);
        w.write(Buffer.from('small'));
        w.write(new ResponseParts(Buffer.alloc(1500, 1), Buffer.from('tail')));
      });
      call.on('error', () => undefined);
    }, { 'grpc.max_send_message_length': 1000 });
    const got: Buffer[] = [];
    const error = await new Promise<grpc.ServiceError>((resolve, reject) => {
      const call = (h!.client as unknown as { Stream(): grpc.ClientDuplexStream<Buffer, Buffer> }).Stream();
      const timer = setTimeout(() => reject(new Error('no error within 5 s')), 5000);
      call.on('data', (b: Buffer) => got.push(Buffer.from(b)));
      call.on('error', (e: grpc.ServiceError) => {
        clearTimeout(timer);
        resolve(e);
      });
      call.write(Buffer.from('hello'));
    });
    assert.equal(error.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.deepEqual(got.map((b) => b.toString()), ['small']);
  });

  it('falls back to grpc-js\'s write when the HTTP/2 stream is out of reach', () => {
    const written: unknown[] = [];
    const fake = { write: (m: unknown, cb?: () => void) => (written.push(m), cb?.(), true) } as unknown as grpc.ServerDuplexStream<Buffer, Buffer>;
    assert.equal(http2StreamOf(fake), undefined);
    const parts = new ResponseParts(Buffer.from('h'), Buffer.from('t'));
    let called = false;
    responseWriterOf(fake).write(parts, () => (called = true));
    assert.deepEqual(written, [parts]);
    assert.equal(called, true);
  });
});
