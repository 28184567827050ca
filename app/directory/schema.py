"""The directory database's layout: a clear SQLite file of public data (spec §7).

It holds the imported extraction (``mailbox`` + its full-text index), the trust space's list of
domains (spec §1) and cached answers of the online directory. No health data: favourites and
recent correspondents live in the encrypted archive, which passes them to searches as a boost.

The file is rebuildable: an import builds a new one beside it and replaces it whole, so the
schema has no migrations; a file of another revision is treated as absent (only its list of
domains and online cache are carried over when the revision matches).
"""

from __future__ import annotations

#: Revision of this layout (``PRAGMA user_version``).
SCHEMA_VERSION = 1

#: The columns of `mailbox` an import fills, in the order of a parsed extraction row.
ROW_FIELDS: tuple[str, ...] = (
    "address",
    "type",
    "person_key",
    "id_type",
    "id_pp",
    "civility",
    "family",
    "given",
    "family_key",
    "category",
    "profession_code",
    "profession",
    "speciality_code",
    "speciality",
    "digitization",
    "structure_id",
    "service",
    "organisation",
    "enseigne",
    "street",
    "postcode",
    "town",
    "department",
    "country",
)

#: The columns of `mailbox` a search reads to build entries.
MAILBOX_COLUMNS: tuple[str, ...] = ("id", *ROW_FIELDS)

#: Tables every directory database has (also created empty before any import, so the list of
#: domains can be imported first).
BASE_DDL = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS whitelist (
    domain TEXT NOT NULL,
    description TEXT NOT NULL,
    operator_dn TEXT NOT NULL,
    responsible TEXT NOT NULL,
    support TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS whitelist_domain ON whitelist(domain);

CREATE TABLE IF NOT EXISTS online_cache (
    key TEXT PRIMARY KEY,
    fetched_at REAL NOT NULL,
    payload TEXT NOT NULL
) WITHOUT ROWID;

-- One row per address, in the extraction's order. person_key is the national identifier
-- (8 + RPPS, 0 + ADELI) of a professional's boxes.
-- speciality holds every savoir-faire of an address seen on several lines, org_extra the
-- other structures of such an address (searched, not shown).
CREATE TABLE IF NOT EXISTS mailbox (
    id INTEGER PRIMARY KEY,
    address TEXT NOT NULL COLLATE NOCASE,
    type TEXT NOT NULL,
    person_key TEXT,
    id_type TEXT NOT NULL,
    id_pp TEXT NOT NULL,
    civility TEXT NOT NULL,
    family TEXT NOT NULL,
    given TEXT NOT NULL,
    family_key TEXT NOT NULL,
    category TEXT NOT NULL,
    profession_code TEXT NOT NULL,
    profession TEXT NOT NULL,
    speciality_code TEXT NOT NULL,
    speciality TEXT NOT NULL,
    digitization INTEGER,
    structure_id TEXT NOT NULL,
    service TEXT NOT NULL,
    organisation TEXT NOT NULL,
    enseigne TEXT NOT NULL,
    street TEXT NOT NULL,
    postcode TEXT NOT NULL,
    town TEXT NOT NULL,
    department TEXT NOT NULL,
    country TEXT NOT NULL,
    org_extra TEXT
);

-- The alphabetical order of the mailboxes (surname squashed, given name, structures last; a
-- given name starting with an accented capital sorts after Z, a cosmetic flaw). Rowids of
-- the full-text index are ranks in this order, so a query, which yields rowids in order,
-- returns matches alphabetically without sorting them.
-- Its family_key (the surname squashed) gives the range of row numbers of the surnames
-- starting with a prefix.
CREATE TABLE IF NOT EXISTS mailbox_rank (
    rank INTEGER PRIMARY KEY,
    mailbox_id INTEGER NOT NULL,
    family_key TEXT NOT NULL
);

-- Every word of the full-text index; `surname` when it is someone's whole surname squashed
-- (a word of the famx column).
CREATE TABLE IF NOT EXISTS fts_terms (
    term TEXT PRIMARY KEY,
    surname INTEGER NOT NULL
) WITHOUT ROWID;

-- Contentless: the text lives in `mailbox`; the index only maps words to rowids.
-- detail=column keeps column filters (`fam : …`) at a fraction of the size of full detail;
-- prefix indexes make as-you-type queries of 1–3 letters a single doclist read.
-- famx holds the surname squashed to one word (D'ALEMBERT → dalembert) for exact matches.
-- Identifiers and addresses are looked up through `mailbox`'s own indexes instead: their
-- millions of distinct words would double the index's size and build time.
CREATE VIRTUAL TABLE IF NOT EXISTS mailbox_fts USING fts5(
    fam, famx, given, prof, spec, org, town, cp, dept, type,
    content='', columnsize=0, detail=column, prefix='1 2 3',
    tokenize='unicode61 remove_diacritics 2'
);
"""

#: The address index, built after the bulk load to find duplicate lines, then kept for
#: lookups (unique by construction: duplicates are merged before anything reads it).
ADDRESS_INDEX_DDL = "CREATE INDEX IF NOT EXISTS mailbox_address ON mailbox(address)"

#: Every word of the full-text index, for expanding a typed prefix into the few words it
#: stands for (see `app.directory.search.Expander`). Filled at the end of an import.
FILL_TERMS = """
CREATE VIRTUAL TABLE temp.mailbox_vocab USING fts5vocab(main, mailbox_fts, col);
INSERT INTO fts_terms (term, surname)
    SELECT term, max(col = 'famx') FROM temp.mailbox_vocab GROUP BY term;
DROP TABLE temp.mailbox_vocab;
"""

#: Indexes built after the bulk load (faster than maintaining them row by row).
INDEX_DDL = """
CREATE INDEX IF NOT EXISTS mailbox_person ON mailbox(person_key) WHERE person_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS mailbox_id_pp ON mailbox(id_pp);
CREATE INDEX IF NOT EXISTS mailbox_rank_of ON mailbox_rank(mailbox_id);
CREATE INDEX IF NOT EXISTS mailbox_rank_family ON mailbox_rank(family_key);
"""

#: Full-text columns a free-text query searches (all but the mailbox type).
TEXT_COLUMNS = "fam famx given prof spec org town cp dept"
