"""Big inputs load with bounded memory."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from mlstudy.paths import content_dir

CARDS = 100_000
PER_FILE = 2_000
MEMORY_LIMIT = 300 * 1024 * 1024


def test_hundred_thousand_card_deck_loads_with_bounded_memory(tmp_path: Path) -> None:
    pack = tmp_path / "content" / "big"
    cards = pack / "cards"
    cards.mkdir(parents=True)
    shutil.copy(content_dir() / "mls-c01" / "exam.toml", pack / "exam.toml")
    for file_no in range(CARDS // PER_FILE):
        lines = [f"---\ndomain: {file_no % 4 + 1}\ntags: bulk\n---\n"]
        for i in range(PER_FILE):
            n = file_no * PER_FILE + i
            lines.append(
                f"## Question number {n} about a topic? {{#bulk-{n}}}\n\n"
                f"Answer {n}: a short answer with `code` and *emphasis*.\n"
            )
        (cards / f"bulk-{file_no:03}.md").write_text("\n".join(lines), encoding="utf-8")
    # A fresh process, so its peak resident memory is the load's and nothing else's.
    # Linux's ru_maxrss keeps the high-water mark of the image before exec (the forked
    # copy of this big test process), so the process's own VmHWM is read where there is one.
    code = (
        "import resource, sys\nfrom pathlib import Path\n"
        "from mlstudy.decks.loader import load_decks\n"
        "r = load_decks([Path(sys.argv[1])])\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
        "status = Path('/proc/self/status')\n"
        "if status.exists():\n"
        "    line = next(x for x in status.read_text().splitlines() if x.startswith('VmHWM:'))\n"
        "    peak = int(line.split()[1]) * 1024\n"
        "print(len(r.cards), len(r.problems), peak)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(pack)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout.split()
    cards_loaded, problems, peak = (int(x) for x in out)
    assert (cards_loaded, problems) == (CARDS, 0)
    assert peak < MEMORY_LIMIT, f"peak {peak / 1e6:.0f} MB"
