// Read API answers reflect the store at the moment of asking: never cached by browsers or proxies.
export function respondJson(body: unknown): Response {
  return Response.json(body, { headers: { 'cache-control': 'no-store' } });
}
