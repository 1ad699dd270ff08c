"""The text of a CSV file a secretariat keeps (the delegation registry, the stance vocabulary), as
spreadsheets save it: UTF-8 with or without a byte-order mark."""
from __future__ import annotations

from pathlib import Path

from docxio.errors import DocxioError


def read_csv_text(path: Path, what: str, error: type[DocxioError]) -> str:
    """The file's text; ``error`` names the file and says what went wrong in words about ``what``
    ("the delegation registry")."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(path.name, f"cannot read {what} ({exc.strerror})") from exc
    return decode_csv(data, path.name, what, error)


def decode_csv(data: bytes, file: str, what: str, error: type[DocxioError]) -> str:
    """The text of an uploaded CSV file named ``file``; ``error`` when it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(file, f"{what} is not UTF-8 text; save it as CSV UTF-8") from exc
