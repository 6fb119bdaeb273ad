// The API answers errors as { error: "…" }; surface that sentence rather than a bare status code.
export async function fetchJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `request failed with ${response.status}`);
  return body;
}
