"""What the readable public texts cost (issue 11 item 7): the public shape of 20-row pages
(``public_need_dicts``, what the API list and the list page's cards run per page) with the tidy
step and the composed title, against the same without them, in one process (CPU time: the machine is shared).

It generates the intake benchmark's records (``marketplace.needs.demo.synthetic_record``), each
text made distinct with a serial number so that no two rows share a tidied text, redacts them as
the gate does, and times pages of 20 rows three ways, several rounds, best counts:

- ``plain``: the shape without the tidy step (the texts as stored), the baseline;
- ``cold``: with it, its cache cleared before every page (every text tidied);
- ``warm``: with it, the pages seen before (the cache holds their texts, as for popular pages).

Run: ``.venv/bin/python bench/bench_readable.py [--pages N]``. Needs the region tree, so
``DATABASE_URL`` as for ``bench_intake.py``. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
SEED = 20261129  # bench_intake.py's
PAGE = 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per way (best counts)")
    args = parser.parse_args()
    setup_django(DEFAULT_DATABASE_URL, script="bench_readable.py")

    from django.utils import timezone, translation

    from marketplace.needs import serializers
    from marketplace.needs.demo import synthetic_record
    from marketplace.needs.filters import region_index
    from marketplace.needs.gate import identity_of
    from marketplace.needs.intake import parse_record
    from privacy import readable
    from privacy.redaction import redact

    translation.activate("zh-hans")
    index = region_index()
    counties = sorted(index.county_codes)
    today = timezone.localdate()
    rng = random.Random(SEED)
    rows = []
    for i in range(args.pages * PAGE):
        raw = synthetic_record(rng, source_ref=f"R{i:07d}", county_code=rng.choice(counties), today=today)
        raw["description"] = f"第{i}号申请。" + raw["description"]
        record = parse_record(raw, county_codes=index.county_cities.keys(), scope_prefix="42", today=today)
        identity = identity_of(record)
        values = {
            "code": f"B{i:09d}",
            "title": redact(record.title, identity=identity).text,
            "summary": redact(record.description, identity=identity).text,
            "need_type": record.need_type,
            "categories": ["dibao"],
            "department": "civil_affairs",
            "urgency": "normal",
            "needed_by": date(2027, 1, 1),
            "amount_kind": "money",
            "requested_amount": Decimal("1000.00"),
            "unit": "",
            "target_amount": Decimal("1000.00"),
            "claimed_amount": Decimal("0"),
            "statutory_coverage": None,
            "rule_version": "",
            "policy": {},
            "public_region_id": index.county_cities[record.county_code],
            "age_band": "60-69岁",
            "sex": "female",
            "household_size_band": "3-4人",
            "published_at": timezone.now(),
            "status": "published",
            "generalization": "100000",
            "region_id": record.county_code,
        }
        rows.append(tuple(values[column] for column in serializers.ROW_COLUMNS))
    pages = [rows[start : start + PAGE] for start in range(0, len(rows), PAGE)]

    def run(*, cold: bool) -> float:
        gc.collect()
        elapsed = 0.0
        for page in pages:
            if cold:
                readable.tidy.cache_clear()
            started = time.process_time()
            serializers.public_need_dicts(page)
            elapsed += time.process_time() - started
        return elapsed

    tidy, mostly = serializers.tidy, serializers.mostly_redacted
    best = {"plain": float("inf"), "cold": float("inf"), "warm": float("inf")}
    for _round in range(args.rounds):
        serializers.tidy, serializers.mostly_redacted = (lambda text: text), (lambda text: False)
        best["plain"] = min(best["plain"], run(cold=False))
        serializers.tidy, serializers.mostly_redacted = tidy, mostly
        best["cold"] = min(best["cold"], run(cold=True))
        run(cold=False)  # fills the cache
        best["warm"] = min(best["warm"], run(cold=False))
    print(f"public_need_dicts, {len(pages)} pages of {PAGE} distinct needs, best of {args.rounds} rounds:")
    for name, seconds in best.items():
        per_page = seconds / len(pages) * 1e3
        print(f"  {name:6} {per_page:6.3f} ms a page   ratio to plain {seconds / best['plain']:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
