"""Turning a `DirectoryQuery` into full-text expressions and an equivalent row predicate.

Every field given must match (AND); each word of a field matches by prefix, ignoring case and
accents (``card`` finds *Cardiologie*, ``helene`` finds *Hélène*). The surname also matches
squashed (``dalembert`` finds *D'ALEMBERT*, ``legoff`` finds *LE GOFF*). Ligatures fold both
ways (``coeur`` finds *Cœur*, ``cœur`` finds *Coeur*), punctuation and quotes are ignored, a
dotted abbreviation is one word (``C.H.U.`` is ``chu``), and the abbreviations of health
structures match their full names and back (``chu`` finds *Centre hospitalier universitaire*,
``centre hospitalier universitaire`` finds *CHU*; see `app.directory.abbreviations`). The same
rules are available as a Python predicate for rows found another way (by identifier, by
address, among favourites) and for online results, so every path answers alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from app.directory.abbreviations import STOP_WORDS, Abbreviations, stem
from app.directory.text import fold, squash, tokens
from app.domain.directory import DirectoryQuery, MailboxType
from app.domain.errors import ValidationError

#: Full-text columns searched by free text (every column but the mailbox type).
TEXT_COLUMNS: tuple[str, ...] = (
    "fam",
    "famx",
    "given",
    "prof",
    "spec",
    "org",
    "town",
    "cp",
    "dept",
)
NAME_COLUMNS: tuple[str, ...] = ("fam", "famx")
#: National identifiers are 8 + RPPS (11 digits) or 0 + ADELI (9 digits).
_IDENTIFIER = re.compile(r"^\d{9,12}$")
#: Letters each followed by a dot (``C.H.U.``, ``S.A.M.U``): one word once the dots are gone.
_DOTTED = re.compile(r"\b(?:[^\W\d_]\.){2,}(?:[^\W\d_]\b)?")
#: Where the free text must match for a structure searched by name: its name and its place.
_STRUCTURE_COLUMNS: tuple[str, ...] = ("org", "town", "cp", "dept")
#: The mailbox types of a structure's own boxes (not a person's).
STRUCTURE_TYPES: frozenset[MailboxType] = frozenset({MailboxType.ORG, MailboxType.APP})

#: A folded word, and whether it matches as a word prefix (else whole).
Word = tuple[str, bool]
#: Words that must all match.
Alternative = tuple[Word, ...]
#: Alternatives of which one must match (a typed abbreviation or its full names…).
Group = tuple[Alternative, ...]


#: Turns a word prefix into the index's words starting with it, or None to keep a prefix
#: query. FTS5 answers a prefix longer than its prefix indexes by merging the doclists of
#: every word starting with it before returning anything: for ``infirmier*`` (130,000 rows)
#: that costs milliseconds per query. An OR of the few exact words it stands for is read
#: lazily and stops at the LIMIT.
Expander = Callable[[str], Sequence[str] | None]


class NoMatch(Exception):  # noqa: N818 (a signal, not an error)
    """A word of the query is in no row: nothing can match."""


def _group(group: Group, expand: Expander | None) -> str:
    alternatives = []
    for alternative in group:
        try:
            alternatives.append(" AND ".join(_phrase(w, p, expand) for w, p in alternative))
        except NoMatch:
            continue
    if not alternatives:
        raise NoMatch(" ".join(w for w, _ in group[0]))
    if len(alternatives) == 1:
        return alternatives[0]
    return "(" + " OR ".join(f"({a})" for a in alternatives) + ")"


def _phrase(term: str, prefix: bool, expand: Expander | None) -> str:
    if not prefix:
        return f'"{term}"'
    words = expand(term) if expand is not None else None
    if words is None:
        return f'"{term}"*'
    if not words:
        raise NoMatch(term)
    if len(words) == 1:
        return f'"{words[0]}"'
    return "(" + " OR ".join(f'"{w}"' for w in words) + ")"


@dataclass(frozen=True)
class Constraint:
    """Every term and group must match, by prefix (or exactly), in one of the columns."""

    columns: tuple[str, ...]
    terms: tuple[str, ...]
    prefix: bool = True
    #: Another way to match the whole constraint: the surname squashed to one word.
    squashed: str = ""
    #: Words with other ways to match (abbreviations and full names), each group ANDed.
    groups: tuple[Group, ...] = ()

    def fts(self, expand: Expander | None = None) -> str:
        """The constraint as an FTS5 expression.

        Raises:
            NoMatch: no row can satisfy it.
        """
        try:
            phrases = " AND ".join(
                [_phrase(t, self.prefix, expand) for t in self.terms]
                + [_group(g, expand) for g in self.groups]
            )
            expression: str | None = f"{_colspec(self.columns)} : ({phrases})"
        except NoMatch:
            if not self.squashed:
                raise
            expression = None
        if self.squashed:
            squashed = f"famx : {_phrase(self.squashed, True, expand)}"
            expression = f"({expression} OR {squashed})" if expression else squashed
        assert expression is not None
        return expression

    def matches(self, columns: Mapping[str, tuple[str, ...]]) -> bool:
        """Whether a row's column words satisfy the constraint."""
        words = [w for c in self.columns for w in columns.get(c, ())]

        def has(term: str, prefix: bool) -> bool:
            return any(w.startswith(term) for w in words) if prefix else term in words

        ok = all(has(t, self.prefix) for t in self.terms) and all(
            any(all(has(w, p) for w, p in alternative) for alternative in group)
            for group in self.groups
        )
        if not ok and self.squashed:
            ok = any(w.startswith(self.squashed) for w in columns.get("famx", ()))
        return ok


