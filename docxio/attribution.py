"""Attribution: which delegation a tracked change or a comment belongs to.

In order: the revision's author through the registry (aliases, "Egypt, Singapore" lists, the
Chair); otherwise the delegation that submitted the file (the command line's "South Africa=sa.docx",
the email sender, the add-in account); otherwise nobody — the change is kept, unattributed, and a
warning names the author. A delegation is never guessed silently.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from docxio.delegations import Registry


@dataclass(frozen=True)
class Attribution:
    """Who a change is credited to. ``via`` is "registry", "submitter", "author" (no registry
    given: the author name as written) or "unattributed" (``delegations`` then empty)."""

    delegations: tuple[str, ...]
    author: str
    via: str


@dataclass
class Attributor:
    """Attributes the authors of one submission and collects one warning per author that needed
    a fallback, for the submission's summary."""

    registry: Registry
    submitting: str | None = None
    warnings: list[str] = field(default_factory=list)
    _cache: dict[str, Attribution] = field(default_factory=dict)

    def attribute(self, author: str) -> Attribution:
        """The delegations credited with a change by ``author`` (see the module docstring)."""
        if author in self._cache:
            return self._cache[author]
        found = self.registry.delegation_for_author(author)
        shown = author if author.strip() else "(no author)"
        if found:
            result = Attribution(tuple(found), author, "registry")
        elif self.submitting:
            result = Attribution((self.submitting,), author, "submitter")
            if self.registry.delegations:
                self.warnings.append(
                    f"author '{shown}' is not in the delegation registry — attributed to the sender, {self.submitting}"
                )
        elif not self.registry.delegations and author.strip():
            # No registry at all (a quick command-line merge): name the author as written, and say so.
            result = Attribution((author.strip(),), author, "author")
            self.warnings.append(f"no delegation registry: changes by '{shown}' are credited to '{author.strip()}' as written")
        else:
            result = Attribution((), author, "unattributed")
            self.warnings.append(
                f"author '{shown}' is not in the delegation registry and the submitting delegation is unknown — "
                "its changes are left unattributed"
            )
        self._cache[author] = result
        return result

    def untracked(self) -> Attribution:
        """Attribution of edits found by comparison (they have no author): the submitting
        delegation, or unattributed."""
        if self.submitting:
            return Attribution((self.submitting,), "", "submitter")
        key = "\0untracked"
        if key not in self._cache:
            self.warnings.append("edits made without Track Changes have no author and the submitting delegation is unknown — they are left unattributed")
            self._cache[key] = Attribution((), "", "unattributed")
        return self._cache[key]
