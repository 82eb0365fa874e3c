import * as tf from '@tensorflow/tfjs-core';

/**
 * The one method of tfjs-backend-wasm's `BackendWasm` that {@link readValues} calls: a
 * Float32Array (Int32Array, Uint8Array for bool) over the tensor's bytes in the backend's
 * WebAssembly heap. A public method of a class the package exports, with the same signature
 * and body from 4.0.0 through 4.22.0 (and the 4.23 release candidate); the backend's own
 * kernels read their inputs with it.
 */
interface HeapBackend {
  typedArrayFromHeap(info: { dataId: object; shape: number[]; dtype: string }): unknown;
}

/**
 * The values of float32 or int32 tensors for one synchronous read by the core, never written
 * to, in the order given: on the wasm backend views of the tensors' memory in the backend's
 * heap, elsewhere (or when a view cannot be had) `dataSync()`.
 *
 * On wasm, `dataSync()` copies a tensor out of the heap into a new array (at 8x128x128x21,
 * 11 MB: about 2 ms with the page faults of the new array, and a garbage collection more
 * every few calls) for a core that copies it again, in chunks, into its own WebAssembly
 * memory. A view is safe under two conditions, both kept by the callers: it is read before
 * any tfjs call (a heap that grows for a new tensor detaches it) and nothing writes through
 * it (the core never writes into its inputs). The wasm backend writes every tensor into its
 * heap when the tensor is made (4.x keeps no values on the JavaScript side), so a view holds
 * exactly what dataSync would return. Anything unexpected (another backend, a backend without
 * the method, a view of the wrong type or length, a throw) falls back to `dataSync()`.
 *
 * Reading a tensor held by another backend moves it into the heap first (as any wasm kernel
 * does), which may grow the heap and detach the views taken before it: those are taken again
 * once every tensor is in the heap, when no read moves anything.
 *
 * @example
 * ```ts
 * const [p, y] = readValues([probas, labels]); // use both before the next tfjs call
 * ```
 */
export function readValues(tensors: readonly tf.Tensor[]): ArrayLike<number>[] {
  const values = tensors.map(read);
  // A detached view has length 0; a second read moves nothing, so it cannot detach another.
  return values.map((v, i) => (v.length === tensors[i].size ? v : read(tensors[i])));
}

function read(t: tf.Tensor): ArrayLike<number> {
  return heapView(t) ?? (t.dataSync() as ArrayLike<number>);
}

function heapView(t: tf.Tensor): Float32Array | Int32Array | null {
  if ((t.dtype !== 'float32' && t.dtype !== 'int32') || tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as Partial<HeapBackend>;
  if (typeof backend.typedArrayFromHeap !== 'function') return null;
  let view: unknown;
  try {
    // A tensor held by another backend is first moved into the heap, as for any wasm kernel;
    // if that grows the heap, the view is made on the detached buffer and throws.
    view = backend.typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
  } catch {
    return null;
  }
  const type = t.dtype === 'float32' ? Float32Array : Int32Array;
  return view instanceof type && view.length === t.size ? view : null;
}
