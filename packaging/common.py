"""What the three PyInstaller specs share: names, version, data files, exclusions.

The specs (``packaging/mlstudy-{linux,windows,macos}.spec``) add this folder to
``sys.path`` through ``SPECPATH`` and import this module; each spec then only says
what is particular to its OS. Imports are static, so there is no hidden-import list:
PyInstaller finds every module mlstudy needs by following its imports.

``python packaging/common.py --version`` prints the version (used by ``make dist``).
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
RESOURCES = ROOT / "resources"

APP_NAME = "mlstudy"
APP_ID = "io.github.mlstudy.mlstudy"
APP_DESCRIPTION = "Offline flashcards and a study plan for AWS machine-learning certifications"
COPYRIGHT = "Copyright (c) the mlstudy authors. MIT License."

#: The script PyInstaller freezes: it only calls ``mlstudy.cli.main``.
ENTRY_SCRIPT = str(PACKAGING / "launcher.py")
#: Folders searched for imports during analysis (the repo root holds ``mlstudy/``).
PATHEX = [str(ROOT)]

ICON_PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICON_ICO = str(RESOURCES / "mlstudy.ico")
ICON_ICNS = str(RESOURCES / "mlstudy.icns")
DESKTOP_FILE = RESOURCES / f"{APP_ID}.desktop"


def read_version() -> str:
    """The version in ``pyproject.toml`` (the one place it is written)."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        version = tomllib.load(handle)["project"]["version"]
    if not isinstance(version, str):
        raise SystemExit("pyproject.toml: [project] version must be a string")
    return version


VERSION = read_version()


def version_tuple(version: str = VERSION) -> tuple[int, int, int, int]:
    """Four integers for Windows' version resource: ``0.1.0`` -> (0, 1, 0, 0).

    Pre-release suffixes are dropped (``1.2.0rc1`` -> (1, 2, 0, 0)).
    """
    numbers = [int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3]]
    numbers += [0] * (4 - len(numbers))
    return (numbers[0], numbers[1], numbers[2], numbers[3])


# --- data files -------------------------------------------------------------------

#: Bundled folders, mirrored to the same relative path inside the bundle, where
#: ``mlstudy.paths.bundle_root()`` (``sys._MEIPASS``) finds them.
DATA_DIRS = ("content", "resources")
#: Files in those folders that are tooling, not data.
_SKIP_DATA_SUFFIXES = {".py", ".pyc"}
_SKIP_DATA_DIRS = {"__pycache__"}


def _data_files() -> Iterator[tuple[str, str]]:
    for folder in DATA_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            relative = path.relative_to(ROOT)
            if not path.is_file() or path.suffix in _SKIP_DATA_SUFFIXES:
                continue
            if _SKIP_DATA_DIRS.intersection(relative.parts):
                continue
            yield str(path), str(relative.parent)


#: ``Analysis(datas=...)``: (source file, destination folder inside the bundle).
DATAS = list(_data_files())


# --- exclusions -------------------------------------------------------------------

#: Qt for Python modules mlstudy does not use. It uses QtCore, QtGui and QtWidgets;
#: pyqtgraph also imports QtOpenGL/QtOpenGLWidgets (always) and QtSvg (its SVG
#: exporter), so those stay. If the GUI starts using one of these, drop it here.
# fmt: off
_UNUSED_QT = [
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
    "QtAxContainer", "QtBluetooth", "QtCanvasPainter", "QtCharts", "QtConcurrent",
    "QtDataVisualization", "QtDBus", "QtDesigner", "QtGraphs", "QtGraphsWidgets", "QtHelp",
    "QtHttpServer", "QtLabsStyleKit", "QtLocation", "QtMultimedia", "QtMultimediaWidgets",
    "QtNetwork", "QtNetworkAuth", "QtNfc", "QtPdf", "QtPdfWidgets", "QtPositioning",
    "QtPrintSupport", "QtQml", "QtQmlFeatures", "QtQuick", "QtQuick3D", "QtQuickControls2",
    "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus",
    "QtSerialPort", "QtSpatialAudio", "QtSql", "QtStateMachine", "QtSvgWidgets", "QtTest",
    "QtTextToSpeech", "QtUiTools", "QtWebChannel", "QtWebEngineCore", "QtWebEngineQuick",
    "QtWebEngineWidgets", "QtWebSockets", "QtWebView", "QtXml",
]
# fmt: on

