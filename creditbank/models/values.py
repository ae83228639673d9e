"""Small value types shared by every model: ids, references, exact amounts, labels.

Amounts (credits, hours, scores) are :class:`decimal.Decimal`, never binary floats.
They accept ints, decimal strings and ``Decimal``; a float is accepted only when its
shortest decimal form fits the precision (two places), so ``0.30000000000000004`` is
refused instead of silently rounded.

>>> from pydantic import TypeAdapter
>>> TypeAdapter(Credits).validate_python("1.5")
Decimal('1.5')
>>> TypeAdapter(Share).validate_python("25%"), TypeAdapter(Share).validate_python("2/3")
(Fraction(1, 4), Fraction(2, 3))
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

__all__ = [
    "AMOUNT_PLACES",
    "NUMBER_SCHEMA",
    "Amount",
    "CapRef",
    "CourseRef",
    "CreditUnit",
    "CreditValue",
    "Credits",
    "Factor",
    "FrameworkRef",
    "GradeScaleRef",
    "Hours",
    "Id",
    "IssuerRef",
    "Label",
    "LevelName",
    "LocalId",
    "Model",
    "OccupationRef",
    "PeriodSetRef",
    "PositiveAmount",
    "ProgramRef",
    "Ref",
    "RuleRef",
    "Share",
    "ShortForm",
    "StrictDate",
    "UnitRef",
    "number_hint",
    "plain_number_text",
    "share_of",
    "share_text",
]


class Model(BaseModel):
    """Base of every creditbank model: immutable, unknown fields forbidden."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        validate_default=False,
        use_enum_values=True,
        defer_build=True,
    )


# --------------------------------------------------------------------------- ids

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/+-]{0,127}$")
LOCAL_ID_PATTERN = re.compile(r"^[^\s\x00-\x1f]{1,64}$")
_ID_RULE = "letters A-Z a-z, digits 0-9 and . _ : / + -, starting with a letter or digit"


def _id_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PydanticCustomError(
            "WRONG_TYPE", "an id must be text, got {got}", {"got": _kind(value)}
        )
    return str(value)


def check_id(value: Any) -> str:
    """Validate a global id; explain full-width or other look-alike characters.

    >>> check_id("6-31-01-03")
    '6-31-01-03'
    >>> try:
    ...     check_id("csco2022:６-31-01-03")
    ... except ValueError as error:
    ...     print(str(error).split(" (U+")[0])
    id 'csco2022:６-31-01-03' has the full-width character '６'
    """
    text = _id_text(value)
    if ID_PATTERN.fullmatch(text):
        return text
    for char in text:
        if ID_PATTERN.fullmatch("a" + char):
            continue
        folded = unicodedata.normalize("NFKC", char)
        if folded != char and ID_PATTERN.fullmatch("a" + folded):
            raise PydanticCustomError(
                "INVALID_ID",
                "id '{id}' has the full-width character '{char}' (U+{cp}); type '{folded}' instead",
                {"id": text, "char": char, "cp": f"{ord(char):04X}", "folded": folded},
            )
        raise PydanticCustomError(
            "INVALID_ID",
            "id '{id}' has the character '{char}' (U+{cp}); ids may use " + _ID_RULE,
            {"id": text, "char": char, "cp": f"{ord(char):04X}"},
        )
    raise PydanticCustomError(
        "INVALID_ID", "id '{id}' is empty or too long; ids may use " + _ID_RULE, {"id": text}
    )


def _check_local_id(value: Any) -> str:
    text = _id_text(value).strip()
    if not LOCAL_ID_PATTERN.fullmatch(text):
        raise PydanticCustomError(
            "INVALID_ID",
            "local id '{id}' must be 1 to 64 characters without spaces",
            {"id": text},
        )
    return text


Id = Annotated[
    str,
    BeforeValidator(check_id),
    WithJsonSchema({"type": "string", "pattern": ID_PATTERN.pattern}),
]
"""A global id of an item: unique among items of its kind across all standards files."""

LocalId = Annotated[
    str, BeforeValidator(_check_local_id), WithJsonSchema({"type": ["string", "integer"]})
]
"""An id inside one item (a level of a framework, a requirement of a programme)."""

LevelName = Annotated[
    str, BeforeValidator(_check_local_id), WithJsonSchema({"type": ["string", "integer"]})
]
"""A level named by its id, its name (zh or en) or an alias, resolved against a framework."""


