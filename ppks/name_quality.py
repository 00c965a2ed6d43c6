"""Precision and recall of the name matcher on a labelled set of pairs (tests/ppks/data/name_pairs.csv).

Each row holds two spellings, the human judgement (``match``: the same person's name written two
ways; ``nonmatch``: two different names) and the kind of variant. A pair is *predicted* a match
when ``names_match`` says so, which is what duplicate detection and search rely on (equal keys,
plus initials). ``manage.py name_match_quality`` prints the figures; the test asserts floors.
"""

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ppks.names import names_match, normalise_name

DEFAULT_PAIRS = Path(__file__).resolve().parent.parent / "tests" / "ppks" / "data" / "name_pairs.csv"


@dataclass
class Score:
    """Counts of one set of pairs, with the figures derived from them."""

    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, *, expected: bool, predicted: bool, row: tuple[str, str, str]) -> None:
        if expected and predicted:
            self.true_positive += 1
        elif predicted:
            self.false_positive += 1
            self.misses.append(row)
        elif expected:
            self.false_negative += 1
            self.misses.append(row)
        else:
            self.true_negative += 1

    @property
    def pairs(self) -> int:
        return self.true_positive + self.false_positive + self.false_negative + self.true_negative

    @property
    def precision(self) -> float:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positive + self.false_negative
        return self.true_positive / expected if expected else 1.0


def read_pairs(path: Path = DEFAULT_PAIRS) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def evaluate(pairs: list[dict]) -> tuple[Score, dict[str, Score]]:
    """(overall score, score per kind of variant) of ``names_match`` on labelled ``pairs``."""
    overall, by_kind = Score(), defaultdict(Score)
    for pair in pairs:
        expected = pair["label"] == "match"
        predicted = names_match(pair["name_a"], pair["name_b"])
        row = (pair["name_a"], pair["name_b"], "{} → {} / {}".format(
            pair["label"], normalise_name(pair["name_a"]), normalise_name(pair["name_b"])))
        overall.add(expected=expected, predicted=predicted, row=row)
        by_kind[pair["kind"]].add(expected=expected, predicted=predicted, row=row)
    return overall, dict(by_kind)
