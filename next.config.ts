import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // better-sqlite3 is a native addon: load it from node_modules at run time instead of bundling it.
  serverExternalPackages: ["better-sqlite3"],
  poweredByHeader: false,
  // Uploads stream through route handlers; the proxy body limit only applies to server actions and proxies.
  experimental: {},
};

export default nextConfig;
