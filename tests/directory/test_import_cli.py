"""`wraparound directory import | export | import-postcodes` as people run them."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from directory.demo import POSTCODES_FILE
from directory.tables import Postcode, Service
from directory.web import CLI_COMMANDS
from tests.support import pools_set_aside

WRAPAROUND = Path(sys.executable).parent / "wraparound"
ROOT = Path(__file__).resolve().parents[2]


async def command(*args: str) -> Result:
    """The command in-process, on a thread of its own (it runs its own event loop)."""
    group = next(command for command in CLI_COMMANDS if command.name == "directory")
    with pools_set_aside():
        return await asyncio.to_thread(CliRunner().invoke, group, list(args))


async def test_the_commands_import_export_and_load_postcodes(tmp_path: Path) -> None:
    loaded = await command("import-postcodes", str(POSTCODES_FILE))
    assert loaded.exit_code == 0, loaded.output
    assert "Postcodes loaded: 63; without a point (skipped): 0; bad lines: 0." in loaded.output
    assert await Postcode.count() == 63
    services = tmp_path / "services.csv"
    services.write_text(
        "name,organisation,postcode,latitude,longitude,hours\n"
        'Drop-in,Lochee Hub,DD2 3BX,,,"Mon-Fri 9-5"\n'
        "Lost,Lochee Hub,,north,-3.0,\n",
        encoding="utf-8",
    )
    imported = subprocess.run(  # the real program, as a script would run it
        [str(WRAPAROUND), "directory", "import", str(services)],
        env=dict(os.environ),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert imported.returncode == 1  # something failed: say so to scripts
    assert "line 3, field 'latitude': is not a number" in imported.stdout
    assert "Import finished: 1 created, 0 updated, 0 unchanged, 1 refused, of 2." in imported.stdout
    assert "Importing services.csv" in imported.stderr  # the progress bar
    assert await Service.count() == 1
    out = tmp_path / "export.json"
    exported = await command("export", "--format", "json", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    assert "Exported 1 services" in exported.output
    assert [service["name"] for service in json.loads(out.read_text())] == ["Drop-in"]
    missing = await command("import", str(tmp_path / "nowhere.json"))
    assert missing.exit_code == 1
    assert "no such file or folder" in missing.output
