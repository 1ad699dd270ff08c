"""The one error tree of docxio: every failure names the file and the problem."""
from __future__ import annotations


class DocxioError(Exception):
    """Root of every error raised by docxio.

    ``file`` is the name the user knows the file by (not a temporary path) and ``problem`` a
    sentence a secretariat officer can forward to a delegation.
    """

    def __init__(self, file: str, problem: str) -> None:
        super().__init__(f"{file}: {problem}")
        self.file = file
        self.problem = problem


class PackageError(DocxioError):
    """The file is not a readable Word (.docx) package: corrupt, truncated, hostile, wrong format."""


class UnsupportedFormatError(PackageError):
    """The file is another format (legacy .doc, encrypted, .odt, PDF...) that we name for the user."""


class InvalidXmlError(DocxioError):
    """A part of the package is not well-formed XML or lacks a required element."""
