"""Files the exports and the command line write: whole or not at all, and never over a file by surprise."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OverwriteRefused(FileExistsError):
    """The output exists and the user did not say --force."""


def refuse_overwrite(path: Path, force: bool) -> None:
    if Path(path).exists() and not force:
        raise OverwriteRefused(f"{path} exists; add --force to replace it")


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place: an interrupted write (a full disk,
    a killed process) leaves the old file or none under the name, never half of one."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
