import { apiErrorMessage } from "@/app/_components/api-error";

/** GET a JSON API; a non-2xx answer throws an Error with the API's own message. */
export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { headers: { Accept: "application/json" }, signal });
  if (!res.ok) throw new Error(await apiErrorMessage(res));
  return (await res.json()) as T;
}

/** POST JSON to an API; a non-2xx answer throws an Error with the API's own message. */
export async function postJson<T>(url: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  if (!res.ok) throw new Error(await apiErrorMessage(res));
  return (await res.json()) as T;
}
