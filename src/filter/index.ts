// Public API of src/filter (owned by its area; re-exported by src/index.ts).
export {};
