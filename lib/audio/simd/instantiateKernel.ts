/**
 * Instantiates one of the kernels' modules (its bytes as base64, from simd/*.wasm.ts), or null where the engine
 * lacks WebAssembly SIMD: each kernel's caller then keeps to its scalar code.
 */
export function instantiateKernel<E extends WebAssembly.Exports>(base64: string): E | null {
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as E;
  } catch {
    return null;
  }
}
