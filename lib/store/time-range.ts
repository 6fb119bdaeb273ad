// Half-open [from, to): consecutive ranges never count the same row twice.
export type TimeRange = { from: Date; to: Date };
