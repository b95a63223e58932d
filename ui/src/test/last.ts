/** The last element of a list (the UI targets ES2021, which has no `Array.prototype.at`). */
export function last<T>(list: readonly T[]): T {
  if (list.length === 0) throw new Error("the list is empty");
  return list[list.length - 1];
}