EXCLUDES = [
    *(f"PySide6.{name}" for name in _UNUSED_QT),
    # Other Qt bindings pyqtgraph would try; mlstudy runs on PySide6 only.
    "PyQt5",
    "PyQt6",
    "PySide2",
    "shiboken2",
    # pyqtgraph's optional parts: 3D/OpenGL items (need PyOpenGL), notebooks, the
    # flowchart and console widgets, examples, and the accelerators it only probes for.
    "pyqtgraph.opengl",
    "OpenGL",
    "pyqtgraph.jupyter",
    "jupyter_rfb",
    "pyqtgraph.flowchart",
    "pyqtgraph.console",
    "pyqtgraph.examples",
    "numba",
    "cupy",
    "h5py",
    "scipy",
    "matplotlib",
    "colorcet",
    # Big standard-library and third-party packages nothing in mlstudy imports.
    "tkinter",
    "_tkinter",
    "turtle",
    "turtledemo",
    "idlelib",
    "lib2to3",
    "pydoc_data",
    "ensurepip",
    "venv",
    "distutils",
    "setuptools",
    "pkg_resources",
    "pip",
    "PIL",  # only resources/make_icons.py uses Pillow, at development time
    "IPython",
    "numpy.f2py",
    "numpy.distutils",
    # Test and development tools installed in the venv.
    "test",
    "tests",
    "numpy.tests",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "mypy",
    "ruff",
    "importlinter",
    "grimp",
]


def keep_file(dest_name: str) -> bool:
    """False for collected files the app never reads (filter for ``a.datas``).

    Qt's translations (~30 MB): the interface is English only.
    """
    parts = Path(dest_name).parts
    return not ("translations" in parts and "PySide6" in parts)


def windows_version_info(exe_name: str, description: str = APP_DESCRIPTION) -> object:
    """The Windows version resource (``EXE(version=...)``) built from the version.

    Import inside: PyInstaller's ``versioninfo`` needs ``pefile``, installed on Windows.
    """
    from PyInstaller.utils.win32.versioninfo import (
        FixedFileInfo,
        StringFileInfo,
        StringStruct,
        StringTable,
        VarFileInfo,
        VarStruct,
        VSVersionInfo,
    )

    numbers = version_tuple()
    strings = {
        "CompanyName": "mlstudy",
        "FileDescription": description,
        "FileVersion": VERSION,
        "InternalName": exe_name,
        "LegalCopyright": COPYRIGHT,
        "OriginalFilename": f"{exe_name}.exe",
        "ProductName": APP_NAME,
        "ProductVersion": VERSION,
    }
    return VSVersionInfo(
        ffi=FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[
            # 0x0409 US English, 0x04B0 = 1200 Unicode.
            StringFileInfo(
                [StringTable("040904B0", [StringStruct(k, v) for k, v in strings.items()])]
            ),
            VarFileInfo([VarStruct("Translation", [0x0409, 1200])]),
        ],
    )


def check_bundle(bundle_dir: str | Path) -> None:
    """Fail the build when a bundled data folder is missing (paths.py expects them)."""
    for folder in DATA_DIRS:
        if not any(Path(bundle_dir).rglob(f"{folder}/*")):
            raise SystemExit(f"packaging: {folder}/ is missing from {bundle_dir}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--version"]:
        print(VERSION)
    else:
        print(f"usage: python {Path(__file__).name} --version", file=sys.stderr)
        raise SystemExit(2)
