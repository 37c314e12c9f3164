"""``leye reference load communities``: the bureau's CSV validated, written, reported, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from leye.refdata import app
from schemas.reference import CommunityFileError, load_communities, parse_communities_csv, shipped_communities_path

HEADER = "code,name,street_code,kind,demo\n"
GOOD = HEADER + "120111001001,西营门社区,120111001,社区,\n120111100201,大柳滩村,120111100,行政村,true\n"


def _load(csv_file: Path, target: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["load", "communities", str(csv_file), "--to", str(target)])
    return result.exit_code, result.output


def test_load_reports_what_changed_and_a_second_load_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "communities.json"
    target.write_text(shipped_communities_path().read_text("utf-8"), "utf-8")
    csv_file = tmp_path / "bureau.csv"
    csv_file.write_text(GOOD, "utf-8")

    code, output = _load(csv_file, target)
    assert code == 0, output
    assert "新增 120111001001 西营门社区" in output and "删除 120111001901 西营东社区" in output
    assert "新增 2 个，变更 0 个，删除 48 个" in output
    loaded = load_communities(target)
    assert [(c.code, c.name, c.street_code, c.kind, c.demo) for c in loaded.values()] == [
        ("120111001001", "西营门社区", "120111001", "社区", False),
        ("120111100201", "大柳滩村", "120111100", "行政村", True),
    ]
    written = target.read_bytes()

    code, output = _load(csv_file, target)
    assert code == 0 and "无变化" in output
    assert target.read_bytes() == written

    csv_file.write_text(GOOD.replace("大柳滩村", "小柳滩村"), "utf-8")
    code, output = _load(csv_file, target)
    assert code == 0 and "变更 120111100201 大柳滩村→小柳滩村" in output
    assert load_communities(target)["120111100201"].name == "小柳滩村"


@pytest.mark.parametrize(("text", "line", "field", "message"), [
    pytest.param(HEADER + "12011100100,西营门社区,120111001,社区,\n", 2, "code", "12 位数字", id="short code"),
    pytest.param(HEADER + "120111002001,西营门社区,120111001,社区,\n", 2, "code", "前 9 位", id="code of another 街镇"),
    pytest.param(GOOD + "120111001001,另一社区,120111001,社区,\n", 4, "code", "重复", id="duplicate code"),
    pytest.param(GOOD + "120111001002,西营门社区,120111001,社区,\n", 4, "name", "重复", id="duplicate name"),
    pytest.param(HEADER + "120111999001,某社区,120111999,社区,\n", 2, "street_code", "未知的街镇", id="unknown 街镇"),
    pytest.param(HEADER + "120111001001,西营门社区,120111001,居委会,\n", 2, "kind", "社区", id="unknown kind"),
    pytest.param(HEADER + "120111001001,,120111001,社区,\n", 2, "name", "不得为空", id="blank name"),
    pytest.param("code,name,kind\n", 1, "street_code", "缺少列", id="missing column"),
])
def test_a_bad_row_is_named_and_nothing_is_written(tmp_path: Path, text: str, line: int, field: str,
                                                   message: str) -> None:
    with pytest.raises(CommunityFileError) as refused:
        parse_communities_csv(text)
    assert (refused.value.row, refused.value.field) == (line, field)
    assert message in str(refused.value) and f"第 {line} 行" in str(refused.value)

    target = tmp_path / "communities.json"
    target.write_text(shipped_communities_path().read_text("utf-8"), "utf-8")
    before = target.read_bytes()
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(text, "utf-8")
    code, output = _load(csv_file, target)
    assert code == 1 and f"第 {line} 行" in output and "未作任何改动" in output
    assert target.read_bytes() == before


def test_the_shipped_list_is_the_demo_one_station_per_community() -> None:
    from leye.demo import demo_stations

    shipped = load_communities()
    assert all(c.demo for c in shipped.values())
    assert {(c.street_code, c.name) for c in shipped.values()} == {
        (s["street_code"], s["community"]) for s in demo_stations()}
