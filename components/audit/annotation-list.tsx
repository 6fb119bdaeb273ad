import { TimeText } from '@/components/ui/time-text';
import type { AnnotationDto } from '@/lib/api/audit-dto';

function scopeOf(note: AnnotationDto): string {
  if (note.transitionId && note.name) return `failover of ${note.namespace}/${note.name} in ${note.cluster}`;
  if (note.name) return `${note.namespace}/${note.name} in ${note.cluster}`;
  if (note.cluster) return `cluster ${note.cluster}`;
  return 'whole fleet';
}

export function AnnotationList({ annotations, emptyText }: { annotations: AnnotationDto[]; emptyText: string }) {
  if (annotations.length === 0) return <p className="text-sm text-zinc-600 dark:text-zinc-400">{emptyText}</p>;
  return (
    <ul className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 text-sm dark:divide-zinc-800 dark:border-zinc-800">
      {annotations.map((note) => (
        <li key={note.id} data-testid="annotation" className="px-3 py-1.5">
          <div className="flex flex-wrap gap-x-3 text-xs text-zinc-600 dark:text-zinc-400">
            <span>
              <TimeText value={note.at} />
              {note.endAt && note.endAt !== note.at ? (
                <>
                  {' '}
                  → <TimeText value={note.endAt} />
                </>
              ) : null}
            </span>
            <span className="font-medium text-zinc-800 dark:text-zinc-200">{note.author}</span>
            <span>on {scopeOf(note)}</span>
          </div>
          <p className="whitespace-pre-wrap break-words">{note.text}</p>
        </li>
      ))}
    </ul>
  );
}
