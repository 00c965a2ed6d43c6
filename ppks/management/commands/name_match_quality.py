"""Print precision and recall of the Indonesian name matcher on the labelled pairs."""

from pathlib import Path

from django.core.management.base import BaseCommand

from ppks.name_quality import DEFAULT_PAIRS, evaluate, read_pairs


class Command(BaseCommand):
    help = "Presisi dan recall pencocokan nama pada pasangan berlabel (tests/ppks/data/name_pairs.csv)."

    def add_arguments(self, parser):
        parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS, help="berkas CSV pasangan berlabel")
        parser.add_argument("--misses", action="store_true", help="tampilkan pasangan yang salah ditebak")

    def handle(self, *args, pairs: Path, misses: bool, **options):
        overall, by_kind = evaluate(read_pairs(pairs))
        self.stdout.write("{:<20} {:>6} {:>4} {:>4} {:>4} {:>4} {:>9} {:>7}".format(
            "jenis", "pasang", "TP", "FP", "FN", "TN", "presisi", "recall"))
        for kind, score in [*sorted(by_kind.items()), ("SEMUA", overall)]:
            self.stdout.write("{:<20} {:>6} {:>4} {:>4} {:>4} {:>4} {:>9.3f} {:>7.3f}".format(
                kind, score.pairs, score.true_positive, score.false_positive, score.false_negative,
                score.true_negative, score.precision, score.recall))
        if misses:
            for name_a, name_b, detail in overall.misses:
                self.stdout.write("  {!r} ~ {!r}: {}".format(name_a, name_b, detail))