def _colspec(columns: tuple[str, ...]) -> str:
    return columns[0] if len(columns) == 1 else "{" + " ".join(columns) + "}"


@dataclass(frozen=True)
class CompiledQuery:
    """A query ready to run.

    Attributes:
        constraints: the text constraints (AND).
        types: mailbox types asked for (empty: all).
        identifier: an RPPS/ADELI number or national identifier to look up directly.
        address_prefix: the beginning of an address to look up directly (lower case).
        exact_keys: squashed words a surname may equal to rank first.
        name_terms: squashed words a surname may start with to rank next.
    """

    constraints: tuple[Constraint, ...]
    types: frozenset[MailboxType]
    identifier: str
    address_prefix: str
    exact_keys: tuple[str, ...]
    name_terms: tuple[str, ...]

    def match_expression(self, expand: Expander | None = None) -> str | None:
        """The FTS5 expression of the text and type constraints, or None when there are none.

        Raises:
            NoMatch: no row can match.
        """
        parts = [c.fts(expand) for c in self.constraints]
        if self.types:
            kinds = " OR ".join(f'"{t.value.lower()}"' for t in sorted(self.types))
            parts.append(f"type : ({kinds})")
        return " AND ".join(parts) if parts else None

    def structure_expression(self, expand: Expander | None = None) -> str | None:
        """The match expression for structures found by their name, or None.

        A structure's own box (ORG, APP) whose name (organisation, sign, service) holds some
        of the free text, the rest naming its place (town, postcode, department): a
        structure searched by name shows its own boxes before the people working there.

        Raises:
            NoMatch: no row can match.
        """
        kinds = STRUCTURE_TYPES & self.types if self.types else STRUCTURE_TYPES
        if not kinds:
            return None
        parts = []
        named = False
        for constraint in self.constraints:
            if constraint.columns == TEXT_COLUMNS:
                parts.append(replace(constraint, columns=_STRUCTURE_COLUMNS).fts(expand))
                some: Group = (
                    *(((t, constraint.prefix),) for t in constraint.terms),
                    *(alternative for group in constraint.groups for alternative in group),
                )
                parts.append(Constraint(("org",), (), groups=(some,)).fts(expand))
                named = True
            else:
                named = named or constraint.columns == ("org",)
                parts.append(constraint.fts(expand))
        if not named:
            return None
        types = " OR ".join(f'"{t.value.lower()}"' for t in sorted(kinds))
        parts.append(f"type : ({types})")
        return " AND ".join(parts)

    def exact_expression(
        self, expand: Expander | None = None, is_surname: Callable[[str], bool] | None = None
    ) -> str | None:
        """The match expression restricted to surnames equal to one of `exact_keys`.

        `is_surname` drops keys that are nobody's surname: the column filter would otherwise
        read every row holding the word in another column.

        Raises:
            NoMatch: no row can match.
        """
        base = self.match_expression(expand)
        if base is None or not self.exact_keys:
            return None
        keys = [k for k in self.exact_keys if is_surname is None or is_surname(k)]
        if not keys:
            raise NoMatch(" ".join(self.exact_keys))
        quoted = " OR ".join(f'"{k}"' for k in keys)
        return f"({base}) AND famx : ({quoted})"

    @property
    def name_prefixes(self) -> tuple[str, ...]:
        """Squashed beginnings of a surname that rank a match in the surname-prefix tier.

        Rows are numbered in surname order, so each is one range of row numbers; a prefix
        covered by a shorter one adds nothing.
        """
        kept: list[str] = []
        for prefix in sorted(set(self.name_terms), key=len):
            if prefix and not any(prefix.startswith(k) for k in kept):
                kept.append(prefix)
        return tuple(kept)

    def matches(self, columns: Mapping[str, tuple[str, ...]], mailbox_type: str) -> bool:
        """The same rules as the expressions, for one row's column words and type."""
        if self.types and mailbox_type not in {t.value for t in self.types}:
            return False
        return all(c.matches(columns) for c in self.constraints)

    def is_exact(self, family: str) -> bool:
        """The surname equals one of the exact keys."""
        return bool(family) and squash(family) in self.exact_keys


