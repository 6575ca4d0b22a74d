import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { Nav } from "./_components/nav";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "noisefloor", template: "%s · noisefloor" },
  description: "Is it noise? Expected ranges for ad conversions, and what pooling budgets does to the variance.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Render per request: Next puts the request's CSP nonce (set by proxy.ts) on its scripts only when it renders
  // the page for that request. This also keeps pages that show a user's data out of shared caches (private, no-store).
  await connection();
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <header className="site-header">
          <Link href="/" className="brand" aria-label="noisefloor home">
            <span className="brand-mark" aria-hidden="true">
              ≋
            </span>
            noisefloor
          </Link>
          <Nav />
        </header>
        <Providers>
          <main id="main" className="main">
            {children}
          </main>
        </Providers>
        <footer className="site-footer">
          Figures are model estimates from your data: exact compound distributions, not simulations. Order values and
          rates carry their own uncertainty, which is mixed in.
        </footer>
      </body>
    </html>
  );
}
