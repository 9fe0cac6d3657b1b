// Public API of src/compiler (owned by its area; re-exported by src/index.ts).
export {};