def row_words(
    *,
    family: str,
    given: str,
    profession: str,
    speciality: str,
    organisation: str,
    town: str,
    postcode: str,
    department: str,
) -> dict[str, tuple[str, ...]]:
    """A row's words per full-text column, folded as the index folds them."""
    return {
        "fam": tuple(tokens(family)),
        "famx": (squash(family),) if family else (),
        "given": tuple(tokens(given)),
        "prof": tuple(tokens(profession)),
        "spec": tuple(tokens(speciality)),
        "org": tuple(tokens(organisation)),
        "town": tuple(tokens(town)),
        "cp": tuple(tokens(postcode)),
        "dept": tuple(tokens(department)),
    }


def _covering(stems: tuple[str, ...], words: list[str], last: str | None) -> list[int] | None:
    """Indexes of distinct `words` whose stems are `stems`, or None when one has no word.

    The last word typed may be only the beginning of its stem (``centre hospitalier univ``).
    """
    used: list[int] = []
    for wanted in stems:
        for index, word in enumerate(words):
            if index in used:
                continue
            typed_prefix = word == last and len(word) >= 3 and wanted.startswith(word)
            if word == wanted or stem(word) == wanted or typed_prefix:
                used.append(index)
                break
        else:
            return None
    return used


def _abbreviated(
    words: list[str], abbreviations: Abbreviations
) -> tuple[tuple[str, ...], tuple[Group, ...]]:
    """Split query words into plain terms and groups matching abbreviations both ways."""
    plain = list(words)
    last = plain[-1] if plain else None
    groups: list[Group] = []
    # A full name typed out also finds its abbreviation (longest names first).
    for stems, keys in abbreviations.by_stems:
        used = _covering(stems, plain, last)
        if used is None:
            continue
        # The little words of the name typed (``de``, ``pour``…) go with it: the
        # abbreviation does not hold them.
        used += [i for i, w in enumerate(plain) if w in STOP_WORDS and i not in used]
        typed: Alternative = tuple((plain[i], True) for i in sorted(used))
        groups.append((typed, *(((k, False),) for k in keys)))
        plain = [w for i, w in enumerate(plain) if i not in used]
    # An abbreviation typed also finds the full names. Followed by other words, it is a
    # whole word (``CH Chateauroux`` is not every *Chirurgie* of the town).
    rest: list[str] = []
    for word in plain:
        names = abbreviations.expansions.get(word)
        if names:
            full = tuple(tuple((s, True) for s in stems) for stems in names)
            groups.append((((word, word == last),), *full))
        else:
            rest.append(word)
    return tuple(rest), tuple(groups)


def _undotted(text: str) -> str:
    return _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)


def compile_query(
    query: DirectoryQuery, abbreviations: Abbreviations | None = None
) -> CompiledQuery:
    """Compile a query.

    `abbreviations` is the table of health structures' abbreviations matched both ways (the
    default one when None).

    Raises:
        ValidationError: ``directory.query.empty`` when nothing is asked.
    """
    if query.is_empty:
        raise ValidationError("directory.query.empty")
    constraints: list[Constraint] = []
    exact: list[str] = []
    name_terms: list[str] = []
    identifier = "".join(query.identifier.split())
    address_prefix = ""

    table = abbreviations or Abbreviations.default()
    text_terms: list[str] = []
    for word in query.text.split():
        if "@" in word:
            address_prefix = address_prefix or word.lower()
        elif _IDENTIFIER.match(word) and not identifier:
            identifier = word
        else:
            text_terms.extend(tokens(_undotted(word)))
    if text_terms:
        plain, groups = _abbreviated(list(dict.fromkeys(text_terms)), table)
        constraints.append(Constraint(TEXT_COLUMNS, plain, groups=groups))
        if not query.family.strip():
            whole = squash(" ".join(text_terms))
            exact.extend(dict.fromkeys([*text_terms, whole]))
            name_terms.extend(dict.fromkeys([*text_terms, whole]))

    family_terms = tokens(query.family)
    if family_terms:
        whole = squash(query.family)
        constraints.append(
            Constraint(
                NAME_COLUMNS,
                tuple(family_terms),
                squashed=whole if len(family_terms) > 1 else "",
            )
        )
        exact = [whole]
        name_terms = [whole]
    for value, column in (
        (query.given, "given"),
        (query.profession, "prof"),
        (query.speciality, "spec"),
        (query.city, "town"),
        (query.organisation, "org"),
        (query.postcode, "cp"),
    ):
        words = tokens(_undotted(value) if column == "org" else value)
        if words and column == "org":
            plain, groups = _abbreviated(list(dict.fromkeys(words)), table)
            constraints.append(Constraint((column,), plain, groups=groups))
        elif words:
            constraints.append(Constraint((column,), tuple(words)))
    department = fold(query.department).strip()
    if department:
        constraints.append(Constraint(("dept",), (department,), prefix=False))
    return CompiledQuery(
        constraints=tuple(constraints),
        types=query.types,
        identifier=identifier,
        address_prefix=address_prefix,
        exact_keys=tuple(k for k in exact if k),
        name_terms=tuple(t for t in name_terms if t),
    )
