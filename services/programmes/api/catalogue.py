"""项目目录: the programme catalogue the service decides by, with its version."""

from __future__ import annotations

from fastapi import APIRouter

from ..catalogue import Catalogue
from ..deps import CatalogueDep

router = APIRouter(prefix="/programmes", tags=["项目目录"])


@router.get("/catalogue", summary="项目目录（金额规则、上限、年度目标与政策依据；每笔补贴记录其版本）",
            response_model=Catalogue)
async def read_catalogue(catalogue: CatalogueDep) -> Catalogue:
    return catalogue
