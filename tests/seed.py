"""The seed page (the visible text of a real cluster page), when it is beside the clone."""

from __future__ import annotations

from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_5eb07a7e36e3bb59.txt"

# What the seed's abstracts carry that no clean abstract may keep.
SEED_JUNK = (
    "[abs]",
    "[ pdf ]",
    "&copy",
    "( edit, beta )",
    "\\emph",
    "algo-rithmic",
    "2. 89",
    "56. 3",
    "2. 05",
    "et al. ,",
    "checkpoints,1",
    "''",
    "`",
)


def seed_path() -> Path:
    """The seed page's path; the calling test is skipped when the seed is not there."""
    if not SEED.is_file():
        pytest.skip("the seed page is not beside this clone (../shared/seed)")
    return SEED
