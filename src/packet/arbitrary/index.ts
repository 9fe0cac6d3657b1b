// Public API of src/packet/arbitrary (re-exported by src/index.ts).
export {};
