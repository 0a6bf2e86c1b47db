"""Loading postcode points (ONS columns or a simple file) and finding a postcode's point."""

from __future__ import annotations

from pathlib import Path

import pytest

from directory.demo import POSTCODES_FILE
from directory.exchange.postcodes import load_postcodes, normalise, postcode_point
from directory.openreferral.filters import distance_metres
from directory.tables import Postcode
from hub.errors import Invalid

DUNDEE = (56.462, -2.9707)


async def points() -> dict[str, tuple[float, float]]:
    rows = await Postcode.select()
    return {row["postcode"]: (row["latitude"], row["longitude"]) for row in rows}


async def test_ons_and_simple_files_load_with_bad_lines_reported(tmp_path: Path) -> None:
    path = tmp_path / "onspd.csv"
    path.write_text(
        "pcd,pcd2,pcds,dointr,doterm,lat,long\n"
        "DD2 3AB,DD2  3AB,DD2 3AB,198001,,56.4684,-3.0205\n"
        "DD1 1AA,DD1  1AA,dd1 1aa,198001,,56.4598,-2.9716\n"
        "XX9 9XX,XX9  9XX,not one,198001,,56.0,-3.0\n"
        "DD4 0AA,DD4  0AA,DD4 0AA,198001,,north,-2.9\n"
        "DD9 9ZZ,DD9  9ZZ,DD9 9ZZ,198001,,99.999999,0.000000\n"
        "DD5 1AA,DD5  1AA,DD5 1AA,198001,,56.4665,-200\n",
        encoding="utf-8",
    )
    ticks: list[int] = []
    result = await load_postcodes(path, ticks.append)
    assert result.loaded == 2
    assert result.skipped == 1  # the ONS marks a postcode without a point with 99.999999
    assert [str(problem) for problem in result.problems] == [
        "line 4, field 'pcds': not a postcode",
        "line 5, field 'lat': not a number",
        "line 7, field 'long': -200.0 is outside ±180",
    ]
    assert sum(ticks) == 6
    assert await points() == {"DD23AB": (56.4684, -3.0205), "DD11AA": (56.4598, -2.9716)}
    path = tmp_path / "points.csv"
    path.write_text("# my points\npostcode,latitude,longitude\nDD2 3AB,56.1,-3.1\n", "utf-8")
    assert (await load_postcodes(path)).loaded == 1
    path.write_text("# moved\n\npostcode,latitude,longitude\nDD2 3AB,56.2,-3.2\nbad,1,1\n", "utf-8")
    result = await load_postcodes(path)
    assert [str(problem) for problem in result.problems] == [
        "line 5, field 'postcode': not a postcode"
    ]
    assert (await points())["DD23AB"] == (56.2, -3.2)  # loading again updates
    path.write_text("code,lat\nDD2 3AB,56\n", "utf-8")
    with pytest.raises(Invalid):
        await load_postcodes(path)


async def test_postcode_points_fall_back_to_sector_and_district_and_the_shipped_table() -> None:
    await Postcode.insert(
        Postcode(postcode="DD23AA", latitude=56.0, longitude=-3.0),
        Postcode(postcode="DD23BB", latitude=56.2, longitude=-3.2),
        Postcode(postcode="DD24AA", latitude=57.0, longitude=-4.0),
        Postcode(postcode="DD113AA", latitude=50.0, longitude=-1.0),  # district DD11, not DD1
        Postcode(postcode="DD11AA", latitude=56.46, longitude=-2.97),
    )
    assert await postcode_point("dd2 3aa") == (56.0, -3.0)
    assert await postcode_point("DD2 3ZZ") == pytest.approx((56.1, -3.1))  # its sector
    assert await postcode_point("DD2 9ZZ") == pytest.approx((56.4, -3.4))  # its district
    assert await postcode_point("DD2 3") == pytest.approx((56.1, -3.1))
    assert await postcode_point("DD2") == pytest.approx((56.4, -3.4))
    assert await postcode_point("DD11") == (50.0, -1.0)  # the district, before sector DD1 1
    assert await postcode_point("DD1 1") == (56.46, -2.97)
    assert await postcode_point("ZZ1 1ZZ") is None
    assert await postcode_point("") is None
    assert normalise(" dd2  3ab ") == "DD23AB"
    await Postcode.delete(force=True)
    result = await load_postcodes(POSTCODES_FILE)
    assert result.problems == []
    assert 40 <= result.loaded <= 80
    found = await points()
    assert {code[:3] for code in found} >= {"DD1", "DD2", "DD3", "DD4", "DD5"}
    assert sum(code.startswith("DD23") for code in found) >= 5  # Lochee, where the hub is
    assert all(distance_metres(DUNDEE, point) < 15_000 for point in found.values())
    assert POSTCODES_FILE.read_text().startswith("# DEMO DATA")