class Ref(str):
    """A reference to another item by id; the subclass says which kind of item.

    References are plain strings to the caller (``UnitRef("x") == "x"``); the loader
    uses their class to check that the item exists and is of the right kind.
    """

    target: ClassVar[str] = ""
    unit_kind: ClassVar[str | None] = None

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        what = cls.unit_kind or cls.target
        return {"type": ["string", "integer"], "description": f"id of a {what}"}

    @classmethod
    def _validate(cls, value: Any) -> Ref:
        if isinstance(value, cls):
            return value
        return cls(check_id(value))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class FrameworkRef(Ref):
    target = "framework"


class OccupationRef(Ref):
    target = "occupation"


class UnitRef(Ref):
    target = "unit"


class CourseRef(UnitRef):
    unit_kind = "course"


class IssuerRef(Ref):
    target = "issuer"


class ProgramRef(Ref):
    target = "program"


class RuleRef(Ref):
    target = "rule"


class CapRef(Ref):
    target = "cap"


class GradeScaleRef(Ref):
    target = "grade_scale"


class PeriodSetRef(Ref):
    target = "period_set"


# ----------------------------------------------------------------------- amounts

AMOUNT_PLACES = 2


def _kind(value: Any) -> str:
    names = {bool: "true/false", str: "text", dict: "a mapping", list: "a list", tuple: "a list"}
    return names.get(type(value), type(value).__name__)


_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
"""A number as creditbank reads it from text: ASCII digits, a point, an exponent."""
_PREFIXED = re.compile(r"[-+]?0([xX][0-9a-fA-F_]+|[oO][0-7_]+|[bB][01_]+)")
_BASE_60 = re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?")
_BASES = {"x": "hexadecimal", "o": "octal", "b": "binary"}


def number_hint(text: str) -> str:
    """How to write ``text`` as a plain decimal number when it is a number written in
    another form (full-width digits, underscores, hexadecimal, base 60 …); else ``""``.

    >>> number_hint("６４")
    'it has non-ASCII digits; type 64'
    >>> number_hint("0x10")
    '0x10 is hexadecimal; write it in decimal: 16'
    >>> number_hint("1_000"), number_hint("abc")
    ('write it without underscores: 1000', '')
    """
    text = text.strip()
    ascii_digits = "".join(
        str(unicodedata.digit(c))
        if not c.isascii() and unicodedata.digit(c, None) is not None
        else unicodedata.normalize("NFKC", c)
        for c in text
    )
    if ascii_digits != text and (
        _PLAIN_NUMBER.fullmatch(ascii_digits) or re.fullmatch(r"[0-9]+\s*/\s*[0-9]+", ascii_digits)
    ):
        return f"it has non-ASCII digits; type {ascii_digits}"
    prefixed = _PREFIXED.fullmatch(text)
    if prefixed:
        base = _BASES[prefixed[1][0].lower()]
        return f"{text} is {base}; write it in decimal: {int(text.replace('_', ''), 0)}"
    if "_" in text and _PLAIN_NUMBER.fullmatch(text.replace("_", "")):
        return f"write it without underscores: {text.replace('_', '')}"
    if _BASE_60.fullmatch(text):
        return f"{text} is read as a YAML 1.1 base-60 number; write the value in decimal"
    if text.startswith("+") and _PLAIN_NUMBER.fullmatch(text):
        return f"write it without the plus sign: {text[1:]}"
    return ""


def plain_number_text(value: str, what: str) -> str:
    """The text of a number as written, refused when it is not plain decimal (or inf/nan,
    which :func:`to_decimal` reports as NOT_A_NUMBER)."""
    text = value.strip()
    if _PLAIN_NUMBER.fullmatch(text) or text.lower().lstrip("+-") in _NOT_FINITE:
        return text
    hint = number_hint(text)
    raise PydanticCustomError(
        "WRONG_TYPE",
        "{what} must be a plain decimal number, got '{text}'" + ("; {hint}" if hint else ""),
        {"what": what, "text": value, "hint": hint},
    )


_NOT_FINITE = ("inf", "infinity", "nan", "snan", ".inf", ".nan")


