import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Loaded from node_modules at run time instead of bundled: better-sqlite3 is a native addon; piscina starts worker
  // threads from files of its own; esbuild (which bundles the worker's code when it is missing) runs a native binary.
  serverExternalPackages: ["better-sqlite3", "piscina", "esbuild"],
  poweredByHeader: false,
  // Uploads stream through route handlers; the proxy body limit only applies to server actions and proxies.
  experimental: {},
};

export default nextConfig;
