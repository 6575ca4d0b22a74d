import type { z } from "zod";

/**
 * One readable message from a zod error, naming each bad field by its path:
 * `frequency.lambda: Too small: expected number to be >0`. At most five issues are listed.
 */
export function formatZodError(error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : "";
  return `Invalid request: ${parts.join("; ")}${more}`;
}
