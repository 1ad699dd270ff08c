"""Delegations and the registry that tells which delegation a Word author or an email sender is.

The registry is the secretariat's spreadsheet, saved as CSV with the header
``delegation,aliases,emails``; ``aliases`` and ``emails`` are ``;``-separated lists. Aliases are
the author names a delegation's people use in Word ("Delegation of Egypt", "EGY", personal
names); emails are exact addresses or a whole domain ("@mfa.gov.eg").

Matching is forgiving in the ways Word author names vary (case, spaces, accents) and never
guesses beyond that: an author the registry does not know is reported, not attributed.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from docxio.csv_text import read_csv_text
from docxio.errors import DocxioError

#: The Chair is a delegation-like author: "Chair's proposal", "Chair", "Facilitator".
CHAIR = "Chair"
_CHAIR_NAMES = ("chair", "chairs proposal", "chair proposal", "the chair", "chairperson", "facilitator")

REQUIRED_COLUMNS = ("delegation", "aliases", "emails")


class RegistryError(DocxioError):
    """The delegation registry CSV cannot be used (missing columns, unreadable)."""


def normalise_name(name: str) -> str:
    """A name folded for comparison: no accents, no case, no punctuation, single spaces.

    "Côte d'Ivoire" and "cote divoire" compare equal; so do "Chair's proposal" and "chairs proposal".
    """
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.casefold().replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def short_name(name: str) -> str:
    """The name a compilation text credits a delegation by: the official name without its
    parenthesised qualifier, as secretariats write it — "Iran (Islamic Republic of)" -> "Iran",
    "Venezuela (Bolivarian Republic of)" -> "Venezuela". A name that is only a qualifier, or has
    none, is kept whole."""
    short = re.sub(r"\s*\([^()]*\)\s*$", "", name).strip()
    return short or name


@dataclass(frozen=True)
class Delegation:
    """A delegation (a State, a group such as the EU, or the Chair) with its Word author aliases and
    the email addresses or @domains its submissions come from."""

    name: str
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


@dataclass
class Registry:
    """The delegations of a negotiation, looked up by author name or email address."""

    delegations: list[Delegation] = field(default_factory=list)
    file: str = "delegations.csv"

    def __post_init__(self) -> None:
        # Index once: a merge asks about every revision author of every submission.
        self._by_name: dict[str, str] = {}
        self._by_email: dict[str, str] = {}
        for delegation in self.delegations:
            # The short name is an alias too: our compilation texts credit "(Iran)".
            for alias in (delegation.name, *delegation.aliases, short_name(delegation.name)):
                key = normalise_name(alias)
                if key:
                    self._by_name.setdefault(key, delegation.name)
            for email in delegation.emails:
                self._by_email.setdefault(email.strip().casefold(), delegation.name)

    def names(self) -> list[str]:
        """The delegation names, in registry order."""
        return [d.name for d in self.delegations]

    def get(self, name: str) -> Delegation | None:
        """The delegation whose name or alias is ``name``, or None."""
        found = self._by_name.get(normalise_name(name))
        return next((d for d in self.delegations if d.name == found), None)

    def delegation_for_author(self, author: str) -> list[str]:
        """The delegations a revision or comment author stands for; [] when unknown.

        One delegation for an alias ("Delegation of Egypt" -> Egypt); several for an author that
        lists known delegations ("Egypt, Singapore" — how a tracked consolidated draft names the
        authors of a joint proposal); the Chair for "Chair's proposal" even when the registry has no
        Chair row.
        """
        key = normalise_name(author)
        if not key:
            return []
        if key in self._by_name:
            return [self._by_name[key]]
        if key in _CHAIR_NAMES:
            return [CHAIR]
        parts = [p for p in re.split(r"\s*[,;]\s*|\s+and\s+", author.strip()) if p.strip()]
        if len(parts) > 1:
            found = [self.delegation_for_author(p) for p in parts]
            if all(len(f) == 1 for f in found):
                return list(dict.fromkeys(f[0] for f in found))
        return []

    def delegation_for_email(self, address: str) -> str | None:
        """The delegation an email address belongs to: the exact address first, then its @domain
        (and parent domains: "@gov.eg" covers "mfa.gov.eg"); None when unknown."""
        address = address.strip().strip("<>").casefold()
        if not address:
            return None
        if address in self._by_email:
            return self._by_email[address]
        domain = address.rpartition("@")[2]
        while domain:
            found = self._by_email.get("@" + domain)
            if found:
                return found
            domain = domain.partition(".")[2]
        return None


def cell_items(cell: str | None) -> tuple[str, ...]:
    """The items of a registry cell separated by semicolons ("UK; United Kingdom" -> ("UK",
    "United Kingdom")); the store keeps aliases and e-mail addresses in the same form."""
    return tuple(item.strip() for item in (cell or "").split(";") if item.strip())


def parse_registry(text: str, file: str = "delegations.csv") -> Registry:
    """A registry from CSV text with header ``delegation,aliases,emails``.

    Raises RegistryError naming the file when a column is missing or a row has no delegation.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise RegistryError(
            file, f"the delegation registry needs the columns delegation,aliases,emails; missing: {', '.join(missing)}"
        )
    delegations = []
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): v for k, v in row.items()}
        name = (row.get("delegation") or "").strip()
        if not name:
            if any((v or "").strip() for v in row.values() if isinstance(v, str)):
                raise RegistryError(file, f"line {line} has no delegation name")
            continue
        delegations.append(Delegation(name, cell_items(row.get("aliases")), cell_items(row.get("emails"))))
    return Registry(delegations, file)


def load_registry(path: str | Path) -> Registry:
    """Load the registry CSV at ``path`` (UTF-8, with or without BOM)."""
    path = Path(path)
    return parse_registry(read_csv_text(path, "the delegation registry", RegistryError), path.name)
