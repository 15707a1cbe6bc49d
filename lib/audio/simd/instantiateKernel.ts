/**
 * Instantiates one of the kernels' modules (its bytes as base64, from simd/*.wasm.ts), or null where the engine
 * lacks WebAssembly SIMD: each kernel's caller then keeps to its scalar code. A module is compiled once per thread;
 * kernels with state of their own (the Welch kernel's sums) take a fresh instance, with its own memory, per user.
 */
const modules = new Map<string, WebAssembly.Module | null>();

export function instantiateKernel<E extends WebAssembly.Exports>(base64: string, imports?: WebAssembly.Imports): E | null {
  let module = modules.get(base64);
  if (module === undefined) {
    try {
      module = new WebAssembly.Module(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    } catch {
      module = null;
    }
    modules.set(base64, module);
  }
  if (!module) return null;
  try {
    return new WebAssembly.Instance(module, imports).exports as E;
  } catch {
    return null;
  }
}
