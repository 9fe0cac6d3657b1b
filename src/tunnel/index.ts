// Public API of src/tunnel (re-exported by src/index.ts).
export {};
