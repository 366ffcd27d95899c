"""A SIGKILL while a segment is being written loses no acknowledged answer, and the
other devices never see a part of a segment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mlstudy.services import Library
from mlstudy.services.sync import SUBFOLDER
from tests.sync.helpers import log_of, open_device, states_of

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from mlstudy.services import Library
    import mlstudy.services.sync as sync

    data, folder, pack = (Path(p) for p in sys.argv[1:4])
    library = Library.open(data, content_root=pack, lock=False)
    library.sync.set_folder(folder)
    for key in ("t-kds", "t-eta", "t-recall"):
        card = next(c for c in range(1, 10) if library.card(c).key == key)
        library.answer(card, 4)
        print("ack", key, flush=True)

    def torn_fsync(fd: int) -> None:
        # Half the segment is on disk under its temporary name: die now.
        os.ftruncate(fd, os.fstat(fd).st_size // 2)
        os.kill(os.getpid(), signal.SIGKILL)

    sync.os.fsync = torn_fsync
    library.sync.run()
    print("not reached", flush=True)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_during_a_segment_write(tmp_path: Path, pack: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    data = tmp_path / "laptop"
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(data), str(folder), str(pack)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    acknowledged = [line.split()[1] for line in child.stdout.splitlines() if line.startswith("ack")]
    assert acknowledged == ["t-kds", "t-eta", "t-recall"]
    (own,) = (folder / SUBFOLDER).iterdir()
    assert [p.name for p in own.iterdir() if not p.name.startswith(".")] == []
    assert any(p.name.endswith(".tmp") for p in own.iterdir())  # the torn file, hidden

    desktop = open_device(tmp_path, "desktop", pack)
    desktop.library.sync.set_folder(folder)  # the same folder: it sees what is there
    try:
        assert desktop.sync() == {"sent": 0, "received": 0, "devices": 2, "problems": []}
        laptop = Library.open(data, content_root=pack, lock=False)
        try:
            assert laptop.sync.run() is not None  # the segment written again, whole
            assert desktop.sync()["received"] == 3
            assert set(states_of(desktop.library)) == set(acknowledged)
            assert log_of(desktop.library) == log_of(laptop)
            assert states_of(desktop.library) == states_of(laptop)
        finally:
            laptop.close()
    finally:
        desktop.library.close()
