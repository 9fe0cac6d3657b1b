// Public API of src/bpf (owned by its area; re-exported by src/index.ts).
export {};
