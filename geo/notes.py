"""What the readers and checks tell a planner, in both languages: geo/ says it, the caller picks the language.

A note is made where the fact is known, with its Chinese and English wording side by side, so the sidebar can
show it in the reader's language while the command line, the JSON and the tests read the English one.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Note:
    """One line for the planner: Chinese first, English one click away."""

    zh: str
    en: str

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def __str__(self) -> str:
        return self.en

    def __add__(self, other: Note) -> Note:
        """Two notes read one after the other (a message and what was done about it), in each language."""
        return Note(self.zh + other.zh, self.en + other.en)


NO_RECORD = Note("", "")  # a problem of the whole file, not of one record in it


class NoteError(ValueError):
    """An error whose message exists in both languages; str() and args keep the English one."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.note = Note(zh, en)

    def text(self, lang: str) -> str:
        return self.note.text(lang)
