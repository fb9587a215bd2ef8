"""The wheel is the product only: `bot/`, never the stand-ins, the harness or the demo; and the
two commands that need them say so from an installed wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_holds_the_bot_only_and_demo_says_it_needs_a_checkout(tmp_path: Path) -> None:
    # A copy, so that the build's scratch folders never land in the checkout.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    for package in ("bot", "standins"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__py*"))
    out = tmp_path / "dist"
    # pip builds it as `pip install .` would: the backend pyproject.toml names, in isolation.
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), "."],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = out.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()

    assert "bot/cli.py" in names and "bot/web.py" in names
    assert {name.split("/")[0] for name in names} == {"bot", "partner_fix-0.1.0.dist-info"}
    assert [
        name
        for name in names
        if "standins" in name
        or "sandbox" in name
        or name.endswith(("drive.py", "demo.py", "harness.py", "seed.json"))
    ] == []

    # Installed from the wheel (no checkout on the path): the demo explains, in one line.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    for command in ("demo", "sandbox"):
        ran = subprocess.run(
            [sys.executable, "-m", "bot", command],
            cwd=tmp_path,
            env={"PYTHONPATH": str(site)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert ran.returncode == 2, ran.stderr
        assert "the demo and the sandbox run from a checkout of the project" in ran.stderr
        assert "Traceback" not in ran.stderr and ran.stdout == ""
