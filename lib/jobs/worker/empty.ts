// Stands in for `server-only` in the worker bundle (see ./build.ts): the worker is server code by construction.
export {};
