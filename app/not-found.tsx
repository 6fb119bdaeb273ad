import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="space-y-2">
      <h1 className="text-lg font-semibold">Not found</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        No such lease or page. Leases appear here once the controller has seen them in a watched cluster.
      </p>
      <Link href="/" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
        Back to the fleet
      </Link>
    </div>
  );
}
