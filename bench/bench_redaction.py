"""Redaction alone: ``redact`` over the intake benchmark's texts, optionally against another version.

The intake benchmark's rate moves with everything else on a shared machine; this one times the
privacy gate's text work alone, in one process, so two versions of ``privacy/redaction.py``
can be compared under the same conditions. It generates the records ``bench_intake.py`` sends
(``marketplace.needs.demo.synthetic_record``, same seed, counties drawn the same way), builds each
record's identity as the gate does (``marketplace.needs.gate.identity_of``), and redacts the title
and the description of every record, several rounds, alternating the versions.

Run: ``.venv/bin/python bench/bench_redaction.py [--records N] [--compare OLD/privacy/redaction.py]``.
With ``--compare`` it also checks that both versions give the same text for every record
(the intake's texts hold no numerals and no partial address runs, so they must) and prints
the time ratio. Needs the region tree, so ``DATABASE_URL`` as for ``bench_intake.py``.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
SEED = 20261129  # bench_intake.py's


def load_version(path: str):
    """Another ``privacy/redaction.py`` as its own module (it imports only ``privacy``)."""
    spec = importlib.util.spec_from_file_location("redaction_compared", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per version (best counts)")
    parser.add_argument("--compare", metavar="PATH", help="another privacy/redaction.py to compare with")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    setup_django(DEFAULT_DATABASE_URL, script="bench_redaction.py")

    from django.utils import timezone

    import privacy.redaction as current
    from marketplace.needs.demo import synthetic_record
    from marketplace.needs.filters import region_index
    from marketplace.needs.gate import identity_of
    from marketplace.needs.intake import parse_record

    index = region_index()
    counties = sorted(index.county_codes)
    today = timezone.localdate()
    rng = random.Random(args.seed)
    work = []
    for i in range(args.records):
        raw = synthetic_record(rng, source_ref=f"R{i:07d}", county_code=rng.choice(counties), today=today)
        record = parse_record(raw, county_codes=index.county_cities.keys(), scope_prefix="42", today=today)
        work.append((record.title, record.description, identity_of(record)))

    versions = {"current": current}
    if args.compare:
        old = load_version(args.compare)
        versions["compared"] = old

    def run(module) -> tuple[float, list[str]]:
        identities = {}
        out = []
        gc.collect()
        started = time.process_time()
        for title, description, identity in work:
            # Each version builds its own identity values (the compared one may lack fields).
            values = identities.get(id(identity))
            if values is None:
                fields = {"names": identity.names, "id_numbers": identity.id_numbers}
                fields |= {"phones": identity.phones, "address": identity.address}
                if "county" in module.IdentityValues.__dataclass_fields__:
                    fields["county"] = identity.county
                values = identities[id(identity)] = module.IdentityValues(**fields)
            out.append(module.redact(title, identity=values).text)
            out.append(module.redact(description, identity=values).text)
        return time.process_time() - started, out

    best = dict.fromkeys(versions, float("inf"))
    outputs = {}
    for _round in range(args.rounds):
        for name, module in versions.items():
            seconds, outputs[name] = run(module)
            best[name] = min(best[name], seconds)
    texts = 2 * len(work)
    print(f"redact over {len(work):,} records ({texts:,} texts), CPU seconds, best of {args.rounds} rounds:")
    for name, seconds in best.items():
        print(f"  {name:9} {seconds:7.3f} s   {seconds / texts * 1e6:6.1f} µs per text")
    if args.compare:
        differing = sum(a != b for a, b in zip(outputs["current"], outputs["compared"], strict=True))
        print(f"  ratio current / compared: {best['current'] / best['compared']:.2f}")
        print(f"  texts redacted differently: {differing:,} of {texts:,}")
        return 1 if differing else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
