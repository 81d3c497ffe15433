"""Peak memory of concurrent evidence uploads, before and after the image limits (issue 9, item 8).

The issue: *a 57 KB PNG of 7,700 × 7,700 pixels is accepted and eight at once took gunicorn
from 571 MB to 2.1 GB.* This script sends eight uploads at once, from eight threads as gunicorn's
gthread workers do, through ``core.evidence.check_evidence`` (the function the delivery
report and the organization registration call) and reports the process's resident-memory
high-water mark (``VmHWM``, reset before each run through ``/proc/self/clear_refs``), for:

* ``bomb``: the 7,700 × 7,700 PNG of the issue (57 KB);
* ``png-max``: the largest PNG the new limits accept (``RASTER_MAX_PIXELS``);
* ``jpeg-max``: the largest ordinary JPEG they accept (``JPEG_MAX_PIXELS``);
* ``progressive-max``: the largest progressive JPEG they accept (``RASTER_MAX_PIXELS``);
* ``mixed``: three ``jpeg-max``, three ``png-max`` and two ``bomb``.

Each scenario runs in a fresh Python process (the high-water mark never goes down), once with
the code of ``--baseline-ref`` (default ``main``) checked out in a temporary git worktree and
once with this tree. Settings are the defaults (``EVIDENCE_IMAGE_CONCURRENCY`` 2,
``EVIDENCE_IMAGE_WAIT_SECONDS`` 10) unless set in the environment. No database is needed.

    .venv/bin/python bench/bench_evidence.py                  # both trees, every scenario
    .venv/bin/python bench/bench_evidence.py --no-baseline    # this tree only
    .venv/bin/python bench/bench_evidence.py --scenario bomb --uploads 4
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
MAX_BYTES = 5 * 1024 * 1024
SCENARIOS = ("bomb", "png-max", "jpeg-max", "progressive-max", "mixed")


# --- files ----------------------------------------------------------------------------------------


def make_files(directory: Path) -> dict[str, Path]:
    """The test images, written once; sizes come from this tree's limits."""
    from PIL import Image, ImageDraw

    sys.path.insert(0, str(ROOT))
    from core.evidence import JPEG_MAX_PIXELS, RASTER_MAX_PIXELS

    def picture(width: int, height: int) -> Image.Image:
        # A gradient with a grid of lines: compresses like a document photo, not like noise,
        # so the largest accepted images stay under the 5 MB upload limit.
        small = Image.merge(
            "RGB",
            [
                Image.linear_gradient("L").resize((width // 8, height // 8)),
                Image.radial_gradient("L").resize((width // 8, height // 8)),
                Image.linear_gradient("L").rotate(90).resize((width // 8, height // 8)),
            ],
        )
        image = small.resize((width, height), Image.Resampling.BILINEAR)
        draw = ImageDraw.Draw(image)
        for x in range(0, width, 97):
            draw.line([(x, 0), (x, height)], fill=(20, 20, 20), width=2)
        for y in range(0, height, 89):
            draw.line([(0, y), (width, y)], fill=(240, 240, 240), width=2)
        return image

    files = {}
    bomb = directory / "bomb.png"
    Image.new("L", (7700, 7700), 255).save(bomb, format="PNG", optimize=True)
    files["bomb"] = bomb
    side = int(RASTER_MAX_PIXELS**0.5)
    png = directory / "png-max.png"
    picture(side, side).save(png, format="PNG")
    files["png-max"] = png
    jpeg = directory / "jpeg-max.jpg"
    width = 8160
    picture(width, JPEG_MAX_PIXELS // width).save(jpeg, format="JPEG", quality=85)
    files["jpeg-max"] = jpeg
    progressive = directory / "progressive-max.jpg"
    picture(side, side).save(progressive, format="JPEG", quality=85, progressive=True)
    files["progressive-max"] = progressive
    return files


def describe(path: Path) -> str:
    from PIL import Image

    with Image.open(path) as image:
        width, height = image.size
    return f"{width} × {height} ({width * height / 1e6:.1f} MP), {path.stat().st_size / 1024:,.0f} KB"


def scenario_files(scenario: str, files: dict[str, Path], uploads: int) -> list[Path]:
    if scenario != "mixed":
        return [files[scenario]] * uploads
    pattern = ["jpeg-max", "png-max", "jpeg-max", "png-max", "jpeg-max", "png-max", "bomb", "bomb"]
    return [files[pattern[index % len(pattern)]] for index in range(uploads)]


# --- one measurement, in a fresh process -------------------------------------------------------


def rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def child(tree: str, paths: list[str]) -> dict:
    """Run the uploads at once through ``check_evidence`` of ``tree``; print the figures."""
    sys.path.insert(0, tree)
    import django
    from django.conf import settings

    settings.configure(
        USE_I18N=False,
        EVIDENCE_IMAGE_CONCURRENCY=int(os.environ.get("EVIDENCE_IMAGE_CONCURRENCY", 2)),
        EVIDENCE_IMAGE_WAIT_SECONDS=float(os.environ.get("EVIDENCE_IMAGE_WAIT_SECONDS", 10)),
    )
    django.setup()
    from io import BytesIO

    from PIL import Image

    from core.evidence import EvidenceError, check_evidence

    warm = BytesIO()
    Image.new("RGB", (64, 64)).save(warm, format="PNG")
    check_evidence(warm.getvalue(), max_bytes=MAX_BYTES)  # plugins and libraries loaded
    uploads = [Path(path).read_bytes() for path in paths]
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(uploads))

    def upload(data: bytes) -> None:
        start.wait()
        try:
            checked = check_evidence(data, max_bytes=MAX_BYTES)
        except EvidenceError as refused:
            outcome = f"refused:{refused.code}"
        else:
            with Image.open(BytesIO(checked.content)) as stored:
                outcome = f"stored {stored.size[0]}×{stored.size[1]}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=upload, args=(data,)) for data in uploads]
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    before = rss_kb("VmRSS")
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "rss_before_mb": before / 1024,
        "peak_mb": rss_kb("VmHWM") / 1024,
        "growth_mb": (rss_kb("VmHWM") - before) / 1024,
        "seconds": time.perf_counter() - began,
        "outcomes": dict(Counter(outcomes)),
    }


def measure(tree: Path, paths: list[Path]) -> dict:
    result = subprocess.run(  # noqa: S603 (this script, with file names it wrote)
        [sys.executable, __file__, "--child", str(tree), *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=tree,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"measurement failed in {tree}:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the run --------------------------------------------------------------------------------------


def git(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run git on this repository, with arguments this script builds itself."""
    command = [shutil.which("git") or "git", "-C", str(ROOT), *args]
    return subprocess.run(command, capture_output=True, text=True, check=check)  # noqa: S603


def ref_exists(ref: str) -> bool:
    found = git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if found.returncode != 0:
        print(f"no git ref {ref!r}: measuring this tree only")
    return found.returncode == 0


def baseline_tree(ref: str, directory: Path) -> Path:
    tree = directory / "baseline"
    git("worktree", "add", "--quiet", "--detach", str(tree), ref)
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=8, help="uploads at once (default 8)")
    parser.add_argument("--scenario", choices=SCENARIOS, action="append", help="default: all")
    parser.add_argument("--baseline-ref", default="main", help="git ref measured as 'before' (default main)")
    parser.add_argument("--no-baseline", action="store_true", help="measure this tree only")
    args = parser.parse_args()
    scenarios = args.scenario or list(SCENARIOS)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-evidence-") as temp:
        directory = Path(temp)
        files = make_files(directory)
        for name, path in files.items():
            print(f"{name:16} {describe(path)}")
        trees = [("after", ROOT)]
        baseline = not args.no_baseline and ref_exists(args.baseline_ref)
        if baseline:
            trees.insert(0, ("before", baseline_tree(args.baseline_ref, directory)))
        try:
            print(f"\n{args.uploads} uploads at once; VmHWM of a fresh process, MB")
            print(f"{'scenario':16} {'code':7} {'RSS':>6} {'peak':>6} {'growth':>7} {'s':>5}  outcomes")
            for scenario in scenarios:
                for label, tree in trees:
                    figures = measure(tree, scenario_files(scenario, files, args.uploads))
                    rows.append({"scenario": scenario, "code": label, **figures})
                    counted = sorted(figures["outcomes"].items())
                    outcomes = ", ".join(f"{count}× {what}" for what, count in counted)
                    print(
                        f"{scenario:16} {label:7} {figures['rss_before_mb']:6.0f} {figures['peak_mb']:6.0f} "
                        f"{figures['growth_mb']:7.0f} {figures['seconds']:5.1f}  {outcomes}"
                    )
        finally:
            if baseline:
                git("worktree", "remove", "--force", str(directory / "baseline"), check=False)
    growth = {(row["scenario"], row["code"]): row["growth_mb"] for row in rows}
    if any(code == "before" for _scenario, code in growth):
        print("\npeak growth after / before (the baseline measured in this run):")
        for scenario in scenarios:
            before, after = growth[(scenario, "before")], growth[(scenario, "after")]
            print(f"  {scenario:16} {after:6.0f} / {before:6.0f} MB = {after / before:.3f}")
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "evidence.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3:])))
    else:
        main()
