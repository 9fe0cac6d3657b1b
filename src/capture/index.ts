// Public API of src/capture (owned by its area; re-exported by src/index.ts).
export {};
