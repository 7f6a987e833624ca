"""Fold the rows of a file that describe one person into one entry, and cut the entries into
batches.

Rows are one person when they share an identity, directly or through a chain, or when their
identities already belong to the same member. Folding them first is what makes an import
idempotent: applied row by row, two rows giving one member different names would rename it
back and forth on every run; folded, the member ends as the file's last word and a second run
finds nothing to change. It also keeps all of one person's rows in one batch.
"""

from collections.abc import Hashable, Iterable, Iterator, Mapping

from memberops.identity.normalise import IdentityKey
from memberops.imports.rows import Entry
from memberops.members.models import ConsentChannel
from memberops.members.schemas import MemberAttributes


def fold(entries: list[Entry]) -> Entry:
    """One entry saying what the rows say in file order: for each attribute and consent
    channel the last value given, custom keys merged, the first channel, registered if any
    row says so."""
    attributes: dict[str, object] = {}
    custom: dict[str, object] = {}
    for entry in entries:
        given = entry.attributes.model_dump(exclude_none=True)
        custom |= given.pop("custom", {})
        attributes |= given
    consent: dict[ConsentChannel, bool] = {}
    for entry in entries:
        consent |= entry.consent
    return Entry(
        rows=tuple(row for entry in entries for row in entry.rows),
        keys=tuple(dict.fromkeys(key for entry in entries for key in entry.keys)),
        attributes=MemberAttributes.model_validate(
            attributes | ({"custom": custom} if custom else {})
        ),
        consent=consent,
        channel=next((entry.channel for entry in entries if entry.channel), None),
        registered=any(entry.registered for entry in entries),
    )


def _root(parent: list[int], index: int) -> int:
    while parent[index] != index:
        parent[index] = parent[parent[index]]
        index = parent[index]
    return index


def group_entries(entries: list[Entry], owners: Mapping[IdentityKey, int]) -> list[Entry]:
    """The entries with every set of rows that are one person folded into one, ordered by
    each person's first row. ``owners`` maps identities already stored to their member."""
    parent = list(range(len(entries)))
    first_with: dict[Hashable, int] = {}
    for index, entry in enumerate(entries):
        links: list[Hashable] = [*entry.keys]
        links += [("member", owners[key]) for key in entry.keys if key in owners]
        for link in links:
            a, b = _root(parent, index), _root(parent, first_with.setdefault(link, index))
            parent[max(a, b)] = min(a, b)
    people: dict[int, list[Entry]] = {}
    for index, entry in enumerate(entries):
        people.setdefault(_root(parent, index), []).append(entry)
    return [group[0] if len(group) == 1 else fold(group) for group in people.values()]


def batches(entries: Iterable[Entry], size: int) -> Iterator[list[Entry]]:
    """Consecutive entries holding about ``size`` rows each (one person is never split)."""
    batch: list[Entry] = []
    rows = 0
    for entry in entries:
        batch.append(entry)
        rows += len(entry.rows)
        if rows >= size:
            yield batch
            batch, rows = [], 0
    if batch:
        yield batch
