// Waits until a URL answers 200 (at most five minutes): the OIDC instance of Leasetrail starts only
// after the first one has built the app, so two builds never write .next at once.
const url = process.argv[2]!;
const deadline = Date.now() + 300_000;

async function poll(): Promise<void> {
  const ok = await fetch(url).then(
    (response) => response.ok,
    () => false,
  );
  if (ok) return;
  if (Date.now() > deadline) throw new Error(`${url} did not answer within five minutes`);
  await new Promise((resolve) => setTimeout(resolve, 500));
  return poll();
}

poll().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
