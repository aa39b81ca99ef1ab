"""Errors the toolkit raises. Each names the file (and line) it is about, so the command line can
print it as one line and move on to the next file."""

from __future__ import annotations


class LocaliseError(Exception):
    """Base class: a problem with the user's input that a person can fix."""

    def __init__(self, message: str, path: object = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path + (f":{self.line}" if self.line else "") + ": "
        return where + self.message


class SourceError(LocaliseError):
    """An article file that cannot be read."""


class CatalogError(LocaliseError):
    """A PO or POT file that cannot be parsed or written."""


class ConfigError(LocaliseError):
    """The project settings are wrong."""


class GlossaryError(LocaliseError):
    """glossary.csv cannot be read."""


class MachineError(LocaliseError):
    """A machine translation provider failed."""


def nul_line(data: bytes) -> int | None:
    """The line of the first NUL byte in ``data``, or None. No text file localise reads may
    hold one: it would reach every file made from it, and msgfmt refuses it."""
    at = data.find(b"\x00")
    return None if at < 0 else data.count(b"\n", 0, at) + 1


def read_bytes(
    path, error: type[LocaliseError], shown, what: str = "", missing: str | None = None
) -> bytes:
    """A file's bytes; a file that cannot be read raises ``error`` naming it ``shown``
    ("cannot read<what>: <reason>", or ``missing`` for a file that does not exist)."""
    from .fsutil import read_regular

    try:
        return read_regular(path)
    except OSError as e:  # missing, a folder, no permission, a FIFO or a device
        if missing is not None and isinstance(e, FileNotFoundError):
            raise error(missing, shown) from None
        raise error(f"cannot read{what}: {e.strerror or e}", shown) from None


def decode_text(
    data: bytes, encoding: str, error: type[LocaliseError], path, advice: str = ""
) -> str:
    """Bytes to text; a byte that does not decode raises ``error`` naming the file and line."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        name = "UTF-8" if encoding.replace("-sig", "").lower() in ("utf-8", "utf8") else encoding
        raise error(
            f"not {name} text (byte 0x{data[e.start]:02x} at offset {e.start}){advice}", path, line
        ) from None
