"""Mutation testing of the privacy and policy modules, one module at a time (``make mutation``).

mutmut (configured in ``pyproject.toml``'s ``[tool.mutmut]``) changes one thing at a time in a
module (``<`` to ``<=``, ``+ 1`` to ``+ 2``, a call removed, …) and runs the tests that reach
the changed function; a mutant the tests do not notice "survives". This script narrows each
run to one module and that module's own tests (``MODULE_TESTS``), on SQLite, so a score says
how well a module's tests guard it rather than how much of the suite happens to pass through.

    python bench/mutation.py privacy/generalize.py [more modules…] [--jobs 1]
    python bench/mutation.py privacy/redaction.py --mutants 'privacy.redaction.x__run_spans__mutmut_*'

For each module it starts from a clean ``mutants/`` folder, runs mutmut with ``--jobs``
workers, and prints the score (mutants detected / mutants made) and every mutant that
survived or that no test reached; ``.venv/bin/mutmut show <name>`` prints a mutant's diff.
Figures and the survivors judged equivalent are recorded in ``bench/MUTATION.md``.
Not part of ``make test``: a module takes minutes.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each module and the tests that are its own. Only pure, fast tests where the module has them:
# a module that other code calls deep inside slow tests would otherwise run those per mutant.
MODULE_TESTS: dict[str, list[str]] = {
    "privacy/generalize.py": ["tests/privacy/test_generalize.py"],
    "privacy/identity.py": ["tests/privacy/test_identity.py"],
    "privacy/names.py": ["tests/privacy/test_names.py", "tests/privacy/test_generalize.py"],
    "privacy/tokens.py": ["tests/privacy/test_tokens.py"],
    "privacy/encryption.py": ["tests/privacy/test_encryption.py"],
    "privacy/redaction.py": ["tests/privacy/test_redaction.py", "tests/privacy/test_redaction_property.py"],
    "marketplace/needs/placement.py": ["tests/needs/test_placement.py"],
    "marketplace/needs/policy.py": ["tests/needs/test_policy.py"],
}

# mutmut's exit codes per mutant (mutmut.stats.status_by_exit_code), grouped for the score.
DETECTED = {
    1: "killed",
    3: "killed",
    36: "timeout",
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    255: "timeout",
}
NOT_DETECTED = {0: "survived", 5: "no tests", 33: "no tests"}


def run_module(module: str, *, jobs: int, mutants: Sequence[str] = ()) -> dict[str, str]:
    """Run mutmut over ``module`` with its own tests; return each mutant's status.

    ``mutants`` (names or ``fnmatch`` patterns, as ``mutmut results`` prints them) narrows the run
    to those mutants, e.g. the survivors of an earlier run once tests were added for them.
    """
    tests = [test for test in MODULE_TESTS[module] if (ROOT / test).exists()]
    if not tests:
        raise SystemExit(f"{module}: none of its tests exist ({', '.join(MODULE_TESTS[module])})")
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    # mutmut reads [tool.mutmut] from pyproject.toml; the child narrows what it mutates and
    # which tests it runs before handing over to mutmut's command line.
    launcher = (
        "from mutmut.configuration import config\n"
        "from mutmut.__main__ import cli\n"
        "settings = config()\n"
        f"settings.only_mutate = [{module!r}]\n"
        f"settings.pytest_add_cli_args_test_selection = {tests!r}\n"
        f"cli(['run', '--max-children', '{jobs}', *{list(mutants)!r}])\n"
    )
    # SQLite and tasks in-process, whatever the shell exports: the module's tests only.
    # MUTATION_TESTING makes the property tests run fewer examples, without shrinking
    # (tests/privacy/test_redaction_property.py): at full size each mutant would take minutes.
    env = {
        **os.environ,
        "DATABASE_URL": "",
        "CELERY_BROKER_URL": "",
        "CELERY_RESULT_BACKEND": "",
        "MUTATION_TESTING": "1",
    }
    env.pop("REQUIRE_SERVICES", None)
    subprocess.run([sys.executable, "-c", launcher], cwd=ROOT, env=env, check=False)  # noqa: S603
    meta = ROOT / "mutants" / f"{module}.meta"
    if not meta.exists():
        raise SystemExit(f"{module}: mutmut produced no results (see its output above)")
    exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
    return {
        name: DETECTED.get(code)
        or NOT_DETECTED.get(code)
        or ("not checked" if code is None else "suspicious")
        for name, code in exit_codes.items()
        if not mutants or any(fnmatch.fnmatchcase(name, pattern) for pattern in mutants)
    }


def diff(name: str) -> str:
    shown = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "mutmut", "show", name], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return "\n".join(
        "        " + line
        for line in shown.stdout.splitlines()
        if line[:1] in "-+" and line[:3] not in ("---", "+++")
    )


def report(module: str, statuses: dict[str, str], *, diffs: bool = False) -> str:
    counts = Counter(statuses.values())
    detected = counts["killed"] + counts["timeout"]
    total = len(statuses)
    score = 100 * detected / total if total else 100.0
    details = ", ".join(f"{status} {count}" for status, count in sorted(counts.items()))
    lines = [f"{module}: {detected}/{total} detected = {score:.1f} % ({details})"]
    for name, status in sorted(statuses.items()):
        if status not in ("killed", "timeout"):
            lines.append(f"    {status}: {name}")
            if diffs:
                lines.append(diff(name))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="+", choices=sorted(MODULE_TESTS), metavar="MODULE")
    parser.add_argument("--jobs", type=int, default=1, help="mutmut workers (the machine is shared)")
    parser.add_argument("--diffs", action="store_true", help="print the change each survivor makes")
    parser.add_argument("--mutants", nargs="+", default=(), help="only these mutants (names or patterns)")
    args = parser.parse_args()
    summaries = []
    for module in args.modules:
        statuses = run_module(module, jobs=args.jobs, mutants=args.mutants)
        summaries.append(report(module, statuses, diffs=args.diffs))
        print(summaries[-1], flush=True)
    print("\n" + "\n".join(summaries))


if __name__ == "__main__":
    main()
