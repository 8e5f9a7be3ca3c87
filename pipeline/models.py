"""Trained claim models kept in the data directory, and the labelled data they learn from.

Layout under ``<data_dir>/models/``: one directory per trained model, named after the hash of
its training data (``model-<12 hex>``), and ``CURRENT`` naming the model the ``claims`` asset
uses. Without ``CURRENT`` the rules alone tag claims.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.atomic import write_text_atomically
from pipeline.text import ClaimModel

CURRENT = "CURRENT"


def read_labelled_jsonl(path: Path) -> tuple[list[str], list[bool], int]:
    """Read ``{"text": str, "label": bool}`` records from a JSON Lines file.

    Returns ``(texts, labels, skipped)``; lines that are blank, not JSON objects, or lack a
    string ``text`` or a boolean ``label`` are skipped and counted. Raises ``OSError`` when the
    file cannot be read.
    """
    texts: list[str] = []
    labels: list[bool] = []
    skipped = 0
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                skipped += 1
                continue
            if (
                not isinstance(record, dict)
                or not isinstance(record.get("text"), str)
                or not isinstance(record.get("label"), bool)
            ):
                skipped += 1
                continue
            texts.append(record["text"])
            labels.append(record["label"])
    return texts, labels, skipped


def models_dir(data_dir: Path) -> Path:
    """Where trained models are kept."""
    return data_dir / "models"


def model_name(model: ClaimModel) -> str:
    """The stable name of ``model``: derived from its training data."""
    return f"model-{model.training_sha256[:12]}"


def make_current(model: ClaimModel, data_dir: Path) -> tuple[str, Path]:
    """Save ``model`` under its name and point ``CURRENT`` at it (atomically); return the name
    and directory."""
    name = model_name(model)
    directory = model.save(models_dir(data_dir) / name)
    write_text_atomically(models_dir(data_dir) / CURRENT, name + "\n")
    return name, directory


def clear_current(data_dir: Path) -> None:
    """Return to rule mode: no model is current (saved models are kept)."""
    (models_dir(data_dir) / CURRENT).unlink(missing_ok=True)


def current_model(data_dir: Path) -> tuple[str, Path] | None:
    """The name and directory of the current model, or None in rule mode. The model is not
    loaded here: whoever tags with it loads it with :func:`load_claim_model`, which checks
    its files."""
    try:
        name = (models_dir(data_dir) / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name, models_dir(data_dir) / name


def model_files(data_dir: Path, name: str) -> dict[str, bytes]:
    """The files of saved model ``name``, keyed ``model/<file>``, to store with a version."""
    directory = models_dir(data_dir) / name
    return {f"model/{path.name}": path.read_bytes() for path in sorted(directory.iterdir())}
