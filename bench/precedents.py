"""Benchmark: finding precedents in a large office, against the word-index query alone.

A database of generated cases is built first (20,000 cases and 100,000 items by
default) with :func:`mtcr_desk.storage.case_list.bulk_generate_cases_for_benchmark`,
its items described from a vocabulary of materials, parts, sizes and makers so that
words are shared the way real item descriptions share them ("mm", a frequent maker)
and a part number now and then recurs. Then, for items picked at random, it times
:func:`mtcr_desk.services.precedents.find_precedents` (the ten best, as the
workspace asks) and, interleaved, the word-index query it starts from
(:func:`mtcr_desk.storage.item_words.precedent_matches`), and prints p50/p95 of
each, their ratio, and one ``RESULT {json}`` line.

There is no target in DESIGN.md yet; the figure says how long the workspace waits
when a case opens or another item is selected.

    python bench/precedents.py [--cases N] [--items N] [--searches N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mtcr_desk.domain.users import Role  # noqa: E402
from mtcr_desk.services import precedents, users  # noqa: E402
from mtcr_desk.services.database import open_database  # noqa: E402
from mtcr_desk.storage import item_words  # noqa: E402
from mtcr_desk.storage.case_list import bulk_generate_cases_for_benchmark  # noqa: E402

MATERIALS = ("titanium alloy", "maraging steel", "carbon-fibre/epoxy", "aluminium-lithium",
             "fine-grain graphite", "silicon carbide", "tungsten", "inconel", "polyimide",
             "ceramic matrix", "beryllium", "stainless steel")
PARTS = ("sheet", "bar", "tube", "ring forging", "nozzle", "valve", "gyroscope",
         "accelerometer", "pump", "actuator", "bearing", "prepreg", "motor case",
         "servo valve", "pressure transducer", "flow meter", "igniter", "heat shield")
QUALIFIERS = ("rate-integrating", "high-pressure", "cryogenic", "precision", "vacuum",
              "miniature", "high-temperature", "ruggedised", "flight-qualified")
# 300 makers with a name of their own each ("Kesselwerk GmbH"), plus a few whose
# second word many share ("Nordic Aerospace AB", "Pacific Aerospace Ltd").
MAKERS = tuple(f"{stem}{ending} {form}"
               for stem in ("Kessel", "Orrin", "Ardenne", "Rhein", "Merlion", "Tohoku",
                            "Anatol", "Pacific", "Nordic", "Graphit", "Lumen", "Vanta",
                            "Borea", "Castell", "Dorado", "Ember", "Fjord", "Garnet",
                            "Helix", "Istra")
               for ending in ("werk", "tron", "tek", "dyne", "form", "star", "line", "wave",
                              "core", "field", "gate", "mark", "port", "ridge", "vale")
               for form in ("GmbH",)) + (
    "Nordic Aerospace AB", "Pacific Aerospace Ltd", "Helix Aerospace SA",
    "Rhein Instruments Corp.", "Tohoku Instruments KK")


def item_text(rng: random.Random, item_id: int) -> tuple[str, str, str]:
    """A plausible item: description, maker and part number (one in ten recurs)."""
    description = f"{rng.choice(MATERIALS)} {rng.choice(PARTS)}"
    if rng.random() < 0.5:
        description = f"{rng.choice(QUALIFIERS)} {description}"
    if rng.random() < 0.3:  # a size now and then: "mm" is the most shared word of all
        description += f", {rng.choice((10, 25, 50, 150, 300, 600))} mm"
    maker = rng.choice(MAKERS)
    part = f"{maker[:2].upper()}-{rng.randint(100, 999) if rng.random() < 0.1 else item_id}"
    return description, maker, part


def build(path: Path, cases: int, items: int) -> float:
    started = time.perf_counter()
    store = open_database(path)
    admin = users.add_user(store, username="admin", display_name="Admin",
                           role=Role.ADMINISTRATOR, password="benchmark password", actor=None)
    users.add_user(store, username="olga", display_name="Olga Officer", role=Role.OFFICER,
                   password="benchmark password", actor=admin)
    bulk_generate_cases_for_benchmark(store.connection, cases=cases, items=items,
                                      edition_id="mtcr-2024-structure", officers=["olga"],
                                      item_text=item_text)
    store.close()
    return time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "precedents-bench.sqlite"
        built = build(path, args.cases, args.items)
        store = open_database(path, read_only=True)
        try:
            targets = store.connection.execute(
                "SELECT c.reference, i.line, c.id, i.description, i.manufacturer, "
                "i.part_number FROM items AS i JOIN cases AS c ON c.id = i.case_id "
                "ORDER BY random() LIMIT ?", [args.searches]).fetchall()
            service_ms, raw_ms, found_counts = [], [], []
            for reference, line, case_id, description, manufacturer, part_number in targets:
                target = precedents.Comparable.of(description, manufacturer, part_number)
                started = time.perf_counter()
                matches = item_words.precedent_matches(
                    store.connection, exclude_case_id=case_id, include_training=False,
                    description_words=target.description,
                    manufacturer_words=target.manufacturer,
                    part_number_key=target.part_number)
                raw_ms.append((time.perf_counter() - started) * 1000)
                found_counts.append(len(matches))
                started = time.perf_counter()
                precedents.find_precedents(store, reference, line=line)
                service_ms.append((time.perf_counter() - started) * 1000)
        finally:
            store.close()
    result = {
        "bench": "precedents", "cases": args.cases, "items": args.items,
        "searches": len(service_ms), "build_s": round(built, 1),
        "service_p50_ms": round(statistics.median(service_ms), 1),
        "service_p95_ms": round(percentile(service_ms, 0.95), 1),
        "raw_p50_ms": round(statistics.median(raw_ms), 1),
        "raw_p95_ms": round(percentile(raw_ms, 0.95), 1),
        "items_sharing_a_word_median": int(statistics.median(found_counts)),
    }
    result["ratio_p95"] = round(result["service_p95_ms"] / result["raw_p95_ms"], 2)
    print(f"precedents over {args.cases:,} cases / {args.items:,} items "
          f"(built in {built:.1f} s), {len(service_ms)} searches")
    print(f"  find_precedents  p50 {result['service_p50_ms']:.1f} ms  "
          f"p95 {result['service_p95_ms']:.1f} ms")
    print(f"  word-index query p50 {result['raw_p50_ms']:.1f} ms  "
          f"p95 {result['raw_p95_ms']:.1f} ms  (ratio p95 {result['ratio_p95']:.2f}x)")
    print(f"  items sharing a word with the target, median "
          f"{result['items_sharing_a_word_median']:,}")
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
