// What a consumer's subject filters mean for stream events: nats-server's isFilteredMatch and isFiltered.

import { subjectIsSubsetOf, subjectMatchesFilter } from "../core/subject.js";

/** A purge of `filter` concerns the consumer when it overlaps one of its filters (none = everything). */
export function purgeAffectsFilters(filters: readonly string[], filter: string): boolean {
  if (filters.length === 0) return true;
  return filters.some((f) => subjectIsSubsetOf(filter, f) || subjectMatchesFilter(filter, f));
}

/** Whether the filters narrow the stream at all: one equal to the stream's only subject does not. */
export function filtersNarrowStream(filters: readonly string[], streamSubjects: readonly string[]): boolean {
  if (filters.length === 0) return false;
  if (filters.length === 1 && streamSubjects.length === 1) return filters[0] !== streamSubjects[0];
  return true;
}
