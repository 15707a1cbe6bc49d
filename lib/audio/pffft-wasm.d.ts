// The package ships an Emscripten factory without type declarations; fft.ts narrows what it uses.
declare module '@echogarden/pffft-wasm/simd' {
  const factory: () => Promise<unknown>;
  export default factory;
}
