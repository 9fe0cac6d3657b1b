// Public API of src/packet (owned by its area; re-exported by src/index.ts).
export {};
