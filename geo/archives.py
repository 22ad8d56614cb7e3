"""Limits on what a layer file may cost before it is read: its size, and for a zip what it would unpack to.

One answer for the app's upload (geo/readers.py) and the validator (geo/validate.py): the same configurable
size limit (PLANMAP_MAX_LAYER_MB; by default the server's upload cap, .streamlit/config.toml's
server.maxUploadSize, so the browser, the server and our checks refuse a file at one size) in one unit, and the same zip checks (what a zip may unpack to has its own
limit, PLANMAP_MAX_UNPACKED_MB: a planner's 1 000 000 parcels are a 37 MB zip of a 328 MB GeoJSON) (too many entries, an entry that would
land outside its folder, a "zip bomb" by size or by ratio), made on the archive's directory before anything
is unpacked. Each refusal is a Note in both languages; the caller adds the file's name.
"""
from __future__ import annotations

import os
import tomllib
import zipfile
from functools import lru_cache
from pathlib import PurePosixPath, PureWindowsPath
from typing import Final

from geo.notes import Note
from geo.paths import ROOT

MAX_LAYER_MB_ENV: Final = "PLANMAP_MAX_LAYER_MB"
SERVER_CONFIG: Final = ROOT / ".streamlit" / "config.toml"
FALLBACK_MAX_LAYER_MB: Final = 100  # only if the server's configuration is missing
MAX_UNPACKED_MB_ENV: Final = "PLANMAP_MAX_UNPACKED_MB"
DEFAULT_MAX_UNPACKED_MB: Final = 1024
MAX_ZIP_ENTRIES: Final = 1000
MAX_ZIP_RATIO: Final = 100
MB: Final = 2**20  # the one unit sizes are given in (what Windows Explorer calls MB)


def max_layer_bytes() -> int:
    """The largest layer file read, in bytes: PLANMAP_MAX_LAYER_MB, by default the server's upload cap."""
    return _megabytes(MAX_LAYER_MB_ENV, configured_upload_mb())


@lru_cache(maxsize=1)
def configured_upload_mb() -> float:
    """The server's upload cap in MB (.streamlit/config.toml, server.maxUploadSize): the one number that the
    browser's file picker, Streamlit's upload route and our own checks refuse a file above."""
    try:
        return float(tomllib.loads(SERVER_CONFIG.read_text(encoding="utf-8"))["server"]["maxUploadSize"])
    except (OSError, KeyError, ValueError, tomllib.TOMLDecodeError):
        return FALLBACK_MAX_LAYER_MB


def max_unpacked_bytes() -> int:
    """The most a zip may unpack to, in bytes: PLANMAP_MAX_UNPACKED_MB (default 1024 MB)."""
    return _megabytes(MAX_UNPACKED_MB_ENV, DEFAULT_MAX_UNPACKED_MB)


def _megabytes(variable: str, default: float) -> int:
    try:
        megabytes = float(os.environ.get(variable, default))
    except ValueError:
        megabytes = default
    return int(megabytes * MB)


def size_refusal(size: int, limit: int | None = None) -> Note | None:
    """Why a file of `size` bytes is not read (over the limit), or None when it may be."""
    limit = max_layer_bytes() if limit is None else limit
    if size <= limit:
        return None
    return Note(f"文件大小 {size / MB:.1f} MB，超过上限 {limit / MB:.1f} MB（{MAX_LAYER_MB_ENV}）；未读取",
                f"file is {size / MB:.1f} MB, over the {limit / MB:.1f} MB limit ({MAX_LAYER_MB_ENV}); not read")


def zip_refusal(entries: list[zipfile.ZipInfo], limit: int | None = None) -> tuple[Note, str | None] | None:
    """Why an archive with these entries is not unpacked, and the name of the entry at fault (None for the whole
    archive); None when it may be. Directory entries may be left out by the caller; they count for nothing.
    `limit`: what the archive may unpack to (default max_unpacked_bytes())."""
    limit = max_unpacked_bytes() if limit is None else limit
    if len(entries) > MAX_ZIP_ENTRIES:
        return Note(f"包含 {len(entries)} 个文件，超过上限 {MAX_ZIP_ENTRIES} 个",
                    f"holds {len(entries)} files, more than the {MAX_ZIP_ENTRIES} allowed"), None
    for entry in entries:
        name = entry.filename
        if (name.startswith(("/", "\\")) or PureWindowsPath(name).drive
                or ".." in PurePosixPath(name.replace("\\", "/")).parts):
            return Note("条目会写到压缩包目录之外（路径穿越）；已拒绝",
                        "entry would be written outside its folder (path traversal); refused"), name
    expanded = sum(entry.file_size for entry in entries)
    packed = max(1, sum(entry.compress_size for entry in entries))
    if expanded > limit or expanded / packed > MAX_ZIP_RATIO:
        return Note(f"由 {packed / MB:.2f} MB 解压后为 {expanded / MB:.1f} MB（疑似压缩炸弹）；已拒绝"
                    f"（上限 {limit / MB:.1f} MB（{MAX_UNPACKED_MB_ENV}），压缩比 {MAX_ZIP_RATIO}:1）",
                    f"expands to {expanded / MB:.1f} MB from {packed / MB:.2f} MB (a zip bomb?); refused "
                    f"(limit {limit / MB:.1f} MB ({MAX_UNPACKED_MB_ENV}), ratio {MAX_ZIP_RATIO}:1)"), None
    return None