def to_decimal(value: Any, *, places: int = AMOUNT_PLACES, what: str = "amount") -> Decimal:
    """Read an exact decimal from an int, a decimal string, a ``Decimal`` or a float.

    >>> to_decimal("2.50")
    Decimal('2.50')
    >>> try:
    ...     to_decimal(0.1 + 0.2)
    ... except ValueError as error:
    ...     print(str(error)[:57])
    amount 0.30000000000000004 has more than 2 decimal places
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise PydanticCustomError(
            "WRONG_TYPE", "{what} must be a number, got {got}", {"what": what, "got": _kind(value)}
        )
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str):
        text = plain_number_text(value, what).replace(".inf", "inf").replace(".nan", "nan")
    else:
        text = str(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise PydanticCustomError(
            "WRONG_TYPE", "{what} must be a number, got '{text}'", {"what": what, "text": value}
        ) from None
    if not number.is_finite():
        raise PydanticCustomError(
            "NOT_A_NUMBER",
            "{what} must be a finite number, got {text}",
            {"what": what, "text": text},
        )
    if number.adjusted() >= 12:
        raise PydanticCustomError(
            "INVALID_VALUE", "{what} {text} is implausibly large", {"what": what, "text": text}
        )
    quantum = Decimal(1).scaleb(-places)
    if number != number.quantize(quantum):
        suggestion = number.quantize(quantum).normalize()
        raise PydanticCustomError(
            "AMOUNT_PRECISION",
            "{what} {text} has more than {places} decimal places; write it with at most "
            "{places}, e.g. {suggestion}",
            {"what": what, "text": text, "places": places, "suggestion": f"{suggestion:f}"},
        )
    if number < 0:
        raise PydanticCustomError(
            "NEGATIVE_AMOUNT",
            "{what} {text} is negative; amounts are zero or more",
            {"what": what, "text": text},
        )
    return number


def _amount_validator(what: str, *, positive: bool = False) -> Callable[[Any], Decimal]:
    def validate(value: Any) -> Decimal:
        number = to_decimal(value, what=what)
        if positive and number == 0:
            raise PydanticCustomError("INVALID_VALUE", "{what} must be more than 0", {"what": what})
        return number

    return validate


NUMBER_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": 0},
        {"type": "string", "pattern": r"^\s*\d+(\.\d{1,2})?\s*$"},
    ]
}

Amount = Annotated[
    Decimal, BeforeValidator(_amount_validator("amount")), WithJsonSchema(NUMBER_SCHEMA)
]
"""An exact non-negative amount with at most two decimal places."""

PositiveAmount = Annotated[
    Decimal,
    BeforeValidator(_amount_validator("amount", positive=True)),
    WithJsonSchema(NUMBER_SCHEMA),
]

Credits = Annotated[
    Decimal, BeforeValidator(_amount_validator("credits")), WithJsonSchema(NUMBER_SCHEMA)
]
"""Credits, in the credit unit of the programme they count towards (学分 by default)."""

Hours = Annotated[
    Decimal, BeforeValidator(_amount_validator("hours")), WithJsonSchema(NUMBER_SCHEMA)
]
"""Study hours (学时)."""


_FRACTION = re.compile(r"\s*([0-9]{1,6})\s*/\s*([0-9]{1,6})\s*")  # ASCII digits only


def _share(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        number = value
    elif isinstance(value, str) and (written := _FRACTION.fullmatch(value)):
        numerator, denominator = (int(g) for g in written.groups())
        if denominator == 0:
            raise PydanticCustomError(
                "INVALID_VALUE", "a share cannot divide by 0, got {v}", {"v": value}
            )
        number = Fraction(numerator, denominator)
    elif isinstance(value, str) and value.strip().endswith("%"):
        number = Fraction(to_decimal(value.strip()[:-1], places=2, what="share")) / 100
    else:
        number = Fraction(to_decimal(value, places=4, what="share"))
    if not 0 < number <= 1:
        raise PydanticCustomError(
            "INVALID_VALUE",
            "a share must be more than 0 and at most 1 (or 100%), got {v}",
            {"v": str(value)},
        )
    return number


def share_text(share: Fraction) -> str:
    """A share as written back: a decimal when it is one exactly (``0.25``), else ``2/3``.

    >>> share_text(Fraction(1, 4)), share_text(Fraction(2, 3)), share_text(Fraction(1))
    ('0.25', '2/3', '1')
    """
    denominator = share.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return f"{share.numerator}/{share.denominator}"
    return str(Decimal(share.numerator) / Decimal(share.denominator))


def share_of(amount: Decimal, share: Fraction, *, places: int = AMOUNT_PLACES) -> Decimal:
    """``share`` (or any exact factor) of ``amount``, rounded down to ``places`` decimals,
    exactly (no float or decimal division on the way): 2/3 of 100 is 66.66, never 66.67.

    Credits have at most two places, so a limit of 66.666… and one of 66.66 admit the same
    sums: flooring a share's limit to hundredths loses nothing.

    >>> share_of(Decimal(100), Fraction(2, 3)), share_of(Decimal(60), Fraction(1, 2))
    (Decimal('66.66'), Decimal('30'))
    """
    exact = Fraction(amount) * share
    scale = 10**places
    floored = Decimal(math.floor(exact * scale)).scaleb(-places)
    whole = floored.to_integral_value()
    return whole.quantize(Decimal(1)) if floored == whole else floored.normalize()


def _share_plain(share: Fraction) -> Decimal | str:
    """A share as plain data: a Decimal when it is one exactly (as shares were before
    fractions), else its fraction text."""
    text = share_text(share)
    return text if "/" in text else Decimal(text)


Share = Annotated[
    Fraction,
    PlainValidator(_share),
    PlainSerializer(_share_plain),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                # a decimal as text: how a share that is one is written back (0.25 -> "0.25")
                {"type": "string", "pattern": r"^\s*(0(\.\d{1,4})?|1(\.0{1,4})?)\s*$"},
                {"type": "string", "pattern": r"^\s*\d+(\.\d{1,2})?\s*%\s*$"},
                {"type": "string", "pattern": r"^\s*\d{1,6}\s*/\s*\d{1,6}\s*$"},
            ]
        }
    ),
]
"""A fraction of a whole, 0 < share <= 1, kept exact: ``"25%"`` is 1/4, ``"2/3"`` is 2/3
(never 0.6667), ``0.5`` is 1/2."""


def _factor(value: Any) -> Fraction:
    if isinstance(value, str) and (written := _FRACTION.fullmatch(value)):
        numerator, denominator = (int(g) for g in written.groups())
        number = Fraction(numerator, denominator) if denominator else Fraction(0)
    else:
        number = Fraction(to_decimal(value, places=4, what="factor"))
    if number <= 0:
        raise PydanticCustomError(
            "INVALID_VALUE", "a factor must be more than 0, got {v}", {"v": str(value)}
        )
    return number


Factor = Annotated[
    Fraction,
    PlainValidator(_factor),
    PlainSerializer(_share_plain),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0},
                {"type": "string", "pattern": r"^\s*\d+(\.\d{1,4})?\s*$"},  # written back
                {"type": "string", "pattern": r"^\s*\d{1,6}\s*/\s*\d{1,6}\s*$"},
            ]
        }
    ),
]
"""An exact positive factor: ``1.5``, ``"3/2"``, ``"1/16"``."""


def _strict_date(value: Any) -> Any:
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second, value.microsecond) != (0, 0, 0, 0):
            raise PydanticCustomError(
                "INVALID_DATE",
                "expected a date without a time of day, got {v}",
                {"v": value.isoformat()},
            )
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, re.ASCII):
            raise PydanticCustomError(
                "INVALID_DATE", "expected a date written YYYY-MM-DD, got '{v}'", {"v": value}
            )
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise PydanticCustomError(
                "INVALID_DATE",
                "{v} is not a calendar date; check the month and the day",
                {"v": text},
            ) from None
    raise PydanticCustomError(
        "WRONG_TYPE", "expected a date written YYYY-MM-DD, got {got}", {"got": _kind(value)}
    )


StrictDate = Annotated[
    date, BeforeValidator(_strict_date), WithJsonSchema({"type": "string", "format": "date"})
]
"""A calendar date, written YYYY-MM-DD."""


# -------------------------------------------------------------------- short forms


class ShortForm:
    """JSON-schema metadata: besides its full form, a value may be written ``alternative``.

    The models accept short forms (``level: 三级`` for ``{one_of: [三级]}``); this keeps the
    generated JSON Schema in step so editors accept them too.
    """

    def __init__(self, alternative: JsonSchemaValue) -> None:
        self.alternative = alternative

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"anyOf": [handler(schema), self.alternative]}


# ------------------------------------------------------------------ credit value

CreditUnit = Literal["credit", "ects", "hour", "uk_credit", "semester_hour", "quarter_hour"]
"""学分 (``credit``), ECTS, 学时 (``hour``), UK (CATS) credits, US semester and quarter hours."""
_UNIT_WORDS: dict[str, CreditUnit] = {
    "credit": "credit",
    "credits": "credit",
    "学分": "credit",
    "ects": "ects",
    "hour": "hour",
    "hours": "hour",
    "学时": "hour",
    "uk_credit": "uk_credit",
    "uk_credits": "uk_credit",
    "cats": "uk_credit",
    "semester_hour": "semester_hour",
    "semester_hours": "semester_hour",
    "quarter_hour": "quarter_hour",
    "quarter_hours": "quarter_hour",
}


class CreditValue(Model):
    """What a unit is worth, with its unit: 学分 (``credit``), ECTS, or 学时 (``hour``).

    Written as a number (学分), ``"5 ECTS"``, ``"32 学时"`` or ``{amount: 4, unit: credit}``.

    >>> CreditValue.model_validate("5 ECTS")
    CreditValue(amount=Decimal('5'), unit='ects')
    >>> CreditValue.model_validate(1.5).amount
    Decimal('1.5')
    """

    amount: Amount
    unit: CreditUnit = "credit"

    @model_validator(mode="before")
    @classmethod
    def _from_short_form(cls, data: Any) -> Any:
        if isinstance(data, bool | list | tuple):
            raise PydanticCustomError(
                "WRONG_TYPE",
                "a credit value is a number, optionally followed by 学分, ECTS or 学时, got {v}",
                {"v": _kind(data)},
            )
        if isinstance(data, int | float | Decimal):
            return {"amount": data}
        if isinstance(data, str):
            match = re.fullmatch(r"\s*([0-9._]+)\s*([A-Za-z_\u4e00-\u9fff]*)\s*", data)
            if not match:
                hint = number_hint(data)
                raise PydanticCustomError(
                    "WRONG_TYPE",
                    "a credit value is a number, optionally followed by 学分, ECTS or "
                    "学时, got '{v}'" + ("; {hint}" if hint else ""),
                    {"v": data, "hint": hint},
                )
            word = match.group(2).lower()
            if word and word not in _UNIT_WORDS:
                raise PydanticCustomError(
                    "INVALID_VALUE",
                    "unknown credit unit '{w}'; use credit (学分), ECTS, hour (学时), "
                    "uk_credit, semester_hour or quarter_hour",
                    {"w": match.group(2)},
                )
            return {"amount": match.group(1), "unit": _UNIT_WORDS.get(word, "credit")}
        return data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        full = handler(schema)
        return {
            "anyOf": [
                NUMBER_SCHEMA["anyOf"][0],
                {
                    "type": "string",
                    "pattern": r"^\s*\d+(\.\d{1,2})?\s*(学分|学时|[A-Za-z_]+)?\s*$",
                },
                full,
            ]
        }


# ------------------------------------------------------------------------ labels

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class Label(Model):
    """A bilingual name. A plain string is taken as Chinese if it has CJK characters.

    >>> Label.model_validate("电工")
    Label(zh='电工', en=None)
    >>> Label.model_validate("Electrician").en
    'Electrician'
    """

    zh: str | None = Field(default=None, min_length=1)
    en: str | None = Field(default=None, min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"zh": data} if _CJK.search(data) else {"en": data}
        return data

    @model_validator(mode="after")
    def _one_language_at_least(self) -> Label:
        if self.zh is None and self.en is None:
            raise PydanticCustomError("MISSING_FIELD", "a name needs `zh` or `en` (or both)")
        return self

    def __str__(self) -> str:
        if self.zh and self.en:
            return f"{self.zh} ({self.en})"
        return self.zh or self.en or ""

    def text(self, lang: Literal["zh", "en"] = "zh") -> str:
        """The name in one language, falling back to the other."""
        first, second = (self.zh, self.en) if lang == "zh" else (self.en, self.zh)
        return first or second or ""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"anyOf": [{"type": "string", "minLength": 1}, handler(schema)]}
