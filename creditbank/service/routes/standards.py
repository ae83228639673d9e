"""Programmes, their requirements and rules, and their maps (read-only).

A programme is named by its id or by its unique catalogue code, as on the command line; an
unknown one is 404 ``UNKNOWN_PROGRAM``. The documents are the library's own models (a
:class:`~creditbank.models.Program`, its :class:`~creditbank.models.Rule` s and
:class:`~creditbank.models.Cap` s, each with its ``source``), so the OpenAPI document
describes exactly what a standards file holds.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from creditbank.engine.evaluate import resolve_program
from creditbank.engine.index import rule_index
from creditbank.graph.build import build_graph
from creditbank.graph.draw import render_svg
from creditbank.graph.scene import program_scene
from creditbank.models import Cap, Program, Rule
from creditbank.models.values import Label
from creditbank.service.auth import current_state
from creditbank.service.dependencies import standards_reader
from creditbank.service.inputs import Lang, engine_problems
from creditbank.service.state import ServiceState

__all__ = ["ProgramDetail", "ProgramSummary", "router"]

router = APIRouter(tags=["standards"], dependencies=[Depends(standards_reader)])

SVG_MEDIA_TYPE = "image/svg+xml"
State = Annotated[ServiceState, Depends(current_state)]


class ProgramSummary(BaseModel):
    """One programme of the standards, in a line."""

    id: str
    name: Label
    code: str | None = Field(default=None, description="Catalogue code, e.g. 460301.")
    school: str | None = Field(default=None, description="The issuer id of its school.")
    education_level: str
    total_credits: Decimal
    credit_unit: str
    duration_years: int | None = None
    requirements: int = Field(description="How many requirement groups it has.")
    example: bool = Field(description="True when the programme is illustrative, not official.")

    @classmethod
    def of(cls, program: Program) -> ProgramSummary:
        return cls(
            id=program.id,
            name=program.name,
            code=program.code,
            school=str(program.school) if program.school is not None else None,
            education_level=str(program.education_level),
            total_credits=program.total_credits,
            credit_unit=program.credit_unit,
            duration_years=program.duration_years,
            requirements=len(program.requirements),
            example=program.example,
        )


class ProgramDetail(BaseModel):
    """A programme with its requirements, the conversion rules that credit it and the caps
    that bound them (each with the source it comes from)."""

    program: Program
    rules: list[Rule] = Field(description="The programme's conversion rules, by id.")
    caps: list[Cap] = Field(description="The caps that apply to the programme on some day.")


@router.get("/v1/programs", summary="The programmes")
def list_programs(state: State) -> list[ProgramSummary]:
    """Every programme of the loaded standards, in the standards' order."""
    return [ProgramSummary.of(program) for program in state.standards.programs.values()]


@router.get(
    "/v1/programs/{program}",
    summary="One programme, its requirements, rules and caps",
    responses={404: {"description": "No programme has this id or catalogue code."}},
)
def get_program(program: str, state: State) -> ProgramDetail:
    """The programme named by id or unique catalogue code (404 ``UNKNOWN_PROGRAM``
    otherwise), with its requirements, the rules that convert into it and the caps on them."""
    with engine_problems(program_in_path=True):
        found = resolve_program(state.standards, program)
    index = rule_index(state.standards).program(found)
    return ProgramDetail(program=found, rules=list(index.rules), caps=list(index.caps))


@router.get(
    "/v1/programs/{program}/map.svg",
    summary="The programme's map, as SVG",
    response_class=Response,
    responses={
        200: {"content": {SVG_MEDIA_TYPE: {}}, "description": "The map (SVG)."},
        404: {"description": "No programme has this id or catalogue code."},
    },
)
def program_map(
    program: str,
    state: State,
    lang: Annotated[Lang, Query(description="Language of the names.")] = "zh",
    engine: Annotated[
        Literal["python", "dot", "auto"],
        Query(
            description="Layout: the built-in one (default), or Graphviz dot when the "
            "server has it (`auto`, `dot`; otherwise the built-in one)."
        ),
    ] = "python",
) -> Response:
    """The picture ``creditbank graph --program P --format svg`` draws: the programme's
    requirements, the courses conversions exempt, and the certificates and training that
    convert into them, coloured by kind."""
    with engine_problems(program_in_path=True):
        scene = program_scene(build_graph(state.standards), program, lang=lang)
    return Response(render_svg(scene, engine=engine), media_type=SVG_MEDIA_TYPE)
