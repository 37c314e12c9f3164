"""/stations: the roster of 就业红娘 stations (one per 社区/村)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Response
from pydantic import ConfigDict, Field
from sqlalchemy import select

from schemas.ids import CommunityCode, EntityId, StreetCode
from schemas.reference import Community, community_fault
from schemas.requests import RequestModel
from services.runtime.errors import ProblemError, validation_detail
from services.runtime.http import write_router

from ..deps import ApplierDep, CommunitiesDep, IndexDep, NowDep, SessionDep
from ..handlers import Handler
from ..store import Case, Station

router = write_router(prefix="/stations", tags=["红娘站点"])

Name = Annotated[str, Field(min_length=1, max_length=40)]
Phone = Annotated[str, Field(pattern=r"^[0-9+\-]{5,20}$")]


class StationIn(RequestModel):
    station_code: EntityId = Field(description="站点编码")
    street_code: StreetCode
    community: Name = Field(description="社区/村名称")
    community_code: CommunityCode | None = Field(
        None, description="所服务的社区/行政村代码（须在社区名单中且属于 street_code 所指街镇）")
    matchmaker_id: EntityId
    matchmaker_name: Name = Field(description="红娘显示名称，仅存于本服务，不进入事件")
    matchmaker_phone: Phone | None = None
    active: bool = True


class StationPatch(RequestModel):
    community: Name | None = None
    community_code: CommunityCode | None = Field(None, description="所服务的社区/行政村代码；传 null 即清除")
    matchmaker_id: EntityId | None = None
    matchmaker_name: Name | None = None
    matchmaker_phone: Phone | None = None
    active: bool | None = None


class StationOut(StationIn):
    model_config = ConfigDict(from_attributes=True)


def check_community(code: str | None, street_code: str, communities: Mapping[str, Community]) -> None:
    """A station's community code must be in the list and in the station's 街镇 (the rule persons' codes
    follow: ``schemas.reference.community_fault``); checked before anything is changed."""
    fault = None if code is None else community_fault(communities, code, street_code)
    if fault is not None:
        errors = [{"field": "body.community_code", "message": fault[1], "type": fault[0]}]
        raise ProblemError(422, "validation_failed", validation_detail(errors), errors=errors)


def get_station(session: SessionDep, station_code: str) -> Station:
    station = session.get(Station, station_code)
    if station is None:
        raise ProblemError(404, "station_not_found", "未找到该红娘站点")
    return station


@router.post("", status_code=201, response_model=StationOut, summary="新建红娘站点")
def create_station(body: StationIn, session: SessionDep, index: IndexDep,
                   now: NowDep, applier: ApplierDep, communities: CommunitiesDep) -> Station:
    """Creates a station; requests waiting for any station are dispatched right away."""
    check_community(body.community_code, body.street_code, communities)
    if session.get(Station, body.station_code) is not None:
        raise ProblemError(409, "station_exists", "站点编码已存在")
    station = Station(**body.model_dump())
    session.add(station)
    session.flush()
    Handler(session, index, now, applier.referrals).dispatch_parked()
    return station


@router.get("", response_model=list[StationOut], summary="查询红娘站点")
def list_stations(session: SessionDep, street_code: StreetCode | None = None) -> list[Station]:
    query = select(Station).order_by(Station.station_code)
    if street_code is not None:
        query = query.where(Station.street_code == street_code)
    return list(session.scalars(query))


@router.get("/{station_code}", response_model=StationOut, summary="查看红娘站点")
def read_station(station_code: str, session: SessionDep) -> Station:
    return get_station(session, station_code)


@router.patch("/{station_code}", response_model=StationOut, summary="修改红娘站点（更换红娘、停用等）")
def update_station(station_code: str, body: StationPatch,
                   session: SessionDep, communities: CommunitiesDep) -> Station:
    """Open cases stay with the matchmaker they were dispatched to; new cases go to the new one."""
    station = get_station(session, station_code)
    check_community(body.community_code, station.street_code, communities)
    for name, value in body.model_dump(exclude_unset=True).items():
        if value is None and name not in ("matchmaker_phone", "community_code"):
            raise ProblemError(422, "validation_failed", "字段不能为空",
                               errors=[{"field": f"body.{name}", "message": "不能为空", "type": "null"}])
        setattr(station, name, value)
    return station


@router.delete("/{station_code}", status_code=204, summary="删除红娘站点（仅限无工单的站点）")
def delete_station(station_code: str, session: SessionDep) -> Response:
    station = get_station(session, station_code)
    if session.scalars(select(Case.case_id).where(Case.station_code == station_code).limit(1)).first() is not None:
        raise ProblemError(409, "station_has_cases", "站点已有工单，只能停用不能删除")
    session.delete(station)
    return Response(status_code=204)
