// Public API of src/packet/build (re-exported by src/index.ts).
export {};
