"use client";

import { QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { z } from "zod";
import { getQueryClient } from "@/app/query-client";

// zod compiles object parsers with `new Function` when it may; its probe for that is a CSP violation under the
// pages' policy (no 'unsafe-eval'), reported even though zod catches it. Interpreted parsing is plenty in a browser.
z.config({ jitless: true });

export function Providers({ children }: { children: ReactNode }) {
  const queryClient = getQueryClient();
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
