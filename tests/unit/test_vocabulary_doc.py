"""docs/vocabulary.md is generated from the vocabulary and says what it holds."""

from __future__ import annotations

from pathlib import Path

from scripts.vocabulary_doc import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "vocabulary.md"


def test_the_document_matches_the_vocabulary() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "run: .venv/bin/python scripts/vocabulary_doc.py > docs/vocabulary.md"
    )
