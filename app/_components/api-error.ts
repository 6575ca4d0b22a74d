/** The user-facing message of an API error body `{ error: { message } }`, or a generic one. */
export async function apiErrorMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string" && body.error.message) return body.error.message;
  } catch {
    // not JSON: fall through
  }
  return `The server answered ${res.status}. Please try again.`;
}
